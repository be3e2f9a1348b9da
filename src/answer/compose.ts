// The pieces of an extractive answer: blocks of lines, some fixed (a title, a list of IDs) and some made of sentences
// chosen from a text (a guidance, a summary). Every block starts with the few sentences that bear most on the
// question; the answer then takes further relevant sentences, best first, from any block while it stays within its
// length budget, so the sentence that answers is not cut because it happens to be the fourth of its text.
import type { Lang } from '../search/text.js';
import type { Scored } from './sentences.js';
import { T } from './text.js';

export interface Part {
  label: string;
  /** Whose guidance the sentences are, when they are one role's. */
  role?: 'customer' | 'provider';
  sentences: Scored[];
  chosen: Set<number>;
  /** Always show the first sentence (it states what a 2022 control is). */
  keepFirst?: boolean;
}

export type Line = string | Part;

export interface Block {
  id: string;
  lines: Line[];
  cites: string[];
  /** Shown only when one of its sentences bears on the question (a topic); never named under "See also". */
  optional?: boolean;
  /** Weight of its sentences against other blocks' (default: the leading block's weight for the first, else 1). */
  weight?: number;
  /** Retrieval ranked it nearly as high as the best: worth naming even when its sentences share few words. */
  strong?: boolean;
}

/** A sentence joins the answer when it holds at least this share of what the best sentence holds, and some at all. */
export const FILL_RELATIVE = 0.4;
export const FILL_FLOOR = 0.05;
/** Weight of the leading control's sentences against the others'. */
export const LEAD_WEIGHT = 1.5;
/** Weight of a topic's sentences: it supplements the controls; when the question asks what the topic is, it leads. */
export const TOPIC_WEIGHT = 0.75;
/** At most this many sentences from one text. */
const PART_MAX = 4;

export function part(label: string, sentences: Scored[], keepFirst = false, role?: 'customer' | 'provider'): Part {
  return { label, sentences, chosen: new Set(), ...(keepFirst ? { keepFirst } : {}), ...(role ? { role } : {}) };
}

/** The first pick of a part: its `n` most relevant sentences, or its first when none is relevant. */
export function seed(p: Part, n: number): void {
  p.chosen.clear();
  if (p.keepFirst && p.sentences.length) p.chosen.add(0);
  const relevant = p.sentences.filter((x) => x.r > 0 && !p.chosen.has(x.i)).sort((a, b) => b.r - a.r);
  for (const x of relevant) {
    if (p.chosen.size >= n) break;
    p.chosen.add(x.i);
  }
  if (!p.chosen.size && p.sentences.length) p.chosen.add(p.sentences[0]!.i);
}

export function renderLine(l: Line, lang: Lang): string | null {
  if (typeof l === 'string') return l;
  const picked = l.sentences.filter((x) => l.chosen.has(x.i)).map((x) => x.s);
  return picked.length ? `${l.label}${picked.join(T[lang].sentenceSep)}` : null;
}

export function renderBlock(b: Block, lang: Lang): string[] {
  return b.lines.map((l) => renderLine(l, lang)).filter((l): l is string => l !== null);
}

export const partsOf = (b: Block): Part[] => b.lines.filter((l): l is Part => typeof l !== 'string');

/**
 * Lays the blocks out within `budget`: the first block is always shown (seeded beforehand); then the sentences that
 * bear most on the question, best first, from any block, a further block joining with its first sentence taken;
 * then more of the first block. Returns the blocks that bear on the question but did not fit.
 * Sentences are kept in their own text's order when rendered.
 */
/** The overlap with the question a sentence needs to join an answer made of these blocks. */
export function threshold(blocks: Block[]): number {
  const top = Math.max(0, ...blocks.flatMap((b) => partsOf(b).flatMap((p) => p.sentences.map((x) => x.r))));
  return Math.max(FILL_FLOOR, top * FILL_RELATIVE);
}

/**
 * Whether a block is worth naming: retrieval ranked it nearly as high as the best, or it has a sentence with enough
 * overlap that holds more than one of the words typed when the question has more than one ("patch panels" does not
 * make cabling an answer to "EC2 patching").
 */
export const bearsOn = (b: Block, min: number, words = 2): boolean =>
  !!b.strong || partsOf(b).some((p) => p.sentences.some((x) => x.r >= min && (x.typed ?? words) >= words));

export function layout(blocks: Block[], shown: Set<Block>, size: () => number, budget: number, words = 2): Block[] {
  const all = blocks.flatMap((b, bi) => partsOf(b).flatMap((p) => p.sentences.map((x) => ({ b, p, x, bi }))));
  const min = threshold(blocks);
  // The leading control is the best retrieved: its sentences need less overlap and come first at equal overlap.
  // A topic only supplements the controls: its sentences need more.
  const weight = (c: { b: Block; bi: number }) => c.b.weight ?? (c.bi === 0 ? LEAD_WEIGHT : 1);
  const pool = all
    .filter((c) => !c.p.chosen.has(c.x.i) && c.x.r * weight(c) >= min)
    .sort((a, b) => b.x.r * weight(b) - a.x.r * weight(a) || a.bi - b.bi || a.x.i - b.x.i);
  for (const { b, p, x } of pool) {
    if (p.chosen.size >= PART_MAX) continue;
    const joins = !shown.has(b);
    p.chosen.add(x.i);
    if (joins) shown.add(b);
    if (size() > budget) {
      p.chosen.delete(x.i);
      if (joins) shown.delete(b);
    }
  }
  // Room left: more of the leading control, whose every sentence that touches the question may help.
  const more = all.filter((c) => c.bi === 0 && !c.p.chosen.has(c.x.i) && c.x.r > 0).sort((a, b) => b.x.r - a.x.r || a.x.i - b.x.i);
  for (const { p, x } of more) {
    if (p.chosen.size >= PART_MAX) continue;
    p.chosen.add(x.i);
    if (size() > budget) p.chosen.delete(x.i);
  }
  // Left out: the blocks that bear on the question but did not fit (to be named under "See also"); a block none of
  // whose sentences bears on it is not named at all.
  return blocks.filter((b) => !shown.has(b) && !b.optional && bearsOn(b, min, words));
}
