/**
 * `npm run bench:search`: search at the size of all of arXiv. A corpus of 2,600,000 papers — the 74,728 real
 * ones of the listing file, embedded with the real model, plus synthetic papers whose title and abstract
 * splice two real ones and whose vector blends theirs — is built once into a cache folder. Then, each in its
 * own process so that its peak RSS is its own:
 *
 * - build: a full build of the segmented index from the store's change feeds (what `openpapers index
 *   rebuild` does), then the merges the policy asks for; time, peak RSS and size on disk;
 * - fts5: SQLite FTS5 over the same papers with the same queries, ranked by its bm25() — the baseline;
 * - serve: the index as a server reads it, the model and the graph walks on threads of their own as in `openpapers serve`; lexical, semantic (query embedding included) and hybrid queries
 *   drawn from real titles, end to end (papers read, snippets made); serving RSS;
 * - recall: the vector index's recall@10 against exact search over every stored vector;
 * - live: a real `openpapers serve` with its index builder, on a copy of the corpus and index. Freshness:
 *   from the end of an ingest of 1,000 new papers until all are found by keyword search, and from the end
 *   of embedding them until all are found by meaning. Availability: p99 and errors of searches and /healthz
 *   under load (autocannon) idle, while that update runs, and while segments merge.
 *
 *   npm run bench:search -- [--papers N] [--queries N] [--seed N] [--cache DIR] [--shared DIR] [--model DIR]
 *                           [--phases build,fts5,serve,recall,live]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { embedCursorName } from '../src/app/embed.js';
import { IndexUpdater } from '../src/app/indexing.js';
import { similarCursorName } from '../src/app/similar-lists.js';
import { SearchService, type SearchMode } from '../src/app/search.js';
import { embeddingKey, lazyEmbedder } from '../src/adapters/embed/open.js';
import { readCurrent, readManifest } from '../src/adapters/search/index-folder.js';
import { startGraphThread } from '../src/adapters/search/graph-thread.js';
import { IndexFolderLocation } from '../src/adapters/search/index-location.js';
import { SqliteStore } from '../src/adapters/storage/sqlite/store.js';
import type { Paper, PaperRecord } from '../src/core/paper.js';
import { normalize } from '../src/core/search/vectors.js';
import { sharedDir } from '../scripts/shared-dir.js';
import { option, seededRandom } from './args.js';
import { prepareRealCorpus } from './real-corpus.js';

const PAPERS = Number(option('--papers', '2600000'));
const QUERIES = Number(option('--queries', '300'));
/** Picks the real titles that queries are made of: another seed, other queries (7 is what the docs report). */
const SEED = Number(option('--seed', '7'));
const CACHE = resolve(option('--cache', '.bench-cache/search'));
const DB = join(CACHE, `corpus-${PAPERS}.db`);
/** The real corpus is shared with the other benchmarks. */
const REAL_CACHE = resolve(CACHE, '..');
const INDEX_DIR = `${DB}.search`;
const TODAY = '2026-11-22';
const CLI = join(fileURLToPath(new URL('..', import.meta.url)), 'src', 'cli', 'main.js');

function model(): string {
  return option(
    '--model',
    join(sharedDir(process.argv), 'models', 'converted', 'universal-sentence-encoder-lite'),
  );
}

const embedding = () => ({ model: model(), url: null, apiKey: null, cacheDir: CACHE });
const log = (line: string) => process.stderr.write(`${line}\n`);
const rss = () => Math.round(process.resourceUsage().maxRSS / 1024);
const n = (value: number) => value.toLocaleString('en-US');

// ---------------------------------------------------------------------------------------------- corpus

async function prepare(): Promise<void> {
  mkdirSync(CACHE, { recursive: true });
  const done = `${DB}.complete`;
  if (existsSync(done)) return;
  const real = await prepareRealCorpus({
    cacheDir: REAL_CACHE,
    sharedDir: sharedDir(process.argv),
    model: model(),
    log,
  });
  for (const file of [DB, `${DB}-wal`, `${DB}-shm`]) rmSync(file, { force: true });
  copyFileSync(real, DB);
  const store = new SqliteStore(DB);
  const embedder = await lazyEmbedder(embedding())();
  try {
    const papers: Paper[] = [];
    for await (const paper of store.exportPapers()) papers.push(paper);
    const vectors = new Map<string, Float32Array>();
    for await (const { paperId, vector } of store.exportEmbeddings(embedder.key))
      vectors.set(paperId, vector);
    const synthetic = PAPERS - papers.length;
    log(`adding ${n(synthetic)} synthetic papers`);
    const next = seededRandom(42);
    for (let start = 0; start < synthetic; start += 5000) {
      const records: PaperRecord[] = [];
      const embeddings = [];
      for (let i = start; i < Math.min(synthetic, start + 5000); i++) {
        const a = papers[Math.floor(next() * papers.length)] as Paper;
        const b = papers[Math.floor(next() * papers.length)] as Paper;
        const record = splice(a, b, `synthetic:${i}`);
        records.push(record);
        embeddings.push({
          paperId: record.id,
          textHash: 'synthetic',
          vector: blend(vectors.get(a.id), vectors.get(b.id), next),
        });
      }
      await store.upsertPapers(records, `${TODAY}T00:00:00Z`);
      await store.putEmbeddings(embedder.key, embeddings);
      if (start % 100_000 === 0) log(`  ${n(start)}`);
    }
    writeFileSync(done, `${PAPERS}\n`);
  } finally {
    await store.close();
  }
}

/** A synthetic paper: the first half of a's title and abstract, then the second half of b's. */
function splice(a: Paper, b: Paper, id: string): PaperRecord {
  const half = (text: string, first: boolean) => {
    const words = text.split(/\s+/);
    const middle = Math.ceil(words.length / 2);
    return (first ? words.slice(0, middle) : words.slice(middle)).join(' ');
  };
  return {
    ...a,
    id,
    title: `${half(a.title, true)} ${half(b.title, false)}`,
    abstract: `${half(a.abstract, true)} ${half(b.abstract, false)}`,
    authors: [...a.authors.slice(0, 2), ...b.authors.slice(0, 2)],
    categories: [...new Set([...a.categories, ...b.categories])],
    doi: null,
    sources: ['synthetic'],
  };
}

function blend(a: Float32Array | undefined, b: Float32Array | undefined, next: () => number): Float32Array {
  const dims = (a ?? b)?.length ?? 512;
  const out = new Float32Array(dims);
  for (let j = 0; j < dims; j++) out[j] = 0.6 * (a?.[j] ?? 0) + 0.4 * (b?.[j] ?? 0) + (next() - 0.5) * 0.02;
  return normalize(out);
}

// ---------------------------------------------------------------------------------------------- phases

/** `asServer`: the model and the graph walks on threads of their own, as `openpapers serve` runs them. */
async function service(store: SqliteStore, options: { asServer?: boolean } = {}): Promise<SearchService> {
  const index = new IndexFolderLocation(INDEX_DIR, {
    reader: options.asServer ? { graphs: startGraphThread() } : {},
  }).openReader();
  await index.refresh();
  return new SearchService({
    store,
    index,
    embedder: lazyEmbedder(embedding(), { onThread: options.asServer ?? false }),
    today: () => TODAY,
  });
}

function folderMb(dir: string, match: (name: string) => boolean): number {
  return readdirSync(dir)
    .filter(match)
    .reduce((sum, name) => sum + statSync(join(dir, name)).size / 1024 / 1024, 0);
}

async function buildPhase(): Promise<object> {
  rmSync(INDEX_DIR, { recursive: true, force: true });
  const store = new SqliteStore(DB);
  const writer = await new IndexFolderLocation(INDEX_DIR).tryOpenWriter();
  if (!writer) throw new Error(`the index in ${INDEX_DIR} is locked`);
  let last = 0;
  const started = performance.now();
  await new IndexUpdater({
    store,
    writer,
    models: [embeddingKey(embedding())],
    onProgress: ({ phase, done, total }) => {
      if (performance.now() - last < 10_000) return;
      last = performance.now();
      log(
        `  ${phase}: ${n(done)}${total ? ` of ${n(total)}` : ''} (${((last - started) / 1000).toFixed(0)} s)`,
      );
    },
  }).catchUp();
  await writer.settle();
  const buildSeconds = (performance.now() - started) / 1000;
  log(`  built in ${buildSeconds.toFixed(0)} s; merging what the policy asks for`);
  const merging = performance.now();
  let merges = 0;
  while (writer.scheduleMerges()) {
    merges++;
    await writer.settle();
  }
  const mergeSeconds = (performance.now() - merging) / 1000;
  await writer.close();
  await store.close();
  const manifest = JSON.parse(
    readFileSync(
      join(
        INDEX_DIR,
        `manifest-${readFileSync(join(INDEX_DIR, 'CURRENT'), 'utf8').trim().padStart(6, '0')}.json`,
      ),
      'utf8',
    ),
  ) as { segments: unknown[]; vectors: Record<string, { segments: unknown[] }> };
  return {
    buildSeconds,
    mergeSeconds,
    merges,
    segments: manifest.segments.length,
    vectorSegments: Object.values(manifest.vectors)[0]?.segments.length ?? 0,
    lexicalMb: folderMb(INDEX_DIR, (name) => name.startsWith('seg-')),
    vectorMb: folderMb(INDEX_DIR, (name) => name.endsWith('.rows')),
    graphMb: folderMb(INDEX_DIR, (name) => name.endsWith('.usearch')),
    rssMb: rss(),
  };
}

/** Real titles, chosen at random (seeded), as plain-word queries. */
function titles(count: number, seed: number): string[] {
  const db = new Database(DB, { readonly: true });
  const all = db
    .prepare<[], { title: string }>("SELECT title FROM papers WHERE id NOT LIKE 'synthetic:%' ORDER BY id")
    .all()
    .map((row) => row.title.replace(/\s+/g, ' '));
  db.close();
  const next = seededRandom(seed);
  return Array.from({ length: count }, () => all[Math.floor(next() * all.length)] as string);
}

function percentiles(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

async function servePhase(): Promise<object> {
  const store = new SqliteStore(DB);
  const started = performance.now();
  const search = await service(store, { asServer: true });
  await search.search({ query: 'warm up', mode: 'semantic', limit: 1 });
  const loadSeconds = (performance.now() - started) / 1000;
  const result: Record<string, unknown> = { loadSeconds };
  const list = titles(QUERIES, SEED);
  for (const mode of ['lexical', 'semantic', 'hybrid'] as SearchMode[]) {
    for (const query of list.slice(0, 20)) await search.search({ query, mode, limit: 10, plain: true });
    const times: number[] = [];
    for (const query of list) {
      const t = performance.now();
      await search.search({ query, mode, limit: 10, plain: true });
      times.push(performance.now() - t);
    }
    result[mode] = percentiles(times);
  }
  // What spelling correction costs: the same titles with two letters of their longest word swapped, so
  // that it is not in the vocabulary and the query is corrected before it runs.
  const typos = list.map(withTypo);
  const times: number[] = [];
  let corrected = 0;
  for (const query of typos) {
    const t = performance.now();
    const response = await search.search({ query, mode: 'lexical', limit: 10, plain: true });
    times.push(performance.now() - t);
    if (response.spelling) corrected++;
  }
  result.typos = { ...percentiles(times), corrected };
  await store.close();
  result.rssMb = rss();
  result.memory = memoryOf('self');
  return result;
}

function withTypo(title: string): string {
  const words = title.split(' ');
  const longest = words.reduce(
    (best, word, i) => (word.length > (words[best] as string).length ? i : best),
    0,
  );
  const word = words[longest] as string;
  const at = Math.floor(word.length / 2);
  words[longest] =
    word.slice(0, at - 1) + (word[at] as string) + (word[at - 1] as string) + word.slice(at + 1);
  return words.join(' ');
}

function fts5Phase(): object {
  const path = join(CACHE, `fts5-${PAPERS}.db`);
  rmSync(path, { force: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(`ATTACH DATABASE '${DB.replaceAll("'", "''")}' AS corpus`);
  let started = performance.now();
  db.exec(
    `CREATE VIRTUAL TABLE fts USING fts5(id UNINDEXED, title, abstract, authors, tokenize = 'porter unicode61')`,
  );
  db.exec(
    'INSERT INTO fts (id, title, abstract, authors) SELECT id, title, abstract, authors FROM corpus.papers',
  );
  db.exec("INSERT INTO fts (fts) VALUES ('optimize')");
  const buildSeconds = (performance.now() - started) / 1000;
  const search = db.prepare<[string], { id: string }>(
    'SELECT id FROM fts WHERE fts MATCH ? ORDER BY bm25(fts, 0, 3, 1, 1) LIMIT 10',
  );
  const list = titles(QUERIES, SEED).map((title) =>
    (title.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).map((word) => `"${word}"`).join(' OR '),
  );
  for (const query of list.slice(0, 20)) search.all(query);
  const times: number[] = [];
  started = performance.now();
  for (const query of list) {
    const t = performance.now();
    search.all(query);
    times.push(performance.now() - t);
  }
  db.close();
  const mb = statSync(path).size / 1024 / 1024;
  rmSync(path, { force: true });
  return { buildSeconds, mb, ...percentiles(times), rssMb: rss() };
}

/** Exact top 10 of each query over every stored vector, streamed (the vectors do not fit in memory). */
async function recallPhase(): Promise<object> {
  const store = new SqliteStore(DB);
  const search = await service(store);
  const embedder = await lazyEmbedder(embedding())();
  const snapshot = search.snapshot();
  const vectors = snapshot?.vectors(embedder.key);
  if (!snapshot || !vectors) throw new Error('no vector index');
  const queries = await Promise.all(titles(100, SEED + 2).map((title) => embedder.embedQuery(title)));
  const best = queries.map(() => [] as { id: string; score: number }[]);
  for await (const { paperId, vector } of store.exportEmbeddings(embedder.key)) {
    queries.forEach((query, q) => {
      let score = 0;
      for (let j = 0; j < vector.length; j++) score += (vector[j] as number) * (query[j] as number);
      const top = best[q] as { id: string; score: number }[];
      if (top.length < 10 || score > (top[top.length - 1] as { score: number }).score) {
        top.push({ id: paperId, score });
        top.sort((a, b) => b.score - a.score);
        if (top.length > 10) top.pop();
      }
    });
  }
  let found = 0;
  queries.forEach((query, q) => {
    const ann = new Set(vectors.search(query, 10, null).map((hit) => snapshot.lexical.paperIdOf(hit.key)));
    found += (best[q] as { id: string }[]).filter((hit) => ann.has(hit.id)).length;
  });
  await store.close();
  return { recallAt10: found / (queries.length * 10), queries: queries.length };
}

// ---------------------------------------------------------------------------------------------- live

interface Load {
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  /** What the errors were: connection errors, time-outs, and answers by status code. */
  kinds?: { connection: number; timeouts: number; statuses: Record<string, number> };
}

/** One window of the live phase: the two loads, and the server's longest event-loop stall (absent from older runs). */
interface LoadWindow {
  searches: Load;
  healthz: Load;
  loop?: { maxMs: number; stalls: number };
}

/** Loads a rotation of addresses until stopped; resolves with its figures. */
function startLoad(base: string, paths: string[], connections: number) {
  let next = 0;
  let finish!: (figures: Load) => void;
  const figures = new Promise<Load>((resolvePromise) => (finish = resolvePromise));
  const instance = autocannon(
    {
      url: base,
      connections,
      duration: 3_600,
      requests: [
        { setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length] as string }) },
      ],
    },
    (_error, result) =>
      finish({
        p50: result.latency.p50,
        p99: result.latency.p99,
        requests: result.requests.total,
        // autocannon counts time-outs among its errors.
        errors: result.errors + result.non2xx,
        kinds: {
          connection: result.errors - result.timeouts,
          timeouts: result.timeouts,
          statuses: Object.fromEntries(
            Object.entries(result.statusCodeStats ?? {})
              .filter(([code]) => !code.startsWith('2'))
              .map(([code, stats]) => [code, stats?.count ?? 0]),
          ),
        },
      }),
  );
  return {
    stop: () => {
      instance.stop();
      return figures;
    },
  };
}

function startServe(db: string, indexDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [CLI, '--db', db, 'serve', '--port', '0', '--quiet'], {
    env: { ...process.env, OPENPAPERS_EMBED_MODEL: model(), OPENPAPERS_INDEX_DIR: indexDir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolvePromise, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk;
      const url = /serving .* at (http:\/\/[^\s]+?)\/? /.exec(stderr)?.[1];
      if (url) resolvePromise({ url, child });
      if (stderr.length > 100_000) stderr = stderr.slice(-10_000);
    });
    child.on('exit', (code, signal) => {
      // After it started, a server that stops is a failure of the run: say why, with what it said last.
      const error = new Error(`serve exited with ${code ?? signal}: ${stderr.slice(-4000)}`);
      log(`  ${error.message}`);
      reject(error);
    });
  });
}

function runCli(args: string[], indexDir: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, OPENPAPERS_EMBED_MODEL: model(), OPENPAPERS_INDEX_DIR: indexDir },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('exit', (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`${args.join(' ')}: exit ${code}`)),
    );
  });
}

interface Memory {
  peakMb: number;
  rssMb: number;
  /**
   * Of the RSS now: the process's own memory, and pages of mapped files (the graphs), which other
   * processes share and the kernel can drop.
   */
  anonMb: number;
  fileMb: number;
}

/** VmHWM (peak), VmRSS and its parts of a process, in MB. */
function memoryOf(pid: number | 'self'): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mb = (field: string) =>
    Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024);
  return { peakMb: mb('VmHWM'), rssMb: mb('VmRSS'), anonMb: mb('RssAnon'), fileMb: mb('RssFile') };
}

/**
 * The server's longest event-loop stall, read once a second from its /metrics (prom-client resets the
 * figure at each scrape); a stall over half a second is logged with what the index builder was doing.
 */
function watchEventLoop(base: string, indexDir: string) {
  let maxMs = 0;
  let stalls = 0;
  let stopped = false;
  const sampling = (async () => {
    while (!stopped) {
      await new Promise((resolvePromise) => setTimeout(resolvePromise, 1_000));
      try {
        const text = await (await fetch(`${base}/metrics`)).text();
        const lag =
          Number(/^openpapers_nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text)?.[1] ?? 0) * 1000;
        maxMs = Math.max(maxMs, lag);
        if (lag > 500) {
          stalls++;
          const state = (JSON.parse(readFileSync(join(indexDir, 'status.json'), 'utf8')) as { state: string })
            .state;
          log(`  (the server's event loop stalled ${lag.toFixed(0)} ms; the index builder was ${state})`);
        }
      } catch {
        // A scrape that failed under load is skipped; the next one reads the stall since the last.
      }
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await sampling;
      return { maxMs: Math.round(maxMs), stalls };
    },
  };
}

/**
 * Polls `probe` until it holds. A probe whose request fails (a keep-alive connection the loaded server
 * closed just as it was reused) is asked again, as a client retries an idempotent GET; the load's own
 * errors are counted by autocannon.
 */
async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await probe()) return;
    } catch (error) {
      log(`  (a probe for ${what} failed: ${(error as Error).cause ?? error}; asking again)`);
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 100));
  }
}

/** Papers the live phase adds, removed again when it ends (and at its start, after a run that failed). */
function removeFreshPapers(db: string): void {
  const sql = new Database(db);
  // By hand rather than by cascade (better-sqlite3 turns foreign keys on): no index leads from a paper to
  // its embeddings, so a cascading delete would scan every vector once per paper.
  sql.pragma('foreign_keys = OFF');
  sql.transaction(() => {
    for (const table of ['embeddings', 'similar_papers', 'paper_categories'])
      sql.prepare(`DELETE FROM ${table} WHERE paper_id LIKE 'fresh:%'`).run();
    sql.prepare("DELETE FROM papers WHERE id LIKE 'fresh:%'").run();
  })();
  sql.close();
}

async function livePhase(): Promise<object> {
  removeFreshPapers(DB);
  // Embedding follows the paper feed from a cursor. The corpus's papers are embedded already (the synthetic
  // ones with blended vectors, not their own text's), so the cursor goes to the feed's end whatever the
  // real corpus it was copied from left in it: the update embeds the 1,000 new papers and nothing else.
  const store = new SqliteStore(DB);
  const key = embeddingKey(embedding());
  let cursor: string | null = null;
  for (;;) {
    const page = await store.paperChanges(cursor, 50_000);
    if (page.papers.length === 0) break;
    cursor = page.cursor;
  }
  if (cursor) await store.setCursor(embedCursorName(key), cursor, new Date().toISOString());
  // Likewise the similar-paper lists: the builder lists the new papers, not the whole corpus for the first
  // time (hours of background work at 2.6M), so that the windows measure an update, not a first fill.
  let vectors: string | null = null;
  for (;;) {
    const page = await store.embeddingChanges(key, vectors, 50_000);
    if (page.embeddings.length === 0) break;
    vectors = page.cursor;
  }
  if (vectors) await store.setCursor(similarCursorName(key), vectors, new Date().toISOString());
  await store.close();
  // The server works on a copy of the index, so that the one built stays as it was.
  const index = join(CACHE, 'live.search');
  rmSync(index, { recursive: true, force: true });
  log('  copying the index');
  cpSync(INDEX_DIR, index, { recursive: true });
  rmSync(join(index, 'writer.lock'), { force: true });
  try {
    return await live(DB, index);
  } finally {
    removeFreshPapers(DB);
    rmSync(index, { recursive: true, force: true });
  }
}

async function live(db: string, indexDir: string): Promise<object> {
  const serve = await startServe(db, indexDir);
  try {
    const base = serve.url;
    const searchPaths = titles(40_000, SEED + 6).map(
      (title) => `/api/search?mode=hybrid&q=${encodeURIComponent(title.split(' ').slice(0, 6).join(' '))}`,
    );
    await (await fetch(base + (searchPaths[0] as string))).arrayBuffer();
    let offset = 0;
    const window = async (during: () => Promise<void>) => {
      const paths = searchPaths.slice(offset, (offset += 10_000));
      const searches = startLoad(base, paths, 8);
      const health = startLoad(base, ['/healthz'], 2);
      const loop = watchEventLoop(base, indexDir);
      await during();
      return { searches: await searches.stop(), healthz: await health.stop(), loop: await loop.stop() };
    };
    log('  idle load, 15 s');
    const idle = await window(() => new Promise((resolvePromise) => setTimeout(resolvePromise, 15_000)));

    const papers = new Database(db, { readonly: true });
    const sample = papers
      .prepare<[], { title: string; abstract: string }>(
        "SELECT title, abstract FROM papers WHERE id NOT LIKE 'synthetic:%' LIMIT 20000",
      )
      .all();
    papers.close();
    const next = seededRandom(99);
    const batch = (tag: string, count: number) => {
      const file = join(CACHE, `${tag}.jsonl`);
      const lines = Array.from({ length: count }, (_, i) => {
        const a = sample[Math.floor(next() * sample.length)] as { title: string; abstract: string };
        const b = sample[Math.floor(next() * sample.length)] as { title: string; abstract: string };
        return JSON.stringify({
          id: `fresh:${tag}:${i}`,
          title: `${a.title.split(' ').slice(0, 6).join(' ')} ${b.title.split(' ').slice(-6).join(' ')}`,
          abstract: `${a.abstract.slice(0, 600)} ${b.abstract.slice(-600)} ${tag}token${i} ${tag}batch`,
          authors: ['Fresh Author'],
          categories: ['cs.LG'],
          announced: '2026-11-22',
        });
      });
      writeFileSync(file, `${lines.join('\n')}\n`);
      return file;
    };
    // The batch's own word as a required term: a keyword search lists the batch; a semantic search, narrowed
    // to it, ranks exactly those of its vectors that the served index holds (a narrow filter is scored row by
    // row). Every page full means all are found.
    const foundBy = async (mode: 'lexical' | 'semantic', tag: string, count: number) => {
      for (let page = 1; page <= Math.ceil(count / 100); page++) {
        const response = await fetch(
          `${base}/api/search?mode=${mode}&per_page=100&page=${page}&q=%2B${tag}batch`,
        );
        if (response.status !== 200) return false;
        const body = (await response.json()) as { items: unknown[] };
        if (body.items.length < Math.min(100, count - (page - 1) * 100)) return false;
      }
      return true;
    };

    const fresh = { keywordSeconds: 0, semanticSeconds: 0, ingestSeconds: 0, embedSeconds: 0 };
    log('  load while 1,000 new papers are ingested, indexed, embedded and indexed again');
    const update = await window(async () => {
      const file = batch('f0', 1_000);
      let started = performance.now();
      await runCli(['--db', db, 'ingest', file], indexDir);
      fresh.ingestSeconds = (performance.now() - started) / 1000;
      started = performance.now();
      await until('1,000 new papers by keyword', () => foundBy('lexical', 'f0', 1_000));
      fresh.keywordSeconds = (performance.now() - started) / 1000;
      started = performance.now();
      await runCli(['--db', db, 'embed'], indexDir);
      fresh.embedSeconds = (performance.now() - started) / 1000;
      started = performance.now();
      await until('1,000 new papers by meaning', () => foundBy('semantic', 'f0', 1_000));
      fresh.semanticSeconds = (performance.now() - started) / 1000;
    });
    const builderPid = (JSON.parse(readFileSync(join(indexDir, 'status.json'), 'utf8')) as { pid: number })
      .pid;
    const builderAfterUpdate = memoryOf(builderPid);

    log('  load while nine more batches are indexed and the small segments merge');
    // A merge of the small batches' segments can run while the embedding below does, before the status
    // is watched, so a segment newer than the window that holds more than one batch also counts as seen.
    const firstNewSegment = (await readManifest(indexDir, readCurrent(indexDir) as number)).nextSegmentId;
    const batchesMerged = async () =>
      (await readManifest(indexDir, readCurrent(indexDir) as number)).segments.some(
        (segment) => segment.id >= firstNewSegment && segment.docs > 1_000,
      );
    let mergeSeen = false;
    const merge = await window(async () => {
      for (let i = 1; i < 10; i++) await runCli(['--db', db, 'ingest', batch(`f${i}`, 1_000)], indexDir);
      await runCli(['--db', db, 'embed'], indexDir);
      await until(
        'the merges',
        async () => {
          const status = JSON.parse(readFileSync(join(indexDir, 'status.json'), 'utf8')) as {
            state: string;
          };
          mergeSeen ||= status.state === 'merging' || (await batchesMerged());
          return mergeSeen && status.state === 'idle' && (await foundBy('lexical', 'f9', 1_000));
          // The embedding before it yields the CPU to the loaded server: minutes at 2.6M.
        },
        3_600_000,
      );
    });
    const servePid = serve.child.pid as number;
    return {
      idle,
      update,
      merge,
      fresh,
      serving: memoryOf(servePid),
      builder: { afterUpdate: builderAfterUpdate, afterMerge: memoryOf(builderPid) },
    };
  } finally {
    serve.child.kill('SIGTERM');
    await new Promise((resolvePromise) => serve.child.once('exit', resolvePromise));
  }
}

// ---------------------------------------------------------------------------------------------- report

function runPhase(name: string): Record<string, unknown> {
  log(`\n— ${name}`);
  const result = spawnSync(
    process.execPath,
    ['--max-old-space-size=6144', fileURLToPath(import.meta.url), '--phase', name, ...process.argv.slice(2)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 },
  );
  if (result.status !== 0) throw new Error(`phase ${name} failed`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

const PHASES = ['build', 'fts5', 'serve', 'recall', 'live'] as const;

async function main(): Promise<void> {
  const phase = process.argv.indexOf('--phase');
  if (phase !== -1) {
    const name = process.argv[phase + 1];
    const run = {
      prepare: async () => (await prepare(), {}),
      build: buildPhase,
      fts5: fts5Phase,
      serve: servePhase,
      recall: recallPhase,
      live: livePhase,
    };
    process.stdout.write(JSON.stringify(await run[name as keyof typeof run]()));
    return;
  }
  console.log(`Search benchmark: ${n(PAPERS)} papers, ${QUERIES} queries from real titles; cache ${CACHE}`);
  runPhase('prepare');
  // Each phase's figures are kept, so that after a change to the query path `--phases serve,recall` measures
  // again without rebuilding (the report then says which figures are from an earlier run).
  const resultsFile = join(CACHE, `results-${PAPERS}.json`);
  const results = (existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : {}) as Record<
    string,
    Record<string, unknown>
  >;
  const phases = option('--phases', PHASES.join(',')).split(',');
  for (const name of PHASES) {
    if (phases.includes(name)) {
      results[name] = { ...runPhase(name), at: new Date().toISOString() };
      writeFileSync(resultsFile, JSON.stringify(results, null, 2));
    } else if (!results[name])
      throw new Error(`no earlier figures for the ${name} phase: run it (--phases ${name})`);
    else console.log(`(${name}: figures from the run of ${String(results[name]?.at)})`);
  }
  report(results);
}

function report(results: Record<string, Record<string, unknown>>): void {
  const build = results.build as Record<string, number>;
  const fts5 = results.fts5 as Record<string, number>;
  const serve = results.serve as Record<string, Record<string, number> | number>;
  const recall = results.recall as Record<string, number>;
  const live = results.live as unknown as {
    idle: LoadWindow;
    update: LoadWindow;
    merge: LoadWindow;
    fresh: Record<string, number>;
    serving: Memory;
    builder: Record<string, Memory>;
  };
  const f = (value: number, digits = 1) => value.toFixed(digits);
  console.log(
    `\nFull build: ${f(build.buildSeconds as number, 0)} s, then ${build.merges} merges in ${f(build.mergeSeconds as number, 0)} s; peak RSS ${n(build.rssMb as number)} MB`,
  );
  console.log(
    `  ${build.segments} lexical segments, ${f(build.lexicalMb as number, 0)} MB; ${build.vectorSegments} vector segments, ${f(build.vectorMb as number, 0)} MB of rows + ${f(build.graphMb as number, 0)} MB of graphs`,
  );
  console.log(`  FTS5 baseline: ${f(fts5.buildSeconds as number, 0)} s, ${f(fts5.mb as number, 0)} MB`);
  console.log(
    `\nQuery latency, ms (${QUERIES} queries; the serving process loaded the index in ${f(serve.loadSeconds as number)} s)`,
  );
  console.log('| ranking                              |     p50 |     p95 |     p99 | p95 vs FTS5 |');
  console.log('|--------------------------------------|--------:|--------:|--------:|------------:|');
  const ms = (value: number) => value.toFixed(2).padStart(7);
  const row = (name: string, r: Record<string, number>) =>
    console.log(
      `| ${name.padEnd(36)} | ${ms(r.p50 as number)} | ${ms(r.p95 as number)} | ${ms(r.p99 as number)} | ${((r.p95 as number) / (fts5.p95 as number)).toFixed(3).padStart(11)} |`,
    );
  row('baseline: SQLite FTS5 bm25(), top 10', fts5 as Record<string, number>);
  for (const mode of ['lexical', 'semantic', 'hybrid'])
    row(`OpenPapers ${mode}`, serve[mode] as Record<string, number>);
  const typos = serve.typos as Record<string, number> | undefined;
  if (typos) {
    row('OpenPapers lexical, a typo in each', typos);
    console.log(`  (spelling corrected ${typos.corrected} of ${QUERIES} queries with a typo)`);
  }
  console.log(
    `\nANN recall@10 against exact search: ${f(recall.recallAt10 as number, 3)} (${recall.queries} queries)`,
  );
  console.log(
    `Serving RSS: ${n(serve.rssMb as number)} MB in process; the live server's peak ${n(live.serving.peakMb)} MB`,
  );
  for (const [name, memory] of [
    ['in process', serve.memory],
    ['the live server', live.serving],
  ] as const) {
    // Older runs' figures lack the parts.
    if (typeof memory === 'object' && 'anonMb' in memory)
      console.log(
        `  ${name}, at the end: ${n(memory.anonMb)} MB its own, ${n(memory.fileMb)} MB of mapped index files`,
      );
  }
  console.log(`Index builder peak RSS: ${n(live.builder.afterMerge?.peakMb ?? 0)} MB`);
  const fresh = live.fresh;
  console.log(
    `\nFreshness: 1,000 new papers found by keyword ${f(fresh.keywordSeconds as number)} s after their ingest ended (ingest ${f(fresh.ingestSeconds as number)} s);`,
  );
  console.log(
    `  by meaning ${f(fresh.semanticSeconds as number)} s after their embedding ended (embedding ${f(fresh.embedSeconds as number)} s); a full rebuild takes ${f(build.buildSeconds as number, 0)} s`,
  );
  console.log('\nAvailability under load (8 connections searching, hybrid, every query new; 2 on /healthz)');
  console.log(
    '| window                      | search p50 | search p99 | searches | errors | healthz p99 | errors | longest stall |',
  );
  console.log(
    '|-----------------------------|-----------:|-----------:|---------:|-------:|------------:|-------:|--------------:|',
  );
  for (const [name, window] of [
    ['idle', live.idle],
    ['while 1,000 papers update', live.update],
    ['while segments merge', live.merge],
  ] as const) {
    const s = window.searches as Load;
    const h = window.healthz as Load;
    const stall = window.loop ? `${window.loop.maxMs} ms` : '–';
    console.log(
      `| ${name.padEnd(27)} | ${String(s.p50).padStart(10)} | ${String(s.p99).padStart(10)} | ${String(s.requests).padStart(8)} | ${String(s.errors).padStart(6)} | ${String(h.p99).padStart(11)} | ${String(h.errors).padStart(6)} | ${stall.padStart(13)} |`,
    );
  }
  for (const [name, window] of Object.entries({ idle: live.idle, update: live.update, merge: live.merge })) {
    for (const [what, load] of [
      ['searches', window.searches],
      ['healthz', window.healthz],
    ] as const) {
      if (load.errors > 0 && load.kinds) {
        const statuses = Object.entries(load.kinds.statuses).map(([code, count]) => `${count}× ${code}`);
        console.log(
          `  ${what} errors (${name}): ${load.kinds.connection} connection errors, ${load.kinds.timeouts} time-outs${statuses.length ? `, ${statuses.join(', ')}` : ''}`,
        );
      }
    }
  }
  const p95 = (mode: string) => (serve[mode] as Record<string, number>).p95 as number;
  const idleP99 = (live.idle.searches as Load).p99;
  const goals = [
    ['hybrid p95 ≤ 50 ms', p95('hybrid') <= 50],
    ['lexical p95 ≤ 20 ms', p95('lexical') <= 20],
    ['ANN recall@10 ≥ 0.95', (recall.recallAt10 as number) >= 0.95],
    ['serving RSS ≤ 2 GB', Math.max(serve.rssMb as number, live.serving.peakMb) <= 2048],
    ['full rebuild peak RSS ≤ 4 GB', (build.rssMb as number) <= 4096],
    [
      'index builder peak ≤ serving RSS + 500 MB',
      (live.builder.afterMerge?.peakMb ?? Infinity) <=
        Math.max(serve.rssMb as number, live.serving.peakMb) + 500,
    ],
    ['fresh by keyword ≤ 10 s', (fresh.keywordSeconds as number) <= 10],
    ['fresh by meaning ≤ 10 s', (fresh.semanticSeconds as number) <= 10],
    ['search p99 during the update within 2× idle', (live.update.searches as Load).p99 <= 2 * idleP99],
    ['search p99 during merges within 2× idle', (live.merge.searches as Load).p99 <= 2 * idleP99],
    [
      'no errors under load',
      [live.idle, live.update, live.merge].every(
        (w) => (w.searches as Load).errors + (w.healthz as Load).errors === 0,
      ),
    ],
  ] as const;
  for (const [goal, met] of goals) console.log(`${met ? 'met   ' : 'MISSED'} ${goal}`);
}

await main();
