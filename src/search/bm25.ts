// Okapi BM25 over pre-tokenised documents, with weighted query terms (expansions count less than typed words).
// Postings are compact: one Int32Array of document numbers and one Uint16Array of term frequencies for all terms,
// sliced by per-term offsets. A query adds into one reused score array and touches only the postings of its terms.

/** The stored form: term list, offsets and postings as base64 of little-endian typed arrays. */
export interface Bm25Data {
  format: 2;
  lengths: string;
  terms: string[];
  offsets: string;
  docs: string;
  tfs: string;
}

const b64 = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
function fromB64<T>(s: string, Type: { new (b: ArrayBuffer): T; BYTES_PER_ELEMENT: number }): T {
  const buf = Buffer.from(s, 'base64');
  // A copy into a fresh, aligned buffer: Buffer's pool offset may not be a multiple of the element size.
  const out = new ArrayBuffer(buf.byteLength);
  new Uint8Array(out).set(buf);
  return new Type(out);
}

/** Scored documents of one query: parallel arrays, in no particular order. */
export interface Scored {
  docs: Int32Array;
  scores: Float64Array;
}

export class Bm25 {
  private readonly termIndex: Map<string, number>;
  /** k1 × (1 − b + b × length / average length), per document. */
  private readonly norm: Float64Array;
  /** Reused by every query: a score per document, and which documents the query touched. */
  private readonly acc: Float64Array;
  private readonly seen: Uint8Array;

  private constructor(
    private readonly lengths: Uint32Array,
    private readonly terms: string[],
    private readonly offsets: Uint32Array,
    private readonly docs: Int32Array,
    private readonly tfs: Uint16Array,
    private readonly k1 = 1.2,
    private readonly b = 0.75,
  ) {
    this.termIndex = new Map(terms.map((t, i) => [t, i]));
    const n = lengths.length;
    let total = 0;
    for (let i = 0; i < n; i++) total += lengths[i]!;
    const avg = n ? total / n : 0;
    this.norm = new Float64Array(n);
    for (let i = 0; i < n; i++) this.norm[i] = k1 * (1 - b + (b * lengths[i]!) / (avg || 1));
    this.acc = new Float64Array(n);
    this.seen = new Uint8Array(n);
  }

  static build(docs: string[][]): Bm25 {
    const byTerm = new Map<string, number[]>();
    docs.forEach((tokens, doc) => {
      const tf = new Map<string, number>();
      for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const [term, n] of tf) {
        const list = byTerm.get(term) ?? [];
        list.push(doc, Math.min(n, 65535));
        byTerm.set(term, list);
      }
    });
    const terms = [...byTerm.keys()];
    const offsets = new Uint32Array(terms.length + 1);
    let total = 0;
    terms.forEach((t, i) => {
      offsets[i] = total;
      total += byTerm.get(t)!.length / 2;
    });
    offsets[terms.length] = total;
    const postDocs = new Int32Array(total);
    const tfs = new Uint16Array(total);
    terms.forEach((t, i) => {
      const list = byTerm.get(t)!;
      for (let j = 0, at = offsets[i]!; j < list.length; j += 2, at++) {
        postDocs[at] = list[j]!;
        tfs[at] = list[j + 1]!;
      }
    });
    return new Bm25(Uint32Array.from(docs, (d) => d.length), terms, offsets, postDocs, tfs);
  }

  static from(data: Bm25Data): Bm25 {
    if (data?.format !== 2) throw new Error('lexical index of an old format');
    return new Bm25(fromB64(data.lengths, Uint32Array), data.terms, fromB64(data.offsets, Uint32Array), fromB64(data.docs, Int32Array), fromB64(data.tfs, Uint16Array));
  }

  toJSON(): Bm25Data {
    return { format: 2, lengths: b64(this.lengths), terms: this.terms, offsets: b64(this.offsets), docs: b64(this.docs), tfs: b64(this.tfs) };
  }

  get size(): number {
    return this.lengths.length;
  }

  private df(t: number): number {
    return this.offsets[t + 1]! - this.offsets[t]!;
  }

  idf(term: string): number {
    const t = this.termIndex.get(term);
    const df = t === undefined ? 0 : this.df(t);
    const n = this.lengths.length;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** Whether a document holds a term: a binary search in the term's postings (sorted by document). */
  has(term: string, doc: number): boolean {
    const t = this.termIndex.get(term);
    if (t === undefined) return false;
    let lo = this.offsets[t]!;
    let hi = this.offsets[t + 1]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const d = this.docs[mid]!;
      if (d === doc) return true;
      if (d < doc) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  /** Scores every document that holds at least one query term; the cost is the postings of the query's terms. */
  score(query: Map<string, number>): Scored {
    const { acc, seen, docs, tfs, norm, k1 } = this;
    const touched: number[] = [];
    for (const [term, weight] of query) {
      const t = this.termIndex.get(term);
      if (t === undefined) continue;
      const w = weight * this.idf(term) * (k1 + 1);
      for (let at = this.offsets[t]!, end = this.offsets[t + 1]!; at < end; at++) {
        const doc = docs[at]!;
        const tf = tfs[at]!;
        if (!seen[doc]) {
          seen[doc] = 1;
          touched.push(doc);
        }
        acc[doc] = acc[doc]! + (w * tf) / (tf + norm[doc]!);
      }
    }
    const out = { docs: Int32Array.from(touched), scores: new Float64Array(touched.length) };
    touched.forEach((doc, i) => {
      out.scores[i] = acc[doc]!;
      acc[doc] = 0;
      seen[doc] = 0;
    });
    return out;
  }
}
