// ISO/IEC 27001:2022 Annex A controls in retrieval. They restate the 2013 and CLD controls, which carry the cloud
// guidance, so a 2022 control ranks on its own words only when it is new in 2022 and clearly the best match;
// otherwise its words vote for the controls it maps to. A 2022 ID typed in the question brings those controls along.
import type { Catalog, CatalogEntry } from '../catalog/catalog.js';

/** A new 2022 control ranks on its own words when it scores at least this factor above every other control. */
export const CLEAR_WIN = 1.2;
/** Weight of a 2022 chunk's vote for its 2013 sources (the same control, reworded). */
export const SOURCE_VOTE = 0.7;

/** The 2013 sources and the 27017 items of a 2022 control, sources first, without repeats. */
export function related2022(e: CatalogEntry): string[] {
  return e.annex2022 ? [...new Set([...e.annex2022.from2013, ...e.annex2022.cloud])] : [];
}

/** Drops the 2022 controls that may not rank on their own words from a ranking (best first). */
export function holdBack2022<T extends { id: string; score: number }>(catalog: Catalog, ranked: T[]): T[] {
  const is2022 = (r: T) => catalog.get(r.id)?.kind === 'annex2022';
  const bestOther = ranked.find((r) => !is2022(r))?.score ?? 0;
  return ranked.filter((r) => !is2022(r) || (catalog.get(r.id)!.annex2022!.isNew && r.score >= bestOther * CLEAR_WIN));
}
