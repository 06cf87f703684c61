/**
 * `npm run bench:similar`: how well "papers like this one" finds the papers known to be related. On the
 * SciFact train split, the documents judged relevant to the same claim are taken as similar to each other
 * (claims with two or more); for each such document we ask how many of the others are in its top 10.
 *
 * Measured in the same run, over the same abstracts:
 *   - tf-idf cosine with arxiv-sanity-lite's features (words and word pairs, English stop words, sublinear
 *     tf, unit length), with its default feature limits and with none;
 *   - embedding neighbours alone, and the more-like-this keyword query alone;
 *   - OpenPapers' similar papers (both fused with the model's weight), and a sweep of that weight.
 *
 *   npm run bench:similar [-- --shared DIR] [--model DIR] [--weights 0.3,0.5,...]
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { embedMissing } from '../src/app/embed.js';
import { IndexUpdater } from '../src/app/indexing.js';
import { ingestSource } from '../src/app/ingest.js';
import type { Embedder } from '../src/app/ports.js';
import { SearchService } from '../src/app/search.js';
import { loadTransformersEmbedder } from '../src/adapters/embed/transformers.js';
import { IndexFolderLocation } from '../src/adapters/search/index-location.js';
import { readSource } from '../src/adapters/sources/formats.js';
import { SqliteStore } from '../src/adapters/storage/sqlite/store.js';
import { beirPaperId } from '../src/core/ids.js';
import { sharedDir } from '../scripts/shared-dir.js';
import { option } from './args.js';
import { readScifactCorpus, type ScifactDoc } from './scifact.js';
import { ngramTfIdfVectors, sparseDot, type NgramTfIdfOptions } from './tfidf.js';

/** For each document relevant to a claim with two or more, the other documents relevant to its claims. */
export function relatedGroups(qrelsFile: string): Map<string, Set<string>> {
  const byClaim = new Map<string, string[]>();
  for (const line of readFileSync(qrelsFile, 'utf8').split('\n').slice(1)) {
    const [claim, doc, score] = line.split('\t');
    if (!claim || !doc || Number(score) <= 0) continue;
    byClaim.set(claim, [...(byClaim.get(claim) ?? []), doc]);
  }
  const related = new Map<string, Set<string>>();
  for (const docs of byClaim.values()) {
    if (docs.length < 2) continue;
    for (const doc of docs) {
      const others = related.get(doc) ?? new Set<string>();
      for (const other of docs) if (other !== doc) others.add(other);
      related.set(doc, others);
    }
  }
  return related;
}

interface Scores {
  recall: number;
  hit: number;
}

function score(rankings: Map<string, readonly string[]>, related: Map<string, Set<string>>): Scores {
  let recall = 0;
  let hit = 0;
  for (const [doc, others] of related) {
    const top = (rankings.get(doc) ?? []).slice(0, 10);
    const found = top.filter((id) => others.has(id)).length;
    recall += found / others.size;
    if (found > 0) hit++;
  }
  return { recall: recall / related.size, hit: hit / related.size };
}

function tfidfRankings(
  corpus: readonly ScifactDoc[],
  related: Map<string, Set<string>>,
  options: NgramTfIdfOptions,
): Map<string, string[]> {
  const vectors = ngramTfIdfVectors(
    corpus.map((doc) => `${doc.title} ${doc.abstract}`),
    options,
  );
  const rankings = new Map<string, string[]>();
  const at = new Map(corpus.map((doc, i) => [doc.id, i]));
  for (const id of related.keys()) {
    const own = vectors[at.get(id) as number] as Map<string, number>;
    const scored = corpus
      .map((doc, i) => ({
        id: doc.id,
        score: doc.id === id ? -1 : sparseDot(own, vectors[i] as Map<string, number>),
      }))
      .sort((a, b) => b.score - a.score);
    rankings.set(
      id,
      scored.slice(0, 10).map((entry) => entry.id),
    );
  }
  return rankings;
}

async function openCorpus(
  dir: string,
  embedder: Embedder,
  cache: string,
): Promise<(embedder: Embedder) => SearchService> {
  mkdirSync(cache, { recursive: true });
  const dbPath = join(cache, `scifact-${embedder.model.split(/[\\/]/).pop() ?? 'model'}.db`);
  const fresh = !existsSync(dbPath);
  const store = new SqliteStore(dbPath);
  if (fresh) {
    const corpus = join(dir, 'corpus.jsonl');
    await ingestSource(
      store,
      corpus,
      readSource({ name: corpus, path: corpus, size: statSync(corpus).size, found: false }, 'beir'),
      {
        now: () => '2026-12-01T00:00:00.000Z',
      },
    );
  }
  const started = performance.now();
  const embedded = await embedMissing(store, embedder);
  if (embedded.embedded > 0)
    console.log(
      `Embedded ${embedded.embedded} abstracts in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
  const location = new IndexFolderLocation(`${dbPath}.search`);
  const writer = await location.tryOpenWriter();
  if (!writer) throw new Error(`the index of ${dbPath} is being written by another process`);
  await new IndexUpdater({ store, writer, models: [embedder.key] }).catchUp();
  await writer.settle();
  await writer.close();
  const index = location.openReader();
  await index.refresh();
  return (weighted) =>
    new SearchService({ store, index, embedder: async () => weighted, today: () => '2026-12-01' });
}

async function similarRankings(
  service: SearchService,
  related: Map<string, Set<string>>,
): Promise<Map<string, string[]>> {
  const prefix = beirPaperId('scifact', '');
  const rankings = new Map<string, string[]>();
  for (const id of related.keys()) {
    const { hits } = await service.similar(`${prefix}${id}`, 10);
    rankings.set(
      id,
      hits.map((hit) => hit.paper.id.slice(prefix.length)),
    );
  }
  return rankings;
}

function row(name: string, scores: Scores, baseline?: Scores): string {
  const relative = baseline
    ? `  ${(((scores.recall - baseline.recall) / baseline.recall) * 100).toFixed(1).padStart(6)}%`
    : '';
  return `  ${name.padEnd(58)} ${scores.recall.toFixed(4)}    ${scores.hit.toFixed(4)}${relative}`;
}

async function main(): Promise<void> {
  const shared = sharedDir(process.argv);
  const dir = join(shared, 'data', 'beir-scifact');
  const model = option('--model', join(shared, 'models', 'converted', 'universal-sentence-encoder-lite'));
  const corpus = readScifactCorpus(dir);
  const related = relatedGroups(join(dir, 'qrels', 'train.tsv'));
  console.log(
    `Similar papers on SciFact train: ${corpus.length} abstracts; ${related.size} documents, each with the ` +
      `others judged relevant to its claims as its related papers\n`,
  );

  const arxivSanity = score(
    tfidfRankings(corpus, related, { maxFeatures: 10_000, minDf: 5, maxDf: 0.5 }),
    related,
  );
  const allFeatures = score(
    tfidfRankings(corpus, related, { maxFeatures: Infinity, minDf: 1, maxDf: 1 }),
    related,
  );
  const baseline = arxivSanity.recall >= allFeatures.recall ? arxivSanity : allFeatures;

  const loaded = await loadTransformersEmbedder(model, '/nonexistent');
  const withWeight = (weight: number): Embedder => ({
    ...loaded,
    settings: { ...loaded.settings, similarLexicalWeight: weight },
  });
  const cache = resolve('.bench-cache', 'similar');
  const serviceWith = await openCorpus(dir, loaded, cache);
  const at = async (weight: number) =>
    score(await similarRankings(serviceWith(withWeight(weight)), related), related);
  const ours = score(await similarRankings(serviceWith(loaded), related), related);
  const embeddings = await at(0);
  const keywords = await at(1);

  console.log(`  ${'method'.padEnd(58)} recall@10 hit@10  vs baseline`);
  console.log(row('tf-idf, arxiv-sanity-lite defaults (10k features, df 5–50%)', arxivSanity, baseline));
  console.log(row('tf-idf, 1–2-grams, every feature', allFeatures, baseline));
  console.log(row(`embedding neighbours alone (${loaded.model.split('/').pop()})`, embeddings, baseline));
  console.log(row('more-like-this keywords alone (BM25F)', keywords, baseline));
  console.log(
    row(`OpenPapers similar (fused, lexical weight ${loaded.settings.similarLexicalWeight})`, ours, baseline),
  );
  const weights = option('--weights', '0.3,0.4,0.5,0.6,0.7,0.8,0.9').split(',').map(Number);
  console.log('\nLexical weight sweep (recall@10): ');
  for (const weight of weights)
    console.log(`  ${weight.toFixed(2)}  ${(await at(weight)).recall.toFixed(4)}`);
}

await main();
