/**
 * The whole arXiv listing file (120,405 lines, 74,728 papers) through the real CLI: exact counts, a second
 * run that finds nothing new, statistics checked against counts computed here straight from the file, and an
 * ingest killed with SIGKILL mid-way that, run again, ends in exactly the database of one clean run.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, test } from 'node:test';
import { createGunzip } from 'node:zlib';
import { SqliteStore } from '../../src/adapters/storage/sqlite/store.js';
import type { Paper } from '../../src/core/paper.js';
import { CLI, parseSummary, runCli, sharedPath, tempDir } from '../helpers.js';

const LISTINGS = sharedPath('data', 'arxiv-daily-listings', 'arxiv-daily-listings.jsonl.gz');

interface Expected {
  papers: number;
  byMonth: Record<string, number>;
  byPrimaryCategory: Record<string, number>;
}

/** The statistics, computed from the raw file without any of the product's code. */
async function expectedStats(): Promise<Expected> {
  const firstDay = new Map<string, string>();
  const latest = new Map<string, { day: string; primary: string }>();
  const lines = createInterface({
    input: createReadStream(LISTINGS).pipe(createGunzip()),
    crlfDelay: Infinity,
  });
  for await (const line of lines) {
    const row = JSON.parse(line) as { id: string; file_date: string; categories: string[] };
    const known = firstDay.get(row.id);
    if (!known || row.file_date < known) firstDay.set(row.id, row.file_date);
    const last = latest.get(row.id);
    // The most recent listing names the primary category; on the same day, the later line wins.
    if (!last || row.file_date >= last.day)
      latest.set(row.id, { day: row.file_date, primary: row.categories[0] as string });
  }
  const byMonth: Record<string, number> = {};
  for (const day of firstDay.values()) byMonth[day.slice(0, 7)] = (byMonth[day.slice(0, 7)] ?? 0) + 1;
  const byPrimaryCategory: Record<string, number> = {};
  for (const { primary } of latest.values())
    byPrimaryCategory[primary] = (byPrimaryCategory[primary] ?? 0) + 1;
  return { papers: firstDay.size, byMonth, byPrimaryCategory };
}

async function ingestJson(db: string) {
  const result = await runCli(['--db', db, 'ingest', LISTINGS, '--json']);
  assert.equal(result.code, 0, result.stderr);
  return parseSummary(result.stdout);
}

async function countPapers(db: string): Promise<number> {
  if (!existsSync(db)) return 0;
  const store = new SqliteStore(db);
  try {
    return (await store.stats()).papers;
  } catch {
    return 0; // the schema is still being created
  } finally {
    await store.close();
  }
}

/** Every paper in id order, without the first-seen time (which records when this run saw it). */
async function dump(db: string): Promise<Omit<Paper, 'firstSeen'>[]> {
  const store = new SqliteStore(db);
  const papers: Omit<Paper, 'firstSeen'>[] = [];
  for await (const { firstSeen: _seen, ...paper } of store.exportPapers()) papers.push(paper);
  await store.close();
  return papers;
}

describe('the arXiv listings file', () => {
  // Shared by both tests: the second compares against the clean run of the first.
  const dir = mkdtempSync(join(tmpdir(), 'openpapers-listings-'));
  const cleanDb = join(dir, 'clean.db');
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('gives exactly 74,728 papers; a second run reports 0 new; stats agree with the file', async () => {
    const first = await ingestJson(cleanDb);
    assert.deepEqual(
      { read: first.read, new: first.new, rejected: first.rejected },
      { read: 120_405, new: 74_728, rejected: 0 },
    );
    assert.equal(first.new + first.updated + first.unchanged, 120_405);

    const second = await ingestJson(cleanDb);
    assert.deepEqual(
      { read: second.read, new: second.new, updated: second.updated, unchanged: second.unchanged },
      { read: 120_405, new: 0, updated: 0, unchanged: 120_405 },
    );

    const stats = await runCli(['--db', cleanDb, 'stats', '--json']);
    assert.equal(stats.code, 0, stats.stderr);
    assert.deepEqual(JSON.parse(stats.stdout), await expectedStats());
  });

  test('an ingest killed with SIGKILL and run again ends in the database of one clean run', async (t) => {
    assert.ok(existsSync(cleanDb), 'the clean run of the previous test');
    const db = join(tempDir(t), 'killed.db');
    const child = spawn(process.execPath, [CLI, '--db', db, 'ingest', LISTINGS], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );

    let stored = 0;
    const deadline = Date.now() + 60_000;
    while (stored < 20_000 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      stored = await countPapers(db);
    }
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    const atKill = await countPapers(db);
    assert.ok(atKill >= 20_000 && atKill < 74_728, `${atKill} papers when killed`);

    const resumed = await ingestJson(db);
    assert.equal(resumed.new, 74_728 - atKill);
    assert.equal(resumed.rejected, 0);
    assert.deepEqual(await dump(db), await dump(cleanDb));
  });
});
