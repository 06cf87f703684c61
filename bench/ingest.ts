/**
 * `npm run bench:ingest`: ingest throughput and peak memory on the 120,405-line arXiv listing file, against a
 * baseline measured in the same run — reading, decompressing and JSON-parsing the same file and nothing else,
 * the least any ingest of it must do. Each phase runs in its own process so its peak RSS is its own.
 *
 *   npm run bench:ingest -- [--shared DIR]
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { ingestSource } from '../src/app/ingest.js';
import { readSource } from '../src/adapters/sources/formats.js';
import { SqliteStore } from '../src/adapters/storage/sqlite/store.js';
import { sharedDir } from '../scripts/shared-dir.js';

interface PhaseResult {
  records: number;
  seconds: number;
  maxRssMb: number;
  dbMb?: number;
  newPapers?: number;
}

async function baseline(file: string): Promise<PhaseResult> {
  const started = performance.now();
  let records = 0;
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) {
    JSON.parse(line);
    records++;
  }
  return {
    records,
    seconds: (performance.now() - started) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

async function ingest(file: string, db: string): Promise<PhaseResult> {
  const store = new SqliteStore(db);
  const started = performance.now();
  const source = { name: file, path: file, size: statSync(file).size, found: false };
  const counts = await ingestSource(store, file, readSource(source, 'arxiv-listing'), {
    now: () => new Date().toISOString(),
  });
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  return {
    records: counts.read,
    seconds,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    dbMb: statSync(db).size / 1024 / 1024,
    newPapers: counts.new,
  };
}

function runPhase(args: string[]): PhaseResult {
  const result = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`phase ${args[1]} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as PhaseResult;
}

async function main(): Promise<void> {
  const phase = process.argv.indexOf('--phase');
  if (phase !== -1) {
    const [name, file, db] = process.argv.slice(phase + 1) as [string, string, string];
    const result = name === 'baseline' ? await baseline(file) : await ingest(file, db);
    process.stdout.write(JSON.stringify(result));
    return;
  }

  const file = join(sharedDir(process.argv), 'data', 'arxiv-daily-listings', 'arxiv-daily-listings.jsonl.gz');
  const dir = mkdtempSync(join(tmpdir(), 'openpapers-bench-'));
  const db = join(dir, 'bench.db');
  try {
    console.log(`Ingest benchmark: ${file}\n`);
    const base = runPhase(['--phase', 'baseline', file, db]);
    const first = runPhase(['--phase', 'ingest', file, db]);
    const again = runPhase(['--phase', 'ingest', file, db]);
    const rate = (r: PhaseResult) => Math.round(r.records / r.seconds);
    const row = (name: string, r: PhaseResult) =>
      `| ${name.padEnd(38)} | ${r.records.toLocaleString('en-US').padStart(8)} | ${r.seconds.toFixed(2).padStart(6)} | ${rate(r).toLocaleString('en-US').padStart(9)} | ${(rate(r) / rate(base)).toFixed(2).padStart(5)} | ${r.maxRssMb.toFixed(0).padStart(6)} |`;
    console.log(
      '| phase                                  |  records |      s |  records/s | ratio | RSS MB |',
    );
    console.log(
      '|----------------------------------------|---------:|-------:|-----------:|------:|-------:|',
    );
    console.log(row('baseline: gunzip + JSON.parse only', base));
    console.log(row('ingest into a new SQLite database', first));
    console.log(row('ingest again (everything unchanged)', again));
    console.log(
      `\nnew papers: ${first.newPapers?.toLocaleString('en-US')}; database: ${first.dbMb?.toFixed(0)} MB`,
    );
    const goals = [
      [`ingest ≥ 10,000 records/s`, rate(first) >= 10_000],
      [`peak RSS < 300 MB`, first.maxRssMb < 300],
    ] as const;
    for (const [goal, met] of goals) console.log(`${met ? 'met   ' : 'MISSED'} ${goal}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
