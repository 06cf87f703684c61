/**
 * A full disk, on a real small filesystem (a tmpfs mounted for the test): the database and the search
 * index each fail in one line that says the disk is full and where, with the exit status of a store error,
 * and what was stored before stays readable.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { REPO_ROOT, runCli } from '../helpers.js';

function mountSmallDisk(dir: string, size: string): boolean {
  mkdirSync(dir, { recursive: true });
  return spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]).status === 0;
}

/** Takes what space is left on the disk. */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    closeSync(fd);
  }
}

test('a full disk: one line that says so and where, exit status 5, and nothing stored is lost', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openpapers-disk-'));
  const mounted: string[] = [];
  // Unmounted before the folder is removed (hooks run in the order they were added).
  t.after(() => {
    for (const point of mounted) spawnSync('umount', ['-l', point]);
    rmSync(dir, { recursive: true, force: true });
  });
  const disk = join(dir, 'disk');
  if (!mountSmallDisk(disk, '3m')) {
    t.skip('this machine does not let the test mount a small filesystem (mount -t tmpfs)');
    return;
  }
  mounted.push(disk);
  const lines = gunzipSync(readFileSync(join(REPO_ROOT, 'demo', 'papers.jsonl.gz')))
    .toString('utf8')
    .split('\n');
  const small = join(dir, 'small.jsonl');
  writeFileSync(small, lines.slice(0, 100).join('\n'));
  const all = join(dir, 'all.jsonl');
  writeFileSync(all, lines.join('\n'));
  const db = join(disk, 'hub.db');

  assert.equal((await runCli(['--db', db, 'ingest', small])).code, 0);
  const full = await runCli(['--db', db, 'ingest', all]);
  assert.equal(full.code, 5, full.stderr);
  assert.match(
    full.stderr,
    /^openpapers: the disk is full: cannot write the database .*hub\.db; free some space and try again \(what was stored before is kept\)\n$/,
  );
  const sqlite = new Database(db, { readonly: true });
  assert.equal(sqlite.pragma('integrity_check', { simple: true }) as string, 'ok');
  const papers = (sqlite.prepare('SELECT count(*) AS n FROM papers').get() as { n: number }).n;
  sqlite.close();
  assert.ok(papers >= 100, `${papers} papers kept`);

  // The search index on a disk of its own, filled up.
  const indexDisk = join(dir, 'index-disk');
  assert.ok(mountSmallDisk(indexDisk, '1m'));
  mounted.push(indexDisk);
  const elsewhere = join(dir, 'hub.db');
  assert.equal((await runCli(['--db', elsewhere, 'ingest', small])).code, 0);
  fill(join(indexDisk, 'filler'));
  const env = { OPENPAPERS_INDEX_DIR: join(indexDisk, 'index') };
  const index = await runCli(['--db', elsewhere, 'index'], env);
  assert.equal(index.code, 5, index.stderr);
  assert.match(
    index.stderr,
    /^openpapers: the disk is full: cannot write the search index in .*index-disk\/index; /,
  );
  assert.equal(index.stderr.trim().split('\n').length, 1);
  const search = await runCli(['--db', elsewhere, 'search', 'attention'], env);
  assert.equal(search.code, 5, search.stderr);
  assert.match(search.stderr, /^openpapers: the disk is full: cannot write the search index/);
});
