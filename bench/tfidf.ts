/**
 * The baseline of bench:recs: sparse tf-idf vectors over the lexical analyser's terms (sublinear tf, smoothed
 * idf, unit length), the features arxiv-sanity ranks by.
 */
import { analyze } from '../src/core/search/tokenize.js';

/** Term → weight; unit length once made by a TfIdfSpace. */
export type SparseVector = Map<string, number>;

export class TfIdfSpace {
  private readonly idf = new Map<string, number>();
  private readonly unseenIdf: number;

  /** Document frequencies from a sample of texts (the corpus, or the candidates being ranked). */
  constructor(texts: Iterable<string>) {
    const df = new Map<string, number>();
    let docs = 0;
    for (const text of texts) {
      docs++;
      for (const term of new Set(analyze(text))) df.set(term, (df.get(term) ?? 0) + 1);
    }
    for (const [term, count] of df) this.idf.set(term, Math.log((1 + docs) / (1 + count)) + 1);
    this.unseenIdf = Math.log(1 + docs) + 1;
  }

  vector(text: string): SparseVector {
    const counts = new Map<string, number>();
    for (const term of analyze(text)) counts.set(term, (counts.get(term) ?? 0) + 1);
    const vector: SparseVector = new Map();
    let norm = 0;
    for (const [term, count] of counts) {
      const weight = (1 + Math.log(count)) * (this.idf.get(term) ?? this.unseenIdf);
      vector.set(term, weight);
      norm += weight * weight;
    }
    norm = Math.sqrt(norm);
    if (norm > 0) for (const [term, weight] of vector) vector.set(term, weight / norm);
    return vector;
  }
}

export function sparseDot(a: SparseVector, b: SparseVector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let sum = 0;
  for (const [term, weight] of small) sum += weight * (large.get(term) ?? 0);
  return sum;
}
