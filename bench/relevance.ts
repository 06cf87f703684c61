/**
 * `npm run bench:relevance`: search quality on the SciFact train split (5,183 abstracts, 809 judged claims),
 * as `openpapers eval` measures it, for each mode, with lexical search as the baseline of the same run. The
 * embedded corpus is cached, so a second run only ranks.
 *
 * Then the model's similarity floor (model-settings.ts `semanticFloor`): the cosine similarities of the
 * judged claim–abstract pairs, against those of the nearest abstract to queries of nonsense words. A floor
 * between the pairs' 5th percentile and the nonsense queries' highest keeps what is relevant and drops
 * what is not.
 *
 *   npm run bench:relevance -- [--cache DIR] [--shared DIR] [--model DIR] [--modes lexical,semantic,hybrid]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTransformersEmbedder } from '../src/adapters/embed/transformers.js';
import { IndexFolderLocation } from '../src/adapters/search/index-location.js';
import { beirPaperId } from '../src/core/ids.js';
import { dotProduct } from '../src/core/search/vectors.js';
import { sharedDir } from '../scripts/shared-dir.js';
import { option } from './args.js';

const CACHE = resolve(option('--cache', '.bench-cache/relevance'));
const SHARED = resolve(sharedDir(process.argv));
const MODEL = resolve(
  option('--model', join(SHARED, 'models', 'converted', 'universal-sentence-encoder-lite')),
);
const MODES = option('--modes', 'lexical,semantic,hybrid').split(',');
const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const SCIFACT = join(SHARED, 'data', 'beir-scifact');
const DB = join(CACHE, `scifact-${MODEL.split(/[\\/]/).pop() ?? 'model'}.db`);
const NONSENSE =
  `qwxyzzy flurbonic|asdfgh jkl|zzzz qqqq xxxx|blorptastic vrunk|ooga booga|xkcd fnord quux|lorem
  ipsum dolor|glimfrazzle wobbleton|zxcvbnm|foo bar baz|hello world|12345 67890`.split('|');

type Metrics = Record<'ndcg@10' | 'recall@100' | 'mrr@10' | 'queries', number>;

function evaluate(mode: string): Metrics {
  const result = spawnSync(
    process.execPath,
    [
      CLI,
      'eval',
      SCIFACT,
      '--queries',
      join(SCIFACT, 'queries.train.jsonl'),
      '--qrels',
      join(SCIFACT, 'qrels', 'train.tsv'),
      '--mode',
      mode,
      '--json',
      '--db',
      DB,
    ],
    {
      env: { ...process.env, OPENPAPERS_EMBED_MODEL: MODEL },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  if (result.status !== 0) throw new Error(`eval --mode ${mode} failed (exit ${String(result.status)})`);
  return JSON.parse(result.stdout) as Metrics;
}

mkdirSync(CACHE, { recursive: true });
console.log(`Relevance on SciFact (train split), model ${MODEL}`);
const results = new Map(MODES.map((mode) => [mode, evaluate(mode)]));
const baseline = results.get('lexical') ?? evaluate('lexical');
console.log('\n| mode     | nDCG@10 | Recall@100 | MRR@10 | nDCG@10 vs lexical |');
console.log('| -------- | ------: | ---------: | -----: | -----------------: |');
for (const [mode, m] of results)
  console.log(
    `| ${mode.padEnd(8)} | ${m['ndcg@10'].toFixed(4)} | ${m['recall@100'].toFixed(4).padStart(10)} | ${m['mrr@10'].toFixed(4)} | ${(m['ndcg@10'] / baseline['ndcg@10']).toFixed(3).padStart(18)} |`,
  );
const hybrid = results.get('hybrid');
if (hybrid)
  console.log(`\n${hybrid['ndcg@10'] >= baseline['ndcg@10'] ? 'met   ' : 'MISSED'} hybrid ≥ lexical`);

async function calibrateFloor(): Promise<void> {
  const model = await loadTransformersEmbedder(MODEL, join(CACHE, 'models'));
  const reader = new IndexFolderLocation(`${DB}.search`).openReader();
  await reader.refresh();
  const snapshot = reader.current();
  const vectors = snapshot?.vectors(model.key);
  if (!snapshot || !vectors) {
    console.log(
      '\n(no embedded index to calibrate the similarity floor on: run with --modes including hybrid)',
    );
    return;
  }
  const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const claims = new Map(
    lines(join(SCIFACT, 'queries.train.jsonl')).map((line) => {
      const { _id, text } = JSON.parse(line) as { _id: string; text: string };
      return [_id, text];
    }),
  );
  const pairs: number[] = [];
  for (const line of lines(join(SCIFACT, 'qrels', 'train.tsv')).slice(1)) {
    const [claim, doc] = line.split('\t');
    const text = claims.get(claim ?? '');
    const row = vectors.vector(snapshot.lexical.keyOf(beirPaperId('scifact', doc ?? '')));
    if (text && row) pairs.push(dotProduct(row, await model.embedQuery(text)));
  }
  pairs.sort((a, b) => a - b);
  const nearest: number[] = [];
  for (const query of NONSENSE)
    nearest.push(
      vectors.search(await model.embedQuery(query.replace(/\s+/g, ' ')), 1, () => true)[0]?.score ?? -1,
    );
  const at = (p: number) => (pairs[Math.floor(p * (pairs.length - 1))] as number).toFixed(3);
  console.log(
    `\nSimilarity floor for ${model.key}: judged pairs (${pairs.length}) p1 ${at(0.01)}, p5 ${at(0.05)}, median ${at(0.5)};` +
      ` nearest paper to ${NONSENSE.length} nonsense queries: highest ${Math.max(...nearest).toFixed(3)};` +
      ` configured floor ${model.settings.semanticFloor}`,
  );
  reader.close();
}

await calibrateFloor();
