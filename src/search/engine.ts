// Hybrid retrieval: BM25 with glossary expansion, dense vectors when a model is available, and reciprocal rank
// fusion, collapsed to one hit per control (its best chunk).
import { createHash } from 'node:crypto';
import type { Catalog } from '../catalog/catalog.js';
import { silentLogger, type Logger } from '../log.js';
import { noProgress, type Progress } from '../progress.js';
import { holdBack2022, related2022, SOURCE_VOTE } from './annex2022.js';
import { Bm25 } from './bm25.js';
import { catalogChunks, type Chunk, type Facet } from './chunks.js';
import { docChunks, docsHash, readDocs } from './docs.js';
import type { Embedder } from './embed.js';
import { Glossary } from './expand.js';
import { analyseQuery, type QueryInfo, type QueryRole } from './query.js';
import { IndexStore, INDEX_FORMAT, type Manifest } from './store.js';
import { tokenize, type Lang } from './text.js';
import { VectorIndex } from './vectors.js';

export interface SearchHit {
  /** Catalogue ID, or null for a user-document section that names no control. */
  controlId: string | null;
  /** 0..1: the fused rank score relative to a hit ranked first by every retriever. */
  score: number;
  facet: Facet;
  lang: Lang;
  role: 'customer' | 'provider' | null;
  /** The best chunk behind this hit. */
  chunkKey: string;
  title: string;
  text: string;
  source?: { file: string; heading: string };
  /** Share of the question's typed terms (idf-weighted) found in the best chunk (0..1), for confidence. */
  match: number;
  /** Which retrievers ranked it: lexical, dense, glossary, id (typed), mapping (a control a typed 2022 ID maps to). */
  via: string[];
}

export interface SearchOptions {
  top?: number;
  /** Filter: drop guidance written for the other role. */
  role?: QueryRole;
}

export interface SearchResult {
  query: QueryInfo;
  /** Catalogue controls, one per control, best first. */
  hits: SearchHit[];
  /** Sections of the organisation's own documents, best first (at most 3). */
  documents: SearchHit[];
  dense: boolean;
}

export interface OpenOptions {
  catalog: Catalog;
  dataDir: string;
  docsDir?: string;
  embedder?: Embedder | null;
  log?: Logger;
  progress?: Progress;
  /** Rebuild everything even when the stored index is current. */
  force?: boolean;
}

export interface BuildReport {
  chunks: number;
  docs: number;
  lexical: 'loaded' | 'built';
  dense: 'loaded' | 'built' | 'off';
  reasons: string[];
  ms: number;
}

const RRF_K = 60;
/** Weight of a topic or risk chunk when it speaks for the controls it cites. */
const CITE_WEIGHT = 0.45;
const ROLE_MATCH = 1.3;
const ROLE_OTHER = 0.75;
const EMBED_BATCH = 32;
/** A user-document section is listed when its score is at least this share of the best chunk's score. */
const DOC_MIN_RELATIVE = 0.3;
/**
 * Document sections ranked per list before fusion. Three are shown; a section below rank 60 in both lists scores less
 * by reciprocal rank fusion (2 / (60 + r)) than one ranked first in one list, so 100 leave the result unchanged.
 */
const DOC_RANKS = 100;

interface Ranked {
  id: string;
  score: number;
  chunk: number;
}

export class SearchEngine {
  private constructor(
    readonly catalog: Catalog,
    private readonly chunks: Chunk[],
    private readonly bm25: Bm25,
    private readonly glossary: Glossary,
    private readonly vectors: VectorIndex | null,
    private readonly embedder: Embedder | null,
    readonly manifest: Manifest,
    readonly report: BuildReport,
  ) {}

  /** Loads the stored index, rebuilding only the parts that are stale. */
  static async open(o: OpenOptions): Promise<SearchEngine> {
    const t0 = performance.now();
    const log = o.log ?? silentLogger;
    const progress = o.progress ?? noProgress;
    const store = new IndexStore(o.dataDir);
    const docs = readDocs(o.docsDir);
    const contentHash = createHash('sha256').update(`${INDEX_FORMAT}:${o.catalog.contentHash}:${docsHash(docs)}`).digest('hex');
    const reasons: string[] = [];

    let chunks: Chunk[];
    let bm25: Bm25;
    let manifest: Manifest;
    let lexical: BuildReport['lexical'];
    const stored = o.force ? { stale: 'rebuild requested' } : store.readLexical(contentHash);
    if ('stale' in stored) {
      reasons.push(`lexical: ${stored.stale}`);
      chunks = [...catalogChunks(o.catalog), ...docChunks(docs, o.catalog)];
      progress.start('tokenising chunks', chunks.length);
      const tokens = chunks.map((c) => {
        progress.tick();
        return tokenize(c.text);
      });
      progress.done();
      bm25 = Bm25.build(tokens);
      manifest = store.writeLexical(contentHash, chunks, bm25);
      lexical = 'built';
    } else {
      ({ chunks, bm25, manifest } = stored);
      lexical = 'loaded';
    }

    let vectors: VectorIndex | null = null;
    let dense: BuildReport['dense'] = 'off';
    const embedder = o.embedder ?? null;
    if (embedder) {
      const have = o.force ? { stale: 'rebuild requested' } : store.readDense(manifest, embedder.id);
      if (have instanceof VectorIndex) {
        vectors = have;
        dense = 'loaded';
      } else {
        reasons.push(`dense: ${have.stale}`);
        try {
          vectors = await embedChunks(chunks, embedder, progress);
          manifest = store.writeDense(manifest, embedder.id, vectors);
          dense = 'built';
        } catch (e) {
          log.warn('could not embed the corpus; search runs lexical-only', { reason: (e as Error).message });
        }
      }
    }
    const report: BuildReport = { chunks: chunks.length, docs: docs.length, lexical, dense, reasons, ms: performance.now() - t0 };
    if (reasons.length) log.info('search index updated', { ...report });
    return new SearchEngine(o.catalog, chunks, bm25, new Glossary(o.catalog.glossary, o.catalog.synonyms), vectors, vectors ? embedder : null, manifest, report);
  }

  get chunkCount(): number {
    return this.chunks.length;
  }

  get hasDense(): boolean {
    return this.vectors !== null;
  }

  /** Glossary terms found in a text (domain vocabulary), for scope checks. */
  glossaryMatches(text: string) {
    return this.glossary.match(text, tokenize(text));
  }


  async search(question: string, opts: SearchOptions = {}): Promise<SearchResult> {
    const top = opts.top ?? 5;
    const query = analyseQuery(question);
    const roleBoost = opts.role ?? query.role;
    const allowed = (c: Chunk) => !opts.role || c.role === null || c.role === opts.role || c.facet === 'risk';
    const weigh = (c: Chunk, s: number) => (!roleBoost || c.role === null ? s : c.role === roleBoost ? s * ROLE_MATCH : s * ROLE_OTHER);

    const exp = this.glossary.expand(question);
    const scored = this.bm25.score(exp.terms);
    const lexScores: [number, number][] = [];
    for (let k = 0; k < scored.docs.length; k++) {
      const c = this.chunks[scored.docs[k]!]!;
      if (allowed(c)) lexScores.push([scored.docs[k]!, weigh(c, scored.scores[k]!)]);
    }
    const lexical = this.collapse(lexScores);

    let dense: Ranked[] = [];
    let denseScores: [number, number][] = [];
    if (this.vectors && this.embedder) {
      const [q] = await this.embedder.embed([question], 'query');
      denseScores = this.vectors.knn(q!, 80).filter((n) => allowed(this.chunks[n.label]!)).map((n) => [n.label, weigh(this.chunks[n.label]!, n.similarity)]);
      dense = this.collapse(denseScores);
    }

    const glossaryVotes = new Map<string, number>();
    for (const e of exp.matched) for (const id of e.controls) glossaryVotes.set(id, (glossaryVotes.get(id) ?? 0) + 1 / e.controls.length);
    const glossary = [...glossaryVotes].sort((a, b) => b[1] - a[1]).map(([id, score]) => ({ id, score, chunk: -1 }));

    const lists: [string, Ranked[], number][] = [['lexical', lexical, 1], ['dense', dense, 1], ['glossary', glossary, 0.5]];
    const fused = new Map<string, { score: number; via: string[]; chunk: number }>();
    const maxScore = lists.filter(([, l]) => l.length).reduce((a, [, , w]) => a + w / (RRF_K + 1), 0) || 1;
    for (const [name, list, w] of lists) {
      list.forEach((r, rank) => {
        const f = fused.get(r.id) ?? { score: 0, via: [], chunk: -1 };
        f.score += w / (RRF_K + rank + 1);
        f.via.push(name);
        if (f.chunk < 0 && r.chunk >= 0) f.chunk = r.chunk;
        fused.set(r.id, f);
      });
    }
    // An ID typed in the question comes first; a typed 2022 ID is followed by the controls it maps to.
    const typed = query.ids.filter((id) => this.catalog.has(id));
    const mapped = [...new Set(typed.flatMap((id) => related2022(this.catalog.get(id)!)))].filter((id) => !typed.includes(id) && this.catalog.has(id));
    for (const [ids, base, via] of [[typed, maxScore * 2, 'id'], [mapped, maxScore * 1.5, 'mapping']] as const) {
      ids.forEach((id, i) => {
        const f = fused.get(id) ?? { score: 0, via: [], chunk: -1 };
        // Shown with a chunk of its own, not one that only voted for it.
        if (f.chunk >= 0 && this.chunks[f.chunk]!.controlId !== id) f.chunk = -1;
        f.score = base + (ids.length - i) * 1e-6;
        f.via.push(via);
        fused.set(id, f);
      });
    }

    const ranked = [...fused].sort((a, b) => b[1].score - a[1].score).slice(0, top);
    // Coverage is measured on the words typed, not on glossary expansions.
    const typedTerms = new Map([...exp.terms].filter(([, w]) => w === 1));
    const hits = ranked.map(([id, f]) => this.hit(id, f.chunk >= 0 ? f.chunk : this.bestChunkOf(id, query.lang, roleBoost), f.score / maxScore, f.via, typedTerms));
    return { query, hits, documents: this.documents(lexScores, denseScores, typedTerms), dense: this.hasDense };
  }

  private hit(id: string, idx: number, score: number, via: string[], terms: Map<string, number>): SearchHit {
    const c = this.chunks[idx]!;
    return {
      controlId: c.facet === 'doc' ? c.controlId : id,
      score: round(Math.min(1, score)),
      facet: c.facet, lang: c.lang, role: c.role, chunkKey: c.key, title: c.title, text: c.text,
      ...(c.source ? { source: c.source } : {}),
      match: round(this.coverage(terms, idx)),
      via,
    };
  }

  /**
   * User-document sections, fused from their own lexical and dense ranks. A section is listed when it scores
   * close enough to the best catalogue chunk, so an unrelated document never shows just because it is the best of few.
   */
  private documents(lex: [number, number][], dense: [number, number][], terms: Map<string, number>): SearchHit[] {
    // Compared with the best chunk of the same language: a cross-language match scores lower than a same-language one.
    const relevant = (list: [number, number][]) => {
      const best: Record<string, number> = { en: 0, ja: 0 };
      for (const [i, s] of list) best[this.chunks[i]!.lang] = Math.max(best[this.chunks[i]!.lang]!, s);
      const docs = list.filter(([i, s]) => this.chunks[i]!.facet === 'doc' && s >= best[this.chunks[i]!.lang]! * DOC_MIN_RELATIVE);
      return topK(docs, DOC_RANKS);
    };
    const fused = new Map<number, { score: number; via: string[] }>();
    for (const [name, list] of [['lexical', relevant(lex)], ['dense', relevant(dense)]] as const) {
      list.forEach(([i], rank) => {
        const f = fused.get(i) ?? { score: 0, via: [] };
        f.score += 1 / (RRF_K + rank + 1);
        f.via.push(name);
        fused.set(i, f);
      });
    }
    const lists = (lex.length ? 1 : 0) + (dense.length ? 1 : 0) || 1;
    return [...fused]
      .sort((a, b) => b[1].score - a[1].score)
      .slice(0, 3)
      .map(([i, f]) => this.hit(`doc:${i}`, i, (f.score * (RRF_K + 1)) / lists, f.via, terms));
  }

  /** Chunk scores to one entry per control (or per document section), best first. */
  private collapse(scored: [number, number][]): Ranked[] {
    const best = new Map<string, Ranked>();
    const credit = (id: string, score: number, chunk: number) => {
      const cur = best.get(id);
      if (!cur || score > cur.score) best.set(id, { id, score, chunk });
    };
    for (const [i, s] of scored) {
      const c = this.chunks[i]!;
      if (c.facet === 'doc') {
        // A document section speaks for the controls it names; the rest is listed under documents.
        for (const id of c.cites) credit(id, s * CITE_WEIGHT, i);
      } else if (c.facet === 'topic' || c.facet === 'risk') {
        for (const id of c.cites) credit(id, s * CITE_WEIGHT, i);
      } else if (c.facet === 'annex2022') {
        // Itself (kept only if it clearly wins, below), and a vote for its 2013 sources and 27017 items.
        credit(c.controlId!, s, i);
        const sources = this.catalog.get(c.controlId!)?.annex2022?.from2013 ?? [];
        for (const id of c.cites.slice(1)) credit(id, s * (sources.includes(id) ? SOURCE_VOTE : CITE_WEIGHT), i);
      } else credit(c.controlId!, s, i);
    }
    return holdBack2022(this.catalog, [...best.values()].sort((a, b) => b.score - a.score));
  }

  /** Chunk numbers by control ID, built on first use: a hit without a chunk of its own looks up its control's. */
  private byControl?: Map<string, number[]>;

  private bestChunkOf(id: string, lang: Lang, role: QueryRole | null): number {
    if (!this.byControl) {
      const m = new Map<string, number[]>();
      this.chunks.forEach((c, i) => {
        if (c.controlId) (m.get(c.controlId) ?? m.set(c.controlId, []).get(c.controlId)!).push(i);
      });
      this.byControl = m;
    }
    const own = (this.byControl.get(id) ?? []).filter((i) => this.chunks[i]!.lang === lang);
    const pick = own.find((i) => role && this.chunks[i]!.role === role) ?? own[0];
    return pick ?? 0;
  }

  /** Share of the query's weight (term weight × idf) that occurs in one chunk. */
  private coverage(terms: Map<string, number>, chunk: number): number {
    let total = 0;
    let found = 0;
    for (const [t, w] of terms) {
      const idf = this.bm25.idf(t) * w;
      total += idf;
      if (this.bm25.has(t, chunk)) found += idf;
    }
    return total ? found / total : 0;
  }
}

async function embedChunks(chunks: Chunk[], embedder: Embedder, progress: Progress): Promise<VectorIndex> {
  progress.start('embedding chunks', chunks.length);
  const vectors: number[][] = [];
  for (let i = 0; i < chunks.length; i += EMBED_BATCH) {
    const batch = chunks.slice(i, i + EMBED_BATCH);
    vectors.push(...(await embedder.embed(batch.map((c) => c.text), 'passage')));
    progress.tick(batch.length);
  }
  progress.done();
  return VectorIndex.build(vectors, vectors[0]?.length ?? 1);
}

/**
 * The k best [item, score] pairs, best first, without sorting the whole list: the k-th best score is found by sorting
 * the scores alone (a typed array sorts natively), then only the pairs at or above it are sorted.
 */
export function topK(list: [number, number][], k: number): [number, number][] {
  if (list.length > k) {
    const scores = Float64Array.from(list, (x) => x[1]).sort();
    const bar = scores[scores.length - k]!;
    list = list.filter((x) => x[1] >= bar);
  }
  return list.sort((a, b) => b[1] - a[1]).slice(0, k);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
