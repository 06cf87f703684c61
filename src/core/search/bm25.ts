/**
 * BM25F scoring from collection statistics that are summed over the live documents of every segment, so
 * that a score does not depend on how the index happens to be segmented.
 *
 * Each field has its own weight and length normalisation. Field lengths are kept as one byte per field and
 * document (exact up to 63 words, then in 3% steps, as Lucene keeps its norms); a term's contribution to a
 * document is computed at query time from its per-field frequencies, the document's norms and the current
 * average field lengths. Contributions are rounded to integers, so that a document's score is the same
 * whatever order its terms are added in, and whatever segment its postings are in.
 */

export const FIELDS = ['title', 'abstract', 'authors', 'categories'] as const;
export type Field = (typeof FIELDS)[number];
export const FIELD_COUNT = FIELDS.length;

export interface LexicalParams {
  readonly k1: number;
  readonly fields: Readonly<Record<Field, { readonly weight: number; readonly b: number }>>;
}

/**
 * Tuned on the SciFact train split (docs/search.md): the surface is flat around these values (±0.001
 * nDCG@10), so they sit in its middle rather than at the best point of the grid.
 */
export const DEFAULT_LEXICAL_PARAMS: LexicalParams = Object.freeze({
  k1: 1.5,
  fields: Object.freeze({
    title: Object.freeze({ weight: 3, b: 0.75 }),
    abstract: Object.freeze({ weight: 1, b: 0.75 }),
    authors: Object.freeze({ weight: 1, b: 0.5 }),
    categories: Object.freeze({ weight: 0.2, b: 0.5 }),
  }),
});

const EXACT_NORMS = 64;
const NORM_STEP = 1.03;

/** The field length each norm byte stands for. */
export const NORM_LENGTHS: Float64Array = (() => {
  const lengths = new Float64Array(256);
  for (let byte = 0; byte < 256; byte++) {
    lengths[byte] = byte < EXACT_NORMS ? byte : Math.round(EXACT_NORMS * NORM_STEP ** (byte - EXACT_NORMS));
  }
  return lengths;
})();

/** A field length as its norm byte (the largest byte whose length is not above it). */
export function normByte(length: number): number {
  if (length < EXACT_NORMS) return length;
  let byte = Math.min(255, EXACT_NORMS + Math.floor(Math.log(length / EXACT_NORMS) / Math.log(NORM_STEP)));
  while (byte > EXACT_NORMS && (NORM_LENGTHS[byte] as number) > length) byte--;
  while (byte < 255 && (NORM_LENGTHS[byte + 1] as number) <= length) byte++;
  return byte;
}

/** Per-field term frequencies packed into one number: field f in bits 8f..8f+7 (at most 255 each). */
export function fieldTf(packed: number, field: number): number {
  return (packed >>> (field * 8)) & 0xff;
}

/** Documents and average field lengths over the live documents of the whole index. */
export interface CollectionStats {
  readonly docs: number;
  /** Per field, at least 1 (a field no document has would otherwise divide by zero). */
  readonly averages: Float64Array;
}

export function collectionStats(docs: number, lengthSums: ArrayLike<number>): CollectionStats {
  const averages = new Float64Array(FIELD_COUNT);
  for (let f = 0; f < FIELD_COUNT; f++)
    averages[f] = Math.max(1, (lengthSums[f] as number) / Math.max(1, docs));
  return { docs, averages };
}

export function idf(df: number, docs: number): number {
  return Math.log(1 + (docs - df + 0.5) / (df + 0.5));
}

/** Contributions are integers in units of 2^-20 of a BM25 point. */
export const SCORE_SCALE = 1 << 20;

/** Scores one snapshot's documents: the per-field length factors are computed once for its averages. */
export class Bm25Scorer {
  /** factors[f * 256 + norm] = weight_f / (1 - b_f + b_f * length / average_f). */
  readonly factors: Float64Array;
  readonly k1: number;

  constructor(
    readonly params: LexicalParams,
    readonly stats: CollectionStats,
  ) {
    this.k1 = params.k1;
    this.factors = normFactors(params, stats.averages);
  }

  /** The frequency of a term in a document, each field weighted and normalised by its length. */
  pseudoTf(packedTf: number, norms: Uint8Array, doc: number): number {
    return pseudoTf(this.factors, packedTf, norms, doc);
  }

  /**
   * A term's contribution to a document, as an integer: idf times its saturated pseudo-frequency. A query
   * that names a term n times counts it n times.
   */
  contribution(pseudo: number, idf: number): number {
    return Math.round(((idf * pseudo * (this.k1 + 1)) / (pseudo + this.k1)) * SCORE_SCALE);
  }

  /**
   * An upper bound of a term's contribution in a segment, from the largest pseudo-frequency it had there
   * with the segment's own averages. A field's length factor grows by at most average_now / average_then
   * when the average grows, and not at all when it shrinks.
   */
  bound(maxPseudoAtBuild: number, buildAverages: ArrayLike<number>, idf: number): number {
    let ratio = 1;
    for (let f = 0; f < FIELD_COUNT; f++) {
      ratio = Math.max(ratio, (this.stats.averages[f] as number) / (buildAverages[f] as number));
    }
    return this.contribution(maxPseudoAtBuild * ratio, idf) + 1;
  }
}

export function normFactors(params: LexicalParams, averages: ArrayLike<number>): Float64Array {
  const factors = new Float64Array(FIELD_COUNT * 256);
  FIELDS.forEach((name, f) => {
    const { weight, b } = params.fields[name];
    for (let byte = 0; byte < 256; byte++) {
      factors[f * 256 + byte] =
        weight / (1 - b + (b * (NORM_LENGTHS[byte] as number)) / (averages[f] as number));
    }
  });
  return factors;
}

export function pseudoTf(factors: Float64Array, packedTf: number, norms: Uint8Array, doc: number): number {
  let pseudo = 0;
  const base = doc * FIELD_COUNT;
  for (let f = 0; f < FIELD_COUNT; f++) {
    const tf = (packedTf >>> (f * 8)) & 0xff;
    if (tf !== 0) pseudo += tf * (factors[f * 256 + (norms[base + f] as number)] as number);
  }
  return pseudo;
}
