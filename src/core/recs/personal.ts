/**
 * The personal model, one per reader, trained on their papers (votes, collections, imported library, 👍) and
 * what they said no to (👎). Two sides, fused like hybrid search (each min–max normalised over the
 * candidates, then mixed):
 * - words: BM25 with the whole library as the query, less a quarter of what they said no to (Rocchio);
 * - meaning: a logistic regression over embeddings, the reader's papers against their 👎 and a background
 *   sample of other papers (Scholar Inbox's classifier over embeddings).
 * Each recommendation names the reader's paper it is most like: the explanation a digest shows.
 */
import type { Bm25Space, TermCounts, TermQuery } from './bm25.js';

export interface RecItem {
  id: string;
  /** The paper's embedding (unit length), or null when it has none yet. */
  vector: Float32Array | null;
  terms: TermCounts;
}

export interface TrainingSet {
  positives: readonly RecItem[];
  /** Papers the reader said no to: weighted as much as the positives. */
  negatives: readonly RecItem[];
  /** Other papers, taken as mildly negative (most papers are not for any one reader). */
  background: readonly RecItem[];
}

export interface PersonalModel {
  dense: { weights: Float32Array; bias: number } | null;
  words: TermQuery;
  /** Word statistics of the papers being ranked. */
  space: Bm25Space;
  positives: readonly RecItem[];
}

export interface Recommendation {
  id: string;
  score: number;
  /** The reader's paper this one is most like. */
  because: string;
}

const ROCCHIO_NEGATIVE = 0.25;

export const MODEL_SETTINGS = {
  epochs: 20,
  learningRate: 0.5,
  l2: 1e-4,
  /** How much the embedding side counts against the words side, after normalisation (bench:recs sweep). */
  denseWeight: 0.1,
} as const;

interface Example {
  x: Float32Array;
  label: 0 | 1;
  weight: number;
}

/** Deterministic order for stochastic gradient descent: the same reader and papers give the same model. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const j = (state >>> 0) % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function dotDense(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

/** Class-balanced, L2-regularised logistic regression over embeddings, by SGD with a falling rate. */
function trainLogistic(examples: readonly Example[], dims: number): { weights: Float32Array; bias: number } {
  const weights = new Float32Array(dims);
  let bias = 0;
  const { epochs, learningRate, l2 } = MODEL_SETTINGS;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const rate = learningRate / (1 + epoch);
    for (const example of shuffled(examples, 0x9e3779b9 + epoch)) {
      const step = rate * example.weight * (example.label - sigmoid(dotDense(weights, example.x) + bias));
      const decay = 1 - rate * l2;
      for (let i = 0; i < dims; i++)
        weights[i] = (weights[i] as number) * decay + step * (example.x[i] as number);
      bias += step;
    }
  }
  return { weights, bias };
}

export function trainPersonalModel(set: TrainingSet, space: Bm25Space): PersonalModel {
  const dims = set.positives.find((item) => item.vector)?.vector?.length ?? 0;
  const usable = (items: readonly RecItem[]) => items.filter((item) => item.vector?.length === dims);
  const [positives, negatives, background] = [
    usable(set.positives),
    usable(set.negatives),
    usable(set.background),
  ];
  // Balanced: the positives weigh as much in all as the negatives and the background together; a 👎 weighs
  // as much as a paper of the reader's.
  const positiveWeight = Math.max(1, (negatives.length + background.length) / Math.max(1, positives.length));
  const examples: Example[] = [
    ...positives.map((item) => ({
      x: item.vector as Float32Array,
      label: 1 as const,
      weight: positiveWeight,
    })),
    ...negatives.map((item) => ({
      x: item.vector as Float32Array,
      label: 0 as const,
      weight: positiveWeight,
    })),
    ...background.map((item) => ({ x: item.vector as Float32Array, label: 0 as const, weight: 1 })),
  ];
  const dense = positives.length > 0 ? trainLogistic(examples, dims) : null;
  return { dense, words: rocchio(set), space, positives: set.positives };
}

/**
 * The words side in closed form (Rocchio): the library's word counts less a quarter of those of what the
 * reader said no to, per paper. A logistic regression over tf-idf, trained on a handful of papers against a
 * background sample, ranked worse than this on the benchmark (bench:recs): it fixes on the few words that
 * happen to separate the sample.
 */
function rocchio(set: TrainingSet): TermQuery {
  const weights = new Map<string, number>();
  const add = (items: readonly RecItem[], scale: number) => {
    for (const item of items) {
      for (const [term, count] of item.terms.counts)
        weights.set(term, (weights.get(term) ?? 0) + scale * count);
    }
  };
  add(set.positives, 1);
  if (set.negatives.length > 0)
    add(set.negatives, (-ROCCHIO_NEGATIVE * set.positives.length) / set.negatives.length);
  return weights;
}

/** Min–max over the candidates, so that both sides count on the same scale. */
function normalised(scores: number[]): number[] {
  const min = Math.min(...scores);
  const range = Math.max(...scores) - min;
  return scores.map((score) => (range > 0 ? (score - min) / range : 0));
}

/** The candidates ranked for the reader (their own papers left out), each with the paper it is most like. */
export function recommend(
  model: PersonalModel,
  candidates: readonly RecItem[],
  limit: number,
  denseWeight: number = MODEL_SETTINGS.denseWeight,
): Recommendation[] {
  const own = new Set(model.positives.map((item) => item.id));
  const pool = candidates.filter((item) => !own.has(item.id));
  if (pool.length === 0) return [];
  const words = normalised(pool.map((item) => model.space.score(model.words, item.terms)));
  const dense = model.dense
    ? normalised(
        pool
          .map((item) => {
            if (!item.vector || item.vector.length !== model.dense?.weights.length)
              return Number.NEGATIVE_INFINITY;
            return dotDense(model.dense.weights, item.vector) + model.dense.bias;
          })
          .map((score) => (Number.isFinite(score) ? score : 0)),
      )
    : null;
  const weight = dense ? denseWeight : 0;
  return pool
    .map((item, i) => ({ item, score: weight * (dense?.[i] ?? 0) + (1 - weight) * (words[i] as number) }))
    .sort((a, b) => b.score - a.score || (a.item.id < b.item.id ? -1 : 1))
    .slice(0, limit)
    .map(({ item, score }) => ({ id: item.id, score, because: mostLike(model, item) }));
}

/**
 * The reader's paper nearest to this one: embeddings and words together, the words as BM25 with that paper
 * as the query, over what it scores against itself (so that a long paper does not win by length).
 */
function mostLike(model: PersonalModel, item: RecItem): string {
  const { positives, space } = model;
  let best = positives[0]?.id ?? '';
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const positive of positives) {
    const self = space.score(positive.terms.counts, positive.terms);
    let score = self > 0 ? space.score(positive.terms.counts, item.terms) / self : 0;
    if (positive.vector && item.vector && positive.vector.length === item.vector.length) {
      score += dotDense(positive.vector, item.vector);
    }
    if (score > bestScore) {
      bestScore = score;
      best = positive.id;
    }
  }
  return best;
}
