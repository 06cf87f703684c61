/** Exact vector search: dot products of L2-normalised vectors (cosine similarity), top k. */

export interface VectorMatrix {
  readonly dims: number;
  /** Row d is document d's vector; rows of documents without one are all zero. */
  readonly data: Float32Array;
  /** 1 where document d has a vector. */
  readonly present: Uint8Array;
}

export interface VectorHit {
  doc: number;
  score: number;
}

export function dot(matrix: VectorMatrix, doc: number, query: Float32Array): number {
  const { dims, data } = matrix;
  let sum = 0;
  const base = doc * dims;
  for (let j = 0; j < dims; j++) sum += (data[base + j] as number) * (query[j] as number);
  return sum;
}

export function exactVectorSearch(
  matrix: VectorMatrix,
  query: Float32Array,
  k: number,
  accept: ((doc: number) => boolean) | null,
): VectorHit[] {
  const hits: VectorHit[] = [];
  let worst = -Infinity;
  const rows = matrix.present.length;
  for (let doc = 0; doc < rows; doc++) {
    if (!matrix.present[doc]) continue;
    const score = dot(matrix, doc, query);
    if (hits.length >= k && score <= worst) continue;
    if (accept && !accept(doc)) continue;
    hits.push({ doc, score });
    if (hits.length > k * 2) {
      hits.sort((a, b) => b.score - a.score);
      hits.length = k;
      worst = (hits[k - 1] as VectorHit).score;
    }
  }
  return hits.sort((a, b) => b.score - a.score || a.doc - b.doc).slice(0, k);
}

export function normalize(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  if (norm === 0) return vector;
  return vector.map((value) => value / norm);
}
