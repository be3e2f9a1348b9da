// Okapi BM25 over pre-tokenised documents, with weighted query terms (expansions count less than typed words).
export interface Bm25Data {
  lengths: number[];
  postings: Record<string, [number, number][]>;
}

export class Bm25 {
  private readonly avgLen: number;
  constructor(private readonly data: Bm25Data, private readonly k1 = 1.2, private readonly b = 0.75) {
    const n = data.lengths.length;
    this.avgLen = n ? data.lengths.reduce((a, x) => a + x, 0) / n : 0;
  }

  static build(docs: string[][]): Bm25 {
    const postings: Record<string, [number, number][]> = {};
    docs.forEach((tokens, doc) => {
      const tf = new Map<string, number>();
      for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const [term, n] of tf) (postings[term] ??= []).push([doc, n]);
    });
    return new Bm25({ lengths: docs.map((d) => d.length), postings });
  }

  toJSON(): Bm25Data {
    return this.data;
  }

  get size(): number {
    return this.data.lengths.length;
  }

  idf(term: string): number {
    const df = this.data.postings[term]?.length ?? 0;
    const n = this.data.lengths.length;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** Whether a document holds a term. */
  has(term: string, doc: number): boolean {
    return this.data.postings[term]?.some(([d]) => d === doc) ?? false;
  }

  /** Scores every document that holds at least one query term. */
  score(query: Map<string, number>): Map<number, number> {
    const scores = new Map<number, number>();
    for (const [term, weight] of query) {
      const list = this.data.postings[term];
      if (!list) continue;
      const idf = this.idf(term);
      for (const [doc, tf] of list) {
        const len = this.data.lengths[doc]!;
        const s = (idf * tf * (this.k1 + 1)) / (tf + this.k1 * (1 - this.b + (this.b * len) / this.avgLen));
        scores.set(doc, (scores.get(doc) ?? 0) + weight * s);
      }
    }
    return scores;
  }
}
