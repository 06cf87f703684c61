/**
 * `npm run bench:recs`: how well the personal model finds a reader's next paper. On the SciFact train split,
 * the relevant documents of each query with two or more stand for one reader's library; each is held out in
 * turn, the model is trained on the rest, and we ask whether the held-out paper is in its top 10 of the whole
 * corpus (the library itself left out). Baselines measured in the same run: newest first (what a reader with
 * no model sees), and the tf-idf centroid of the library; the embedding centroid is shown too.
 *
 *   npm run bench:recs [-- --shared DIR] [--model DIR] [--background N]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTransformersEmbedder } from '../src/adapters/embed/transformers.js';
import { MODEL_SETTINGS, recommend, trainPersonalModel, type RecItem } from '../src/core/recs/personal.js';
import { Bm25Space, countTerms } from '../src/core/recs/bm25.js';
import { documentText } from '../src/core/search/model-settings.js';
import { sharedDir } from '../scripts/shared-dir.js';
import { option, seededRandom } from './args.js';
import { readScifactCorpus } from './scifact.js';
import { sparseDot, TfIdfSpace } from './tfidf.js';

interface Trial {
  library: string[];
  heldOut: string;
}

function readTrials(dir: string): Trial[] {
  const relevant = new Map<string, string[]>();
  const lines = readFileSync(join(dir, 'qrels', 'train.tsv'), 'utf8')
    .split('\n')
    .slice(1);
  for (const line of lines) {
    const [query, doc, score] = line.split('\t');
    if (!query || !doc || Number(score) <= 0) continue;
    relevant.set(query, [...(relevant.get(query) ?? []), doc]);
  }
  const trials: Trial[] = [];
  for (const docs of relevant.values()) {
    if (docs.length < 2) continue;
    for (const heldOut of docs) trials.push({ library: docs.filter((doc) => doc !== heldOut), heldOut });
  }
  return trials;
}

/** Where the held-out paper ranks (1 = first) among the corpus without the library. */
function rankOf(scores: Map<string, number>, trial: Trial): number {
  const own = new Set(trial.library);
  const target = scores.get(trial.heldOut) ?? Number.NEGATIVE_INFINITY;
  let rank = 1;
  for (const [id, score] of scores) if (!own.has(id) && id !== trial.heldOut && score > target) rank++;
  return rank;
}

async function main(): Promise<void> {
  const shared = sharedDir(process.argv);
  const dir = join(shared, 'data', 'beir-scifact');
  const model = option('--model', join(shared, 'models', 'converted', 'universal-sentence-encoder-lite'));
  const backgroundSize = Number(option('--background', '500'));
  const denseWeights = option('--dense-weights', String(MODEL_SETTINGS.denseWeight)).split(',').map(Number);
  const corpus = readScifactCorpus(dir);
  const trials = readTrials(dir);
  console.log(
    `Personal recommendations on SciFact train: ${corpus.length} papers, ${trials.length} held-out papers ` +
      `from ${new Set(trials.map((t) => [...t.library, t.heldOut].sort().join())).size} libraries of 2–5\n`,
  );

  const embedder = await loadTransformersEmbedder(model, '/nonexistent');
  const started = performance.now();
  const vectors: Float32Array[] = [];
  for (let i = 0; i < corpus.length; i += 64) {
    const batch = corpus.slice(i, i + 64).map((paper) => documentText(paper, embedder.settings));
    vectors.push(...(await embedder.embedDocuments(batch)));
    if (process.stderr.isTTY)
      process.stderr.write(`\rembedding ${Math.min(i + 64, corpus.length)}/${corpus.length}`);
  }
  process.stderr.write(
    `\rembedded ${corpus.length} papers in ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
  );
  const texts = corpus.map((paper) => `${paper.title} ${paper.abstract}`);
  const tfidf = new TfIdfSpace(texts);
  const tfidfVectors = new Map(corpus.map((paper, i) => [paper.id, tfidf.vector(texts[i] as string)]));
  const items: RecItem[] = corpus.map((paper, i) => ({
    id: paper.id,
    vector: vectors[i] as Float32Array,
    terms: countTerms(texts[i] as string),
  }));
  const space = new Bm25Space(items.map((item) => item.terms));
  const byId = new Map(items.map((item) => [item.id, item]));
  const order = new Map(corpus.map((paper, i) => [paper.id, i]));

  const methods: Record<string, (trial: Trial) => Map<string, number>> = {
    'newest first (baseline)': () => new Map(items.map((item) => [item.id, order.get(item.id) as number])),
    'tf-idf centroid (baseline)': (trial) => {
      const centroid = new Map<string, number>();
      for (const id of trial.library) {
        for (const [term, weight] of tfidfVectors.get(id) ?? [])
          centroid.set(term, (centroid.get(term) ?? 0) + weight);
      }
      return new Map(
        items.map((item) => [item.id, sparseDot(centroid, tfidfVectors.get(item.id) ?? new Map())]),
      );
    },
    'embedding centroid': (trial) => {
      const centroid = new Float32Array(vectors[0]?.length ?? 0);
      for (const id of trial.library) {
        const vector = byId.get(id)?.vector as Float32Array;
        for (let i = 0; i < centroid.length; i++)
          centroid[i] = (centroid[i] as number) + (vector[i] as number);
      }
      return new Map(
        items.map((item) => {
          let sum = 0;
          for (let i = 0; i < centroid.length; i++)
            sum += (centroid[i] as number) * ((item.vector as Float32Array)[i] as number);
          return [item.id, sum];
        }),
      );
    },
    ...Object.fromEntries(
      denseWeights.map((weight) => [
        denseWeights.length === 1 ? 'personal model (OpenPapers)' : `personal model, dense ${weight}`,
        (trial: Trial) => {
          const random = seededRandom(trial.heldOut.length * 7919 + Number(trial.library[0] ?? 0));
          const own = new Set(trial.library);
          const background: RecItem[] = [];
          while (background.length < backgroundSize) {
            const item = items[Math.floor(random() * items.length)] as RecItem;
            if (!own.has(item.id)) background.push(item);
          }
          const personal = trainPersonalModel(
            {
              positives: trial.library.map((id) => byId.get(id) as RecItem),
              negatives: [],
              background,
            },
            space,
          );
          const ranked = recommend(personal, items, items.length, weight);
          return new Map(ranked.map((hit) => [hit.id, hit.score]));
        },
      ]),
    ),
  };

  console.log('| method                         | hit@10 |  MRR  | median rank | ms / reader |');
  console.log('|--------------------------------|-------:|------:|------------:|------------:|');
  const results = new Map<string, number>();
  for (const [name, rank] of Object.entries(methods)) {
    const ranks: number[] = [];
    const began = performance.now();
    for (const trial of trials) ranks.push(rankOf(rank(trial), trial));
    const ms = (performance.now() - began) / trials.length;
    const hits = ranks.filter((r) => r <= 10).length / ranks.length;
    const mrr = ranks.reduce((sum, r) => sum + 1 / r, 0) / ranks.length;
    const median = [...ranks].sort((a, b) => a - b)[Math.floor(ranks.length / 2)] as number;
    results.set(name, hits);
    console.log(
      `| ${name.padEnd(30)} | ${hits.toFixed(3).padStart(6)} | ${mrr.toFixed(3)} | ${String(median).padStart(11)} | ${ms.toFixed(1).padStart(11)} |`,
    );
  }
  const ours = results.get('personal model (OpenPapers)');
  // A sweep of --dense-weights compares models; the verdict is for the shipped setting alone.
  if (ours === undefined) return;
  const centroid = results.get('tf-idf centroid (baseline)') as number;
  const newest = results.get('newest first (baseline)') as number;
  console.log(
    `\nhit@10 ratio: ${(ours / centroid).toFixed(2)}× the tf-idf centroid, ` +
      `${newest > 0 ? `${(ours / newest).toFixed(1)}×` : 'against 0 for'} newest first`,
  );
  console.log(`${ours > centroid && ours > newest ? 'met   ' : 'MISSED'} beats both baselines`);
}

await main();
