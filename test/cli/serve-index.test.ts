/**
 * A real `openpapers serve`, its index builder (a child process) and an ingest in another process: the server
 * answers while the builder is held mid-way at the test's hook, and finds the new papers soon after, by
 * keyword and, once embedded, by meaning — with no restart.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, REPO_ROOT, runCli, sharedPath, tempDir, until } from '../helpers.js';

const MODEL = sharedPath('models', 'converted', 'universal-sentence-encoder-lite');

interface Served {
  url: string;
  child: ChildProcess;
  output: () => string;
}

function serve(db: string, env: NodeJS.ProcessEnv): Promise<Served> {
  const child = spawn(process.execPath, [CLI, '--db', db, 'serve', '--port', '0', '--quiet'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /serving .* at (http:\/\/[^/\s]+)\//.exec(output);
      if (match) resolve({ url: match[1] as string, child, output: () => output });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
  });
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const ids = (body: Record<string, unknown>) => (body.items as { id: string }[]).map((item) => item.id);

test('the server answers while its index builder is held mid-way, and finds new papers within seconds after', async (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'hub.db');
  const hold = join(dir, 'hold');
  const env = { OPENPAPERS_EMBED_MODEL: MODEL, OPENPAPERS_INDEX_HOLD_FILE: hold };
  const demo = gunzipSync(readFileSync(join(REPO_ROOT, 'demo', 'papers.jsonl.gz'))).toString('utf8');
  const corpus = join(dir, 'corpus.jsonl');
  writeFileSync(corpus, demo.split('\n').slice(0, 400).join('\n'));
  assert.equal((await runCli(['--db', db, 'ingest', corpus], env)).code, 0);
  assert.equal((await runCli(['--db', db, 'embed'], env)).code, 0);
  const served = await serve(db, env);
  t.after(() => served.child.kill('SIGKILL'));
  const search = (q: string, mode = 'lexical') =>
    getJson(`${served.url}/api/search?q=${encodeURIComponent(q)}&mode=${mode}&per_page=5`);

  // The builder builds the first index on its own; until then searches say so.
  await until('the first index', async () => {
    const { body } = await search('transformer');
    return ids(body).length > 0 ? true : null;
  });

  writeFileSync(hold, '');
  const paper = {
    id: '2612.00001',
    title: 'Zorblaxian lattices for quibbitonic retrieval',
    abstract: 'We introduce zorblaxian lattices, a quibbitonic structure for retrieval over sparse graphs.',
    authors: ['Test Author'],
    categories: ['cs.IR'],
    announced: '2026-12-01',
  };
  const file = join(dir, 'new.jsonl');
  writeFileSync(file, `${JSON.stringify(paper)}\n`);
  assert.equal((await runCli(['--db', db, 'ingest', file], env)).code, 0);

  // The builder has read the new paper and waits at the hook: index work is in progress.
  await until('the builder to be held', async () => {
    const status = JSON.parse(readFileSync(`${db}.search/status.json`, 'utf8')) as { state: string };
    return status.state === 'indexing' ? true : null;
  });
  const health = await getJson(`${served.url}/healthz`);
  assert.deepEqual(health, { status: 200, body: { status: 'ok' } });
  const during = await search('zorblaxian quibbitonic');
  assert.equal(during.status, 200);
  assert.deepEqual(ids(during.body), [], 'not published yet');
  assert.ok(ids((await search('transformer')).body).length > 0, 'the last published index still answers');
  const metrics = await (await fetch(`${served.url}/metrics`)).text();
  assert.match(metrics, /openpapers_index_work_in_progress\{kind="indexing"\} 1/);

  rmSync(hold);
  const found = await until('the new paper by keyword', async () => {
    const { body } = await search('zorblaxian quibbitonic');
    return ids(body).length > 0 ? ids(body) : null;
  });
  assert.deepEqual(found, ['2612.00001']);

  // Embedded in another process, it is found by meaning too.
  const embedded = await runCli(['--db', db, 'embed'], env);
  assert.equal(embedded.code, 0, embedded.stderr);
  await until('the new paper by meaning', async () => {
    const { body } = await search(paper.title, 'semantic');
    return ids(body)[0] === '2612.00001' ? true : null;
  });

  served.child.kill('SIGTERM');
  const code = await new Promise((resolve) => served.child.once('exit', resolve));
  assert.equal(code, 0, served.output());
  const status = JSON.parse(readFileSync(`${db}.search/status.json`, 'utf8')) as { state: string };
  assert.equal(status.state, 'stopped', 'the builder stopped with the server');
});

test('an idle server stops on SIGTERM: its model and graph threads do not hold the process', async (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'hub.db');
  const env = { OPENPAPERS_EMBED_MODEL: MODEL };
  const demo = gunzipSync(readFileSync(join(REPO_ROOT, 'demo', 'papers.jsonl.gz'))).toString('utf8');
  const corpus = join(dir, 'corpus.jsonl');
  writeFileSync(corpus, demo.split('\n').slice(0, 50).join('\n'));
  assert.equal((await runCli(['--db', db, 'ingest', corpus], env)).code, 0);
  const served = await serve(db, env);
  t.after(() => served.child.kill('SIGKILL'));
  assert.equal((await fetch(`${served.url}/healthz`)).status, 200);
  served.child.kill('SIGTERM');
  const exited = await Promise.race([
    new Promise((resolve) => served.child.once('exit', resolve)),
    new Promise((resolve) => setTimeout(() => resolve('still running 30 s after SIGTERM'), 30_000).unref()),
  ]);
  assert.equal(exited, 0, served.output());
});
