/**
 * `npm run demo`: a fresh data directory built from the demo corpus, then what OpenPapers can show so far.
 * Runs the real CLI, so what you see is what a user gets.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const dataDir = resolve(process.env.OPENPAPERS_DEMO_DIR ?? join('data', 'demo'));
const db = join(dataDir, 'openpapers.db');
const cli = resolve('dist', 'src', 'cli', 'main.js');

function openpapers(...args: string[]): void {
  console.log(`\n$ openpapers ${args.join(' ')}`);
  const result = spawnSync(process.execPath, [cli, '--db', db, ...args], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

rmSync(dataDir, { recursive: true, force: true });
console.log(`Building a fresh demo database in ${dataDir}`);
openpapers('ingest', join('demo', 'papers.jsonl.gz'));
openpapers('stats');
openpapers('list', '--limit', '10');
openpapers('list', '--category', 'cs.CL', '--limit', '5');
console.log(
  `\nExplore it yourself:\n  export OPENPAPERS_DB=${db}\n  node dist/src/cli/main.js show <id>\n  node dist/src/cli/main.js list --help`,
);
