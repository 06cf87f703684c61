/** Vector arithmetic for embeddings: dot products of L2-normalised vectors are their cosine similarity. */

export function dotProduct(a: Float32Array, b: Float32Array): number {
  let score = 0;
  for (let j = 0; j < a.length; j++) score += (a[j] as number) * (b[j] as number);
  return score;
}

export function normalize(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  if (norm === 0) return vector;
  return vector.map((value) => value / norm);
}
