/**
 * `npm run bench:ingest`: ingest throughput and peak memory on the 120,405-line arXiv listing file, against a
 * baseline measured in the same run — reading, decompressing and JSON-parsing the same file and nothing else,
 * the least any ingest of it must do. Then the same at the scale of filling a hub with all of arXiv: a file
 * in the Kaggle snapshot's format of `--kaggle N` records (1,000,000 by default; 0 skips it), made from the
 * real listing records under new ids, ingested into a new database. Each phase runs in its own process so
 * its peak RSS is its own (for PostgreSQL, the ingest's process, not the server's).
 *
 * Every ingest runs on SQLite and on PostgreSQL, in the same run: a throwaway server started for the run
 * (scripts/throwaway-postgres.ts), or the empty database of `--postgres URL`; `--postgres off` skips it.
 *
 *   npm run bench:ingest -- [--shared DIR] [--kaggle N] [--postgres URL|off]
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { ingestSource } from '../src/app/ingest.js';
import { readSource } from '../src/adapters/sources/formats.js';
import pg from 'pg';
import { isPostgresUrl } from '../src/adapters/storage/location.js';
import { openStore } from '../src/adapters/storage/open.js';
import { sharedDir } from '../scripts/shared-dir.js';
import { option } from './args.js';
import { benchPostgres } from './postgres.js';

interface PhaseResult {
  records: number;
  seconds: number;
  maxRssMb: number;
  dbMb?: number;
  newPapers?: number;
}

/** A Kaggle-format file of `count` records: the listing's records in turn, each under a new arXiv id. */
async function writeKaggleFile(listing: string, out: string, count: number): Promise<void> {
  const real: Record<string, unknown>[] = [];
  const lines = createInterface({
    input: createReadStream(listing).pipe(createGunzip()),
    crlfDelay: Infinity,
  });
  for await (const line of lines) real.push(JSON.parse(line) as Record<string, unknown>);
  const file = createWriteStream(out);
  for (let i = 0; i < count; i++) {
    const source = real[i % real.length] as {
      title: string;
      summary: string;
      authors: string[];
      categories: string[];
      comment: string | null;
    };
    // 20,000 papers a month from January 2015, when arXiv ids took five digits after the dot.
    const month = Math.floor(i / 20_000);
    const year = 2015 + Math.floor(month / 12);
    const yymm = `${String(year % 100)}${String((month % 12) + 1).padStart(2, '0')}`;
    const created = new Date(Date.UTC(year, month % 12, 1 + (i % 28)));
    const record = {
      id: `${yymm}.${String((i % 20_000) + 1).padStart(5, '0')}`,
      submitter: source.authors[0] ?? null,
      authors: source.authors.join(', '),
      title: source.title,
      comments: source.comment,
      'journal-ref': null,
      doi: null,
      'report-no': null,
      categories: source.categories.join(' '),
      license: null,
      abstract: source.summary,
      versions: [{ version: 'v1', created: created.toUTCString() }],
      update_date: created.toISOString().slice(0, 10),
    };
    if (!file.write(`${JSON.stringify(record)}\n`)) await once(file, 'drain');
  }
  file.end();
  await once(file, 'finish');
}

async function baseline(file: string): Promise<PhaseResult> {
  const started = performance.now();
  let records = 0;
  const input = file.endsWith('.gz') ? createReadStream(file).pipe(createGunzip()) : createReadStream(file);
  const lines = createInterface({ input, crlfDelay: Infinity });
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

async function databaseMb(location: string): Promise<number> {
  if (!isPostgresUrl(location)) return statSync(location).size / 1024 / 1024;
  const client = new pg.Client({ connectionString: location });
  await client.connect();
  try {
    const { rows } = await client.query<{ bytes: string }>(
      'SELECT pg_database_size(current_database()) AS bytes',
    );
    return Number(rows[0]?.bytes) / 1024 / 1024;
  } finally {
    await client.end();
  }
}

async function ingest(file: string, db: string): Promise<PhaseResult> {
  const store = await openStore(db);
  const started = performance.now();
  const source = { name: file, path: file, size: statSync(file).size, found: false };
  const format = file.endsWith('.gz') ? 'arxiv-listing' : 'kaggle';
  const counts = await ingestSource(store, file, readSource(source, format), {
    now: () => new Date().toISOString(),
  });
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  return {
    records: counts.read,
    seconds,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    dbMb: await databaseMb(db),
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
    const postgres = await benchPostgres();
    const pgUrl = 'database' in postgres ? await postgres.database('bench_listing') : null;
    const pgFirst = pgUrl ? runPhase(['--phase', 'ingest', file, pgUrl]) : null;
    const pgAgain = pgUrl ? runPhase(['--phase', 'ingest', file, pgUrl]) : null;
    const rate = (r: PhaseResult) => Math.round(r.records / r.seconds);
    const row = (name: string, r: PhaseResult, against: PhaseResult = base) =>
      `| ${name.padEnd(38)} | ${r.records.toLocaleString('en-US').padStart(8)} | ${r.seconds.toFixed(2).padStart(6)} | ${rate(r).toLocaleString('en-US').padStart(9)} | ${(rate(r) / rate(against)).toFixed(2).padStart(5)} | ${r.maxRssMb.toFixed(0).padStart(6)} |`;
    console.log(
      '| phase                                  |  records |      s |  records/s | ratio | RSS MB |',
    );
    console.log(
      '|----------------------------------------|---------:|-------:|-----------:|------:|-------:|',
    );
    console.log(row('baseline: gunzip + JSON.parse only', base));
    console.log(row('ingest into a new SQLite database', first));
    console.log(row('ingest again (everything unchanged)', again));
    if (pgFirst && pgAgain) {
      console.log(row('ingest into a new PostgreSQL database', pgFirst));
      console.log(row('ingest again into PostgreSQL', pgAgain));
    }
    console.log(
      `\nnew papers: ${first.newPapers?.toLocaleString('en-US')}; database: ${first.dbMb?.toFixed(0)} MB` +
        (pgFirst
          ? `; on PostgreSQL: ${pgFirst.newPapers?.toLocaleString('en-US')} new, ${pgFirst.dbMb?.toFixed(0)} MB, ` +
            `${(rate(pgFirst) / rate(first)).toFixed(2)}× the SQLite rate`
          : `; PostgreSQL: skipped (${'skipped' in postgres ? postgres.skipped : ''})`),
    );
    const goals = [
      [`ingest ≥ 10,000 records/s`, rate(first) >= 10_000],
      [`peak RSS < 300 MB`, first.maxRssMb < 300],
    ] as const;
    for (const [goal, met] of goals) console.log(`${met ? 'met   ' : 'MISSED'} ${goal}`);

    const kaggleRecords = Number(option('--kaggle', '1000000'));
    if (kaggleRecords > 0) {
      const kaggle = join(dir, 'arxiv-metadata-oai-snapshot.json');
      await writeKaggleFile(file, kaggle, kaggleRecords);
      console.log(
        `\nKaggle snapshot format, ${kaggleRecords.toLocaleString('en-US')} records (${(statSync(kaggle).size / 1024 ** 3).toFixed(2)} GB, uncompressed as Kaggle ships it):\n`,
      );
      const kaggleDb = join(dir, 'kaggle.db');
      const kaggleBase = runPhase(['--phase', 'baseline', kaggle, kaggleDb]);
      const kaggleIngest = runPhase(['--phase', 'ingest', kaggle, kaggleDb]);
      const kagglePgUrl = 'database' in postgres ? await postgres.database('bench_kaggle') : null;
      const kagglePg = kagglePgUrl ? runPhase(['--phase', 'ingest', kaggle, kagglePgUrl]) : null;
      console.log(row('baseline: read + JSON.parse only', kaggleBase, kaggleBase));
      console.log(row('ingest into a new SQLite database', kaggleIngest, kaggleBase));
      if (kagglePg) console.log(row('ingest into a new PostgreSQL database', kagglePg, kaggleBase));
      console.log(
        `\nnew papers: ${kaggleIngest.newPapers?.toLocaleString('en-US')}; database: ${kaggleIngest.dbMb?.toFixed(0)} MB; ` +
          `all of arXiv (2.7M records) at this rate: ${(2_700_000 / rate(kaggleIngest) / 60).toFixed(0)} minutes`,
      );
      for (const [name, result] of [
        ['SQLite', kaggleIngest],
        ['PostgreSQL', kagglePg],
      ] as const) {
        if (!result) continue;
        console.log(
          `${result.newPapers === kaggleRecords ? 'met   ' : 'MISSED'} every record stored once on ${name} (${result.newPapers?.toLocaleString('en-US')} of ${kaggleRecords.toLocaleString('en-US')})`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
