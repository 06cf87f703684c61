/** The demo corpus: small, mechanically rebuilt from shared/data byte for byte, and clean to ingest. */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseSummary, REPO_ROOT, runCli, SHARED_DIR, tempDir } from './helpers.js';

const CORPUS = join(REPO_ROOT, 'demo', 'papers.jsonl.gz');

test('the committed demo corpus is what the build script makes from shared/data', (t) => {
  const rebuilt = join(tempDir(t), 'papers.jsonl.gz');
  const result = spawnSync(
    process.execPath,
    [join(REPO_ROOT, 'dist', 'scripts', 'build-demo-corpus.js'), '--shared', SHARED_DIR, '--out', rebuilt],
    { encoding: 'utf8' },
  );
  assert.equal(result.status, 0, result.stderr);
  assert.ok(
    readFileSync(rebuilt).equals(readFileSync(CORPUS)),
    'run "npm run demo:corpus" and commit the result',
  );
});

test('the demo corpus is at most 5 MB and ingests a few thousand papers with none rejected', async (t) => {
  assert.ok(statSync(CORPUS).size <= 5 * 1024 * 1024);
  const db = join(tempDir(t), 'demo.db');
  const result = await runCli(['--db', db, 'ingest', CORPUS, '--json']);
  assert.equal(result.code, 0, result.stderr);
  const summary = parseSummary(result.stdout);
  assert.equal(summary.rejected, 0);
  assert.ok(summary.new >= 3000 && summary.new === summary.read, JSON.stringify(summary));
  const latest = JSON.parse((await runCli(['--db', db, 'list', '--limit', '1', '--json'])).stdout).papers[0];
  assert.equal(latest.announced, '2026-07-01');
});

test('npm run demo builds a fresh data directory, embeds it, searches, and serves the web app', async (t) => {
  const dir = tempDir(t);
  // Its own process group, so that stopping the demo stops the server it started too.
  const demo = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'scripts', 'demo.js')], {
    cwd: REPO_ROOT,
    env: { ...process.env, OPENPAPERS_DEMO_DIR: dir, OPENPAPERS_DEMO_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  t.after(() => {
    if (demo.exitCode === null) process.kill(-(demo.pid as number), 'SIGTERM');
  });
  let stdout = '';
  let stderr = '';
  demo.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    demo.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
      const found = /OpenPapers is serving .* at (http:\/\/\S+?)\/? /.exec(stderr)?.[1];
      if (found) resolve(found);
    });
    demo.on('exit', (code) => reject(new Error(`the demo exited with ${code}: ${stderr}`)));
  });
  assert.match(stdout, /Read 4,\d{3} records from 1 file: 4,\d{3} new, 0 updated, 0 unchanged, 0 rejected/);
  assert.match(stdout, /\$ openpapers stats\n4,\d{3} papers in /);
  assert.match(stdout, /\$ openpapers list --limit 5\n2026-07-01 {2}2606\.\d{5}/);
  assert.match(stdout, /\$ openpapers embed\nEmbedded 4,\d{3} papers with .*universal-sentence-encoder-lite/);
  assert.match(
    stdout,
    /\$ openpapers search linear attention for long context --limit 5\n {2}1\. .*\n[^]* {2}5\. /,
  );
  const home = await fetch(`${url}/`);
  assert.equal(home.status, 200);
  assert.match(await home.text(), /<h2 class="period">Wednesday, 1 July 2026<\/h2>/);
  const search = (await (await fetch(`${url}/api/search?q=linear+attention`)).json()) as { mode: string };
  assert.equal(search.mode, 'hybrid', 'the demo is embedded, so search is hybrid');
});
