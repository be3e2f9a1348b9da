// The compact BM25 index scores exactly as the textbook formula, survives its stored form, and the top-K selection
// used for document sections returns what a full sort would.
import { describe, expect, it } from 'vitest';
import { Bm25 } from '../src/search/bm25.js';
import { topK } from '../src/search/engine.js';

const docs = [['backup', 'cloud', 'backup'], ['cloud', 'log'], ['key', 'backup', 'log', 'log', 'cloud'], ['key']];

/** BM25 as written in the textbook, from the raw token lists. */
function reference(query: Map<string, number>, k1 = 1.2, b = 0.75): Map<number, number> {
  const n = docs.length;
  const avg = docs.reduce((a, d) => a + d.length, 0) / n;
  const out = new Map<number, number>();
  for (const [term, w] of query) {
    const df = docs.filter((d) => d.includes(term)).length;
    if (!df) continue;
    const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
    docs.forEach((d, i) => {
      const tf = d.filter((t) => t === term).length;
      if (tf) out.set(i, (out.get(i) ?? 0) + (w * idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * d.length) / avg)));
    });
  }
  return out;
}

const asMap = (s: { docs: Int32Array; scores: Float64Array }) => new Map([...s.docs].map((d, i) => [d, s.scores[i]!]));

describe('BM25 with compact postings', () => {
  const bm = Bm25.build(docs);
  const query = new Map([['backup', 1], ['log', 0.5], ['absent', 1]]);

  it('scores every document holding a query term as the formula does, and only those', () => {
    const got = asMap(bm.score(query));
    const want = reference(query);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [d, s] of want) expect(got.get(d)).toBeCloseTo(s, 12);
  });

  it('starts each query from zero (the reused score array is cleared)', () => {
    bm.score(query);
    const again = asMap(bm.score(new Map([['key', 1]])));
    const want = reference(new Map([['key', 1]]));
    expect([...again.keys()].sort()).toEqual([2, 3]);
    for (const [d, s] of want) expect(again.get(d)).toBeCloseTo(s, 12);
  });

  it('answers membership and idf, and scores the same after a round trip through its stored form', () => {
    expect([0, 1, 2, 3].map((d) => bm.has('log', d))).toEqual([false, true, true, false]);
    expect(bm.has('absent', 0)).toBe(false);
    const back = Bm25.from(JSON.parse(JSON.stringify(bm)));
    expect(back.size).toBe(4);
    expect(back.idf('cloud')).toBe(bm.idf('cloud'));
    expect(asMap(back.score(query))).toEqual(asMap(bm.score(query)));
  });

  it('refuses a stored index of the old format', () => {
    expect(() => Bm25.from({ lengths: [1], postings: {} } as never)).toThrow(/old format/);
  });
});

describe('topK', () => {
  it('returns the k best pairs, best first, as a full sort would (ties included)', () => {
    let seed = 3;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const list: [number, number][] = Array.from({ length: 500 }, (_, i) => [i, Math.floor(rand() * 50)]);
    const full = [...list].sort((a, b) => b[1] - a[1]).slice(0, 20).map((x) => x[1]);
    expect(topK([...list], 20).map((x) => x[1])).toEqual(full);
    expect(topK([[1, 2]], 5)).toEqual([[1, 2]]);
  });
});
