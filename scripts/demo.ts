/**
 * `npm run demo`: a fresh data directory built from the demo corpus, embedded when a model can be loaded,
 * then the web app serving it until Ctrl-C. Runs the real CLI, so what you see is what a user gets.
 * OPENPAPERS_DEMO_PORT picks the port (default 3000; 0 for any free one).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const dataDir = resolve(process.env.OPENPAPERS_DEMO_DIR ?? join('data', 'demo'));
const db = join(dataDir, 'openpapers.db');
const cli = resolve('dist', 'src', 'cli', 'main.js');

// The configured embedding model, else the one in the shared data folder (offline), else the default hub model.
const sharedModel = resolve(
  process.env.OPENPAPERS_SHARED_DIR ?? join('..', 'shared'),
  'models',
  'converted',
  'universal-sentence-encoder-lite',
);
const env = {
  ...process.env,
  ...(!process.env.OPENPAPERS_EMBED_MODEL && existsSync(sharedModel)
    ? { OPENPAPERS_EMBED_MODEL: sharedModel }
    : {}),
};

function openpapers(...args: string[]): number {
  console.log(`\n$ openpapers ${args.join(' ')}`);
  const result = spawnSync(process.execPath, [cli, '--db', db, ...args], { stdio: 'inherit', env });
  return result.status ?? 1;
}

function must(status: number): void {
  if (status !== 0) process.exit(status);
}

rmSync(dataDir, { recursive: true, force: true });
console.log(`Building a fresh demo database in ${dataDir}`);
must(openpapers('ingest', join('demo', 'papers.jsonl.gz')));
must(openpapers('stats'));
must(openpapers('list', '--limit', '5'));
const embedded = openpapers('embed') === 0;
if (!embedded) console.log('(no embedding model could be loaded: search is by keywords only)');
must(openpapers('search', 'linear attention for long context', '--limit', '5'));
console.log(
  `\nThe same from the command line:\n  export OPENPAPERS_DB=${db}` +
    (env.OPENPAPERS_EMBED_MODEL ? ` OPENPAPERS_EMBED_MODEL=${env.OPENPAPERS_EMBED_MODEL}` : '') +
    `\n  node dist/src/cli/main.js --help`,
);
must(openpapers('serve', '--port', process.env.OPENPAPERS_DEMO_PORT ?? '3000', '--quiet'));
