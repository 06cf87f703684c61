/**
 * Several writers on one SQLite file at once — four ingests, a worker recording its runs, a server with its
 * index builder — all succeed, and the database ends as a one-at-a-time ingest of the same files leaves it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { CLI, REPO_ROOT, runCli, sharedPath, tempDir } from '../helpers.js';

const FILES = [
  join(REPO_ROOT, 'demo', 'papers.jsonl.gz'),
  sharedPath('data', 'beir-scifact', 'corpus.jsonl'),
  sharedPath('data', 'arxiv-kaggle-snapshot-sample', 'arxiv-metadata-oai-snapshot.first200.json'),
  sharedPath('data', 'arxiv-abs-files', 'arxiv-browse-abs-files.tar.gz'),
];

function ids(db: string): string[] {
  const sqlite = new Database(db, { readonly: true });
  try {
    return (sqlite.prepare('SELECT id FROM papers ORDER BY id').all() as { id: string }[]).map(
      (row) => row.id,
    );
  } finally {
    sqlite.close();
  }
}

test('four ingests, a worker and a server on one database all succeed, with exact counts', async (t) => {
  const dir = tempDir(t);
  const expected = join(dir, 'one-at-a-time.db');
  for (const file of FILES) assert.equal((await runCli(['--db', expected, 'ingest', file])).code, 0, file);

  const db = join(dir, 'together.db');
  assert.equal((await runCli(['--db', db, 'ingest', FILES[2] as string])).code, 0);
  const env = { OPENPAPERS_EMBED_MODEL: '/nonexistent-model', OPENPAPERS_CRON_EMBED: '* * * * * *' };
  const server = spawn(process.execPath, [CLI, '--db', db, 'serve', '--port', '0', '--quiet'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  t.after(() => server.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    let stderr = '';
    server.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk;
      if (/serving .* at http/.test(stderr)) resolve();
    });
    server.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  const runs = await Promise.all([
    ...FILES.map((file) => runCli(['--db', db, 'ingest', file], env)),
    runCli(['--db', db, 'worker', '--once'], env),
  ]);
  runs.forEach((run, i) => assert.equal(run.code, 0, `${i}: ${run.stderr}`));
  assert.ok(runs.every((run) => !/database is locked|SQLITE_BUSY/i.test(run.stderr)));
  assert.deepEqual(ids(db), ids(expected));
  const sqlite = new Database(db, { readonly: true });
  const jobs = sqlite.prepare("SELECT count(*) AS n FROM job_runs WHERE job = 'embed'").get() as {
    n: number;
  };
  sqlite.close();
  assert.ok(jobs.n >= 1, 'the worker recorded its run');
});
