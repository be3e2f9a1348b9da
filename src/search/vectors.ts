// Nearest-neighbour search over chunk vectors with hnswlib (cosine), persisted beside a manifest.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import hnsw from 'hnswlib-node';

export class VectorIndex {
  private constructor(private readonly index: hnsw.HierarchicalNSW, readonly dim: number) {}

  static build(vectors: number[][], dim: number, opts: { m?: number; efConstruction?: number; ef?: number } = {}): VectorIndex {
    const index = new hnsw.HierarchicalNSW('cosine', dim);
    index.initIndex({ maxElements: Math.max(1, vectors.length), m: opts.m ?? 16, efConstruction: opts.efConstruction ?? 200, randomSeed: 42 });
    vectors.forEach((v, i) => {
      if (v.length !== dim) throw new Error(`vector ${i} has dimension ${v.length}, expected ${dim}`);
      index.addPoint(v, i);
    });
    index.setEf(opts.ef ?? 64);
    return new VectorIndex(index, dim);
  }

  /** Reads a stored index; throws when the file is unreadable or does not hold `count` vectors. */
  static read(file: string, dim: number, count: number): VectorIndex {
    const index = new hnsw.HierarchicalNSW('cosine', dim);
    index.readIndexSync(file, true);
    if (index.getCurrentCount() !== count) throw new Error(`index holds ${index.getCurrentCount()} vectors, manifest says ${count}`);
    index.setEf(64);
    return new VectorIndex(index, dim);
  }

  write(file: string): string {
    this.index.writeIndexSync(file);
    return fileSha256(file);
  }

  get count(): number {
    return this.index.getCurrentCount();
  }

  setEf(ef: number): void {
    this.index.setEf(ef);
  }

  /** Labels of the k nearest vectors with cosine similarity, best first. */
  knn(query: number[], k: number): { label: number; similarity: number }[] {
    const n = Math.min(k, this.count);
    if (!n) return [];
    const r = this.index.searchKnn(query, n);
    return r.neighbors.map((label, i) => ({ label, similarity: 1 - r.distances[i]! }));
  }
}

export function fileSha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}
