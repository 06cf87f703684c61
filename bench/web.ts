/**
 * `npm run bench:web`: the web app under load. `openpapers serve` runs in its own process on the 74,728 real
 * papers of the listing file, embedded with the test model (bench/real-corpus.ts, cached), and autocannon
 * drives it from this process — both on the same 2 cores, as on a small server. The baseline, measured in
 * the same run, is a bare Node HTTP server answering a fixed page of the same size as the home page: what
 * Node itself can serve here.
 *
 * Scenarios: the home page; paper pages and hybrid searches, each both over a set of popular addresses
 * (repeats, as real traffic has) and with every request new (nothing cached). Each reports requests/s,
 * p50/p99 latency, and errors.
 *
 * Then the same hub on PostgreSQL (a throwaway server for the run, or `--postgres URL` of an empty database;
 * `--postgres off` skips it): copied there with `openpapers migrate-store`, served by one server, then by two
 * (each with its own data folder and index, as on two machines) with the connections split between them.
 * Each server's index is built before it serves, so that no scenario measures an index build.
 *
 *   npm run bench:web -- [--seconds N] [--connections N] [--cache DIR] [--shared DIR] [--model DIR]
 *                        [--postgres URL|off]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { sharedDir } from '../scripts/shared-dir.js';
import { option, seededRandom } from './args.js';
import { benchPostgres } from './postgres.js';
import { prepareRealCorpus } from './real-corpus.js';

const SECONDS = Number(option('--seconds', '10'));
const CONNECTIONS = Number(option('--connections', '16'));
const CACHE = resolve(option('--cache', '.bench-cache'));
const CLI = join(fileURLToPath(new URL('..', import.meta.url)), 'src', 'cli', 'main.js');
const log = (line: string) => process.stderr.write(`${line}\n`);

interface Figures {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  non2xx: number;
}

/**
 * Load one address, or a rotation of addresses (each request takes the next), for SECONDS — on one server,
 * or on several at once with the connections split between them (the figures then add up).
 */
async function load(bases: string[], paths: string[]): Promise<Figures> {
  let next = 0;
  const results = await Promise.all(
    bases.map((url) =>
      autocannon({
        url,
        connections: Math.max(1, Math.round(CONNECTIONS / bases.length)),
        duration: SECONDS,
        requests: [
          {
            setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length] as string }),
          },
        ],
      }),
    ),
  );
  const sum = (pick: (result: autocannon.Result) => number) =>
    results.reduce((total, result) => total + pick(result), 0);
  return {
    requestsPerSecond: sum((result) => result.requests.average),
    p50: Math.max(...results.map((result) => result.latency.p50)),
    p99: Math.max(...results.map((result) => result.latency.p99)),
    requests: sum((result) => result.requests.total),
    // autocannon counts time-outs among its errors.
    errors: sum((result) => result.errors),
    non2xx: sum((result) => result.non2xx),
  };
}

/** Runs a CLI command to its end; returns its seconds. */
function cli(args: string[], env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`openpapers ${args.join(' ')} exited with ${result.status}`);
  return (performance.now() - started) / 1000;
}

function startServe(db: string, env: NodeJS.ProcessEnv): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--db', db, '--port', '0', '--quiet'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolvePromise, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk;
      const url = /at (http:\/\/[^\s]+?)\/? /.exec(stderr)?.[1];
      if (url) resolvePromise({ url, process: child });
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
}

function startBaseline(bytes: number): Promise<{ url: string; close: () => void }> {
  const body = Buffer.alloc(bytes, 'x');
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': body.length });
    response.end(body);
  });
  return new Promise((resolvePromise) =>
    server.listen(0, '127.0.0.1', () =>
      resolvePromise({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => server.close(),
      }),
    ),
  );
}

/** Deterministic picks, so every run loads the same addresses. */
function picks<T>(items: readonly T[], count: number, seed: number): T[] {
  const next = seededRandom(seed);
  return Array.from({ length: count }, () => items[Math.floor(next() * items.length)] as T);
}

/**
 * Waits until the server's index builder has listed every embedded paper's similar papers (the first run
 * only: the lists stay in the cached database), so that paper pages are measured as a hub serves them.
 */
async function similarListsComputed(db: string): Promise<void> {
  const reader = new Database(db, { readonly: true });
  try {
    const count = (sql: string) => (reader.prepare(sql).get() as { n: number }).n;
    const embedded = count('SELECT count(*) AS n FROM embeddings');
    let lastLine = 0;
    for (;;) {
      const listed = count('SELECT count(*) AS n FROM similar_papers');
      if (listed >= embedded) return;
      if (Date.now() - lastLine > 30_000) {
        lastLine = Date.now();
        log(
          `waiting for the similar-paper lists: ${listed.toLocaleString('en-US')} of ${embedded.toLocaleString('en-US')}`,
        );
      }
      await new Promise((resolvePromise) => setTimeout(resolvePromise, 2_000));
    }
  } finally {
    reader.close();
  }
}

async function main(): Promise<void> {
  const shared = sharedDir(process.argv);
  const model = option('--model', join(shared, 'models', 'converted', 'universal-sentence-encoder-lite'));
  const db = await prepareRealCorpus({ cacheDir: CACHE, sharedDir: shared, model, log });

  const reader = new Database(db, { readonly: true });
  const rows = reader
    .prepare<[], { id: string; title: string }>('SELECT id, title FROM papers ORDER BY id')
    .all();
  reader.close();
  const paperPath = (id: string) => `/papers/${encodeURIComponent(id)}`;
  const searchPath = (title: string) =>
    `/search?q=${encodeURIComponent(title.replace(/\s+/g, ' ').split(' ').slice(0, 6).join(' '))}`;
  // Enough new addresses that none repeats within a run, at well over the goals' rates.
  const fresh = picks(rows, 40_000, 11);
  const scenarios: [string, string[]][] = [
    ['home page', ['/']],
    ['paper page, 1,000 popular papers', picks(rows, 1000, 7).map((row) => paperPath(row.id))],
    ['paper page, every request new', fresh.map((row) => paperPath(row.id))],
    ['search (hybrid), 300 popular queries', picks(rows, 300, 5).map((row) => searchPath(row.title))],
    ['search (hybrid), every query new', fresh.slice(20_000).map((row) => searchPath(row.title))],
  ];
  const results: Record<string, Figures> = {};
  const notes: string[] = [];
  const runScenarios = async (label: string, urls: string[]) => {
    for (const [name, paths] of scenarios) {
      // Popular addresses are visited once first (on each server), as they would have been before the rush.
      if (paths.length <= 1000)
        for (const url of urls) for (const path of paths) await (await fetch(url + path)).arrayBuffer();
      log(`loading (${label}): ${name}`);
      results[`${label}: ${name}`] = await load(urls, paths);
    }
  };

  const env = { OPENPAPERS_EMBED_MODEL: model };
  log(`building the search index of ${db}`);
  cli(['--db', db, 'index', 'update'], env);
  log(`starting openpapers serve on ${db}`);
  const serve = await startServe(db, env);
  try {
    await similarListsComputed(db);
    const home = await fetch(`${serve.url}/`);
    const homeBytes = (await home.arrayBuffer()).byteLength;
    const baseline = await startBaseline(homeBytes);
    try {
      log(`baseline: a bare Node server, ${homeBytes} bytes per answer`);
      results['baseline: bare Node server, same bytes'] = await load([baseline.url], ['/']);
    } finally {
      baseline.close();
    }
    await runScenarios('SQLite', [serve.url]);
  } finally {
    serve.process.kill('SIGTERM');
  }

  const postgresServer = await benchPostgres();
  if ('database' in postgresServer) {
    const postgres = await postgresServer.database('bench_web');
    const dirs = [
      mkdtempSync(join(tmpdir(), 'openpapers-web-a-')),
      mkdtempSync(join(tmpdir(), 'openpapers-web-b-')),
    ];
    const servers: { url: string; process: ChildProcess }[] = [];
    try {
      log('copying the hub to PostgreSQL (openpapers migrate-store)');
      const copySeconds = cli(['--db', db, 'migrate-store', '--to', postgres], env);
      const [dirA, dirB] = dirs as [string, string];
      const indexSeconds = cli(['--db', postgres, 'index', 'update'], { ...env, OPENPAPERS_DATA_DIR: dirA });
      cpSync(join(dirA, 'index'), join(dirB, 'index'), { recursive: true });
      notes.push(
        `migrate-store copied the hub (papers, embeddings, …) to PostgreSQL in ${copySeconds.toFixed(0)} s; its index was built from PostgreSQL in ${indexSeconds.toFixed(0)} s`,
      );
      servers.push(await startServe(postgres, { ...env, OPENPAPERS_DATA_DIR: dirA }));
      await runScenarios('PostgreSQL, 1 server', [servers[0]?.url as string]);
      servers.push(await startServe(postgres, { ...env, OPENPAPERS_DATA_DIR: dirB }));
      await runScenarios(
        'PostgreSQL, 2 servers',
        servers.map((server) => server.url),
      );
    } finally {
      for (const server of servers) server.process.kill('SIGTERM');
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  } else notes.push(`PostgreSQL: skipped (${postgresServer.skipped})`);

  const base = results['baseline: bare Node server, same bytes'] as Figures;
  console.log(
    `\nWeb benchmark: ${rows.length.toLocaleString('en-US')} papers, ${CONNECTIONS} connections, ${SECONDS} s per scenario\n`,
  );
  const width = Math.max(...Object.keys(results).map((name) => name.length));
  console.log(`| ${'scenario'.padEnd(width)} | req/s | vs baseline | p50 ms | p99 ms | errors |`);
  console.log(`| ${'-'.repeat(width)} | ----: | ----------: | -----: | -----: | -----: |`);
  for (const [name, figures] of Object.entries(results)) {
    console.log(
      `| ${name.padEnd(width)} | ${Math.round(figures.requestsPerSecond).toLocaleString('en-US').padStart(5)} | ${(figures.requestsPerSecond / base.requestsPerSecond).toFixed(2).padStart(11)} | ${String(figures.p50).padStart(6)} | ${String(figures.p99).padStart(6)} | ${String(figures.errors + figures.non2xx).padStart(6)} |`,
    );
  }
  for (const note of notes) console.log(`\n${note}`);
}

await main();
