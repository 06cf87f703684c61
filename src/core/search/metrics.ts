/** Retrieval metrics as BEIR reports them (pytrec_eval): nDCG@k with linear gains, Recall@k, MRR@k. */

/** Relevance judgements: query id → document id → grade (> 0 is relevant). */
export type Qrels = ReadonlyMap<string, ReadonlyMap<string, number>>;

export function ndcgAt(k: number, ranked: readonly string[], relevant: ReadonlyMap<string, number>): number {
  let dcg = 0;
  ranked.slice(0, k).forEach((doc, i) => {
    dcg += (relevant.get(doc) ?? 0) / Math.log2(i + 2);
  });
  const ideal = [...relevant.values()]
    .filter((grade) => grade > 0)
    .sort((a, b) => b - a)
    .slice(0, k)
    .reduce((sum, grade, i) => sum + grade / Math.log2(i + 2), 0);
  return ideal === 0 ? 0 : dcg / ideal;
}

export function recallAt(
  k: number,
  ranked: readonly string[],
  relevant: ReadonlyMap<string, number>,
): number {
  const wanted = [...relevant].filter(([, grade]) => grade > 0).map(([doc]) => doc);
  if (wanted.length === 0) return 0;
  const top = new Set(ranked.slice(0, k));
  return wanted.filter((doc) => top.has(doc)).length / wanted.length;
}

export function mrrAt(k: number, ranked: readonly string[], relevant: ReadonlyMap<string, number>): number {
  const rank = ranked.slice(0, k).findIndex((doc) => (relevant.get(doc) ?? 0) > 0);
  return rank === -1 ? 0 : 1 / (rank + 1);
}

export interface EvalScores {
  'ndcg@10': number;
  'recall@100': number;
  'mrr@10': number;
  queries: number;
}

/** Mean metrics over the judged queries; `runs` maps query id → ranked document ids. */
export function evaluate(runs: ReadonlyMap<string, readonly string[]>, qrels: Qrels): EvalScores {
  let ndcg = 0;
  let recall = 0;
  let mrr = 0;
  let queries = 0;
  for (const [query, relevant] of qrels) {
    const ranked = runs.get(query) ?? [];
    ndcg += ndcgAt(10, ranked, relevant);
    recall += recallAt(100, ranked, relevant);
    mrr += mrrAt(10, ranked, relevant);
    queries++;
  }
  const mean = (sum: number) => (queries === 0 ? 0 : sum / queries);
  return { 'ndcg@10': mean(ndcg), 'recall@100': mean(recall), 'mrr@10': mean(mrr), queries };
}
