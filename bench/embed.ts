/**
 * `npm run bench:embed`: documents per second for embedding title + abstract with the local model, against a
 * baseline measured in the same run — the plain transformers.js feature-extraction pipeline in batches of
 * 64, as its documentation shows it. Papers are the first N of the demo corpus (real arXiv papers).
 *
 *   npm run bench:embed -- [--model DIR_OR_HUB_ID] [--papers N] [--shared DIR]
 */
import { createReadStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { loadTransformersEmbedder } from '../src/adapters/embed/transformers.js';
import { documentText, modelSettings } from '../src/core/search/model-settings.js';
import { sharedDir } from '../scripts/shared-dir.js';

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
}

async function readTexts(count: number, model: string): Promise<string[]> {
  const settings = modelSettings(model);
  const texts: string[] = [];
  const lines = createInterface({ input: createReadStream('demo/papers.jsonl.gz').pipe(createGunzip()) });
  for await (const line of lines) {
    texts.push(documentText(JSON.parse(line) as { title: string; abstract: string }, settings));
    if (texts.length === count) break;
  }
  return texts;
}

async function pipelineBaseline(model: string, texts: string[]): Promise<number> {
  const { env, pipeline } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = resolve(model, '..');
  const extractor = await pipeline('feature-extraction', resolve(model).split('/').pop() as string, {
    dtype: 'fp32',
  });
  await extractor(texts.slice(0, 8), { pooling: 'mean', normalize: true });
  const started = performance.now();
  for (let i = 0; i < texts.length; i += 64) {
    await extractor(texts.slice(i, i + 64), { pooling: 'mean', normalize: true });
  }
  return texts.length / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const model =
    option('--model') ??
    join(sharedDir(process.argv), 'models', 'converted', 'universal-sentence-encoder-lite');
  const count = Number(option('--papers') ?? 2000);
  const texts = await readTexts(count, model);
  const chars = texts.reduce((sum, t) => sum + t.length, 0) / texts.length;
  console.log(
    `Embedding benchmark: ${model}\n${texts.length} real papers, title + abstract, ${chars.toFixed(0)} characters on average\n`,
  );

  const baseline = await pipelineBaseline(model, texts);
  const embedder = await loadTransformersEmbedder(model, '/nonexistent');
  await embedder.embedDocuments(texts.slice(0, 8));
  const started = performance.now();
  for (let i = 0; i < texts.length; i += 64) await embedder.embedDocuments(texts.slice(i, i + 64));
  const ours = texts.length / ((performance.now() - started) / 1000);

  console.log('| embedder                                     |  docs/s | ratio |');
  console.log('|----------------------------------------------|--------:|------:|');
  console.log(
    `| baseline: transformers.js pipeline, batch 64 | ${baseline.toFixed(0).padStart(7)} |  1.00 |`,
  );
  console.log(
    `| OpenPapers embedder (the embed command)      | ${ours.toFixed(0).padStart(7)} | ${(ours / baseline).toFixed(2).padStart(5)} |`,
  );
  console.log(`\npeak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  console.log(`${ours >= 200 ? 'met   ' : 'MISSED'} ≥ 200 docs/s (${availableParallelism()} cores)`);
}

await main();
