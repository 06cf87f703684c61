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
 *   npm run bench:web -- [--seconds N] [--connections N] [--cache DIR] [--shared DIR] [--model DIR]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { sharedDir } from '../scripts/shared-dir.js';
import { option, seededRandom } from './args.js';
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

/** Load one address, or a rotation of addresses (each connection takes the next), for SECONDS. */
async function load(base: string, paths: string[]): Promise<Figures> {
  let next = 0;
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length] as string }),
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

function startServe(db: string, model: string): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--db', db, '--port', '0', '--quiet'], {
    env: { ...process.env, OPENPAPERS_EMBED_MODEL: model },
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

  log(`starting openpapers serve on ${db} (the first start builds the search indexes)`);
  const serve = await startServe(db, model);
  const results: Record<string, Figures> = {};
  try {
    const home = await fetch(`${serve.url}/`);
    const homeBytes = (await home.arrayBuffer()).byteLength;
    const baseline = await startBaseline(homeBytes);
    try {
      log(`baseline: a bare Node server, ${homeBytes} bytes per answer`);
      results['baseline: bare Node server, same bytes'] = await load(baseline.url, ['/']);
    } finally {
      baseline.close();
    }
    const scenarios: [string, string[]][] = [
      ['home page', ['/']],
      ['paper page, 1,000 popular papers', picks(rows, 1000, 7).map((row) => paperPath(row.id))],
      ['paper page, every request new', fresh.map((row) => paperPath(row.id))],
      ['search (hybrid), 300 popular queries', picks(rows, 300, 5).map((row) => searchPath(row.title))],
      ['search (hybrid), every query new', fresh.slice(20_000).map((row) => searchPath(row.title))],
    ];
    for (const [name, paths] of scenarios) {
      // Popular addresses are visited once first, as they would have been before the rush.
      if (paths.length <= 1000) for (const path of paths) await (await fetch(serve.url + path)).arrayBuffer();
      log(`loading: ${name}`);
      results[name] = await load(serve.url, paths);
    }
  } finally {
    serve.process.kill('SIGTERM');
  }

  const base = results['baseline: bare Node server, same bytes'] as Figures;
  console.log(
    `\nWeb benchmark: ${rows.length.toLocaleString('en-US')} papers, ${CONNECTIONS} connections, ${SECONDS} s per scenario\n`,
  );
  console.log('| scenario                                | req/s | vs baseline | p50 ms | p99 ms | errors |');
  console.log('| --------------------------------------- | ----: | ----------: | -----: | -----: | -----: |');
  for (const [name, figures] of Object.entries(results)) {
    console.log(
      `| ${name.padEnd(39)} | ${Math.round(figures.requestsPerSecond).toLocaleString('en-US').padStart(5)} | ${(figures.requestsPerSecond / base.requestsPerSecond).toFixed(2).padStart(11)} | ${String(figures.p50).padStart(6)} | ${String(figures.p99).padStart(6)} | ${String(figures.errors + figures.non2xx).padStart(6)} |`,
    );
  }
}

await main();
