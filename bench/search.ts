/**
 * `npm run bench:search`: search at the size of all of arXiv. A corpus of 1,000,000 papers — the 74,728 real
 * ones of the listing file, embedded with the real model, plus synthetic papers whose title and abstract
 * splice two real ones and whose vector blends theirs — is built once into a cache folder. Then, each in its
 * own process so that its peak RSS is its own:
 *
 * - index: builds the lexical index and the vector index (HNSW) and reports time and size on disk;
 * - fts5: builds SQLite FTS5 over the same papers and runs the same queries with its bm25() ranking — the
 *   baseline;
 * - serve: loads the indexes as `openpapers search` does and times lexical, semantic (query embedding
 *   included) and hybrid queries drawn from real titles, end to end (papers read, snippets made);
 * - recall: the HNSW graph's recall@10 against exact search over every vector.
 *
 *   npm run bench:search -- [--papers N] [--queries N] [--cache DIR] [--shared DIR] [--model DIR]
 *                           [--phases index,fts5,serve,recall]
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
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
import Database from 'better-sqlite3';
import { SearchService, type SearchMode } from '../src/app/search.js';
import { lazyEmbedder } from '../src/adapters/embed/open.js';
import { SearchIndexFolder } from '../src/adapters/search/index-files.js';
import { SqliteStore } from '../src/adapters/storage/sqlite/store.js';
import type { Paper, PaperRecord } from '../src/core/paper.js';
import { normalize } from '../src/core/search/vectors.js';
import { sharedDir } from '../scripts/shared-dir.js';
import { option, seededRandom } from './args.js';
import { prepareRealCorpus } from './real-corpus.js';

const PAPERS = Number(option('--papers', '1000000'));
const QUERIES = Number(option('--queries', '300'));
const CACHE = resolve(option('--cache', '.bench-cache/search'));
const DB = join(CACHE, `corpus-${PAPERS}.db`);
/** The real corpus is shared with the other benchmarks. */
const REAL_CACHE = resolve(CACHE, '..');
const INDEX_DIR = `${DB}.search`;
const TODAY = '2026-11-22';

function model(): string {
  return option(
    '--model',
    join(sharedDir(process.argv), 'models', 'converted', 'universal-sentence-encoder-lite'),
  );
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const rss = () => Math.round(process.resourceUsage().maxRSS / 1024);

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
  rmSync(DB, { force: true });
  copyFileSync(real, DB);
  const store = new SqliteStore(DB);
  const embedder = await lazyEmbedder({ model: model(), url: null, apiKey: null, cacheDir: CACHE })();
  try {
    const papers: Paper[] = [];
    for await (const paper of store.exportPapers()) papers.push(paper);
    const vectors = new Map<string, Float32Array>();
    for await (const { paperId, vector } of store.exportEmbeddings(embedder.key))
      vectors.set(paperId, vector);
    const synthetic = PAPERS - papers.length;
    log(`adding ${synthetic.toLocaleString('en-US')} synthetic papers`);
    const next = seededRandom(42);
    for (let start = 0; start < synthetic; start += 5000) {
      const records: PaperRecord[] = [];
      const embeddings = [];
      for (let i = start; i < Math.min(synthetic, start + 5000); i++) {
        const a = papers[Math.floor(next() * papers.length)] as Paper;
        const b = papers[Math.floor(next() * papers.length)] as Paper;
        const record = splice(a, b, i);
        records.push(record);
        embeddings.push({
          paperId: record.id,
          textHash: 'synthetic',
          vector: blend(vectors.get(a.id), vectors.get(b.id), next),
        });
      }
      await store.upsertPapers(records, `${TODAY}T00:00:00Z`);
      await store.putEmbeddings(embedder.key, embeddings);
      if (start % 100_000 === 0) log(`  ${start.toLocaleString('en-US')}`);
    }
    writeFileSync(done, `${PAPERS}\n`);
  } finally {
    await store.close();
  }
}

/** A synthetic paper: the first half of a's title and abstract, then the second half of b's. */
function splice(a: Paper, b: Paper, n: number): PaperRecord {
  const half = (text: string, first: boolean) => {
    const words = text.split(/\s+/);
    const middle = Math.ceil(words.length / 2);
    return (first ? words.slice(0, middle) : words.slice(middle)).join(' ');
  };
  return {
    ...a,
    id: `synthetic:${n}`,
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
  for (let j = 0; j < dims; j++) {
    out[j] = 0.6 * (a?.[j] ?? 0) + 0.4 * (b?.[j] ?? 0) + (next() - 0.5) * 0.02;
  }
  return normalize(out);
}

// ---------------------------------------------------------------------------------------------- phases

function service(store: SqliteStore): SearchService {
  return new SearchService({
    store,
    files: new SearchIndexFolder(INDEX_DIR),
    embedder: lazyEmbedder({ model: model(), url: null, apiKey: null, cacheDir: CACHE }),
    today: () => TODAY,
    onIndexing: (what, done, total) => {
      if (done % 100_000 === 0 || done === total)
        log(`  ${what} ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`);
    },
  });
}

function folderMb(dir: string, match: (name: string) => boolean): number {
  return readdirSync(dir)
    .filter(match)
    .reduce((sum, name) => sum + statSync(join(dir, name)).size / 1024 / 1024, 0);
}

async function indexPhase(): Promise<object> {
  rmSync(INDEX_DIR, { recursive: true, force: true });
  const store = new SqliteStore(DB);
  const search = service(store);
  let started = performance.now();
  await search.lexicalIndex();
  const lexicalSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  // The first semantic query opens (here: builds) the vector index.
  await search.search({ query: 'warm up', mode: 'semantic', limit: 1 });
  const vectorSeconds = (performance.now() - started) / 1000;
  await store.close();
  return {
    lexicalSeconds,
    vectorSeconds,
    lexicalMb: folderMb(INDEX_DIR, (n) => n.startsWith('lexical')),
    vectorMb: folderMb(INDEX_DIR, (n) => n.endsWith('.f32')),
    graphMb: folderMb(INDEX_DIR, (n) => n.endsWith('.usearch')),
    rssMb: rss(),
  };
}

/** Real titles, chosen at random (seeded), as plain-word queries. */
function queries(): string[] {
  const db = new Database(DB, { readonly: true });
  const titles = db
    .prepare<[], { title: string }>("SELECT title FROM papers WHERE id NOT LIKE 'synthetic:%' ORDER BY id")
    .all()
    .map((row) => row.title.replace(/\s+/g, ' '));
  db.close();
  const next = seededRandom(7);
  return Array.from({ length: QUERIES }, () => titles[Math.floor(next() * titles.length)] as string);
}

function percentiles(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

async function servePhase(): Promise<object> {
  const store = new SqliteStore(DB);
  const search = service(store);
  const started = performance.now();
  await search.lexicalIndex();
  await search.search({ query: 'warm up', mode: 'semantic', limit: 1 });
  const loadSeconds = (performance.now() - started) / 1000;
  const result: Record<string, unknown> = { loadSeconds };
  const list = queries();
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
  await store.close();
  result.rssMb = rss();
  return result;
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
  const list = queries().map((title) =>
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
  return { buildSeconds, mb: statSync(path).size / 1024 / 1024, ...percentiles(times), rssMb: rss() };
}

async function recallPhase(): Promise<object> {
  const store = new SqliteStore(DB);
  const search = service(store);
  const embedder = await lazyEmbedder({ model: model(), url: null, apiKey: null, cacheDir: CACHE })();
  const index = await search.lexicalIndex();
  const vectors = await search.vectorIndex();
  if (!vectors) throw new Error('no vector index');
  const dims = 512;
  const rows = index.docIds.length;
  const all = new Float32Array(rows * dims);
  for (let doc = 0; doc < rows; doc++) {
    const vector = vectors.vector(doc);
    if (vector) all.set(vector, doc * dims);
  }
  const list = queries().slice(0, 100);
  let found = 0;
  for (const query of list) {
    const q = await embedder.embedQuery(query);
    const exact: { doc: number; score: number }[] = [];
    for (let doc = 0; doc < rows; doc++) {
      let score = 0;
      const base = doc * dims;
      for (let j = 0; j < dims; j++) score += (all[base + j] as number) * (q[j] as number);
      if (exact.length < 10 || score > (exact[9] as { score: number }).score) {
        exact.push({ doc, score });
        exact.sort((a, b) => b.score - a.score);
        exact.length = Math.min(exact.length, 10);
      }
    }
    const ann = new Set(vectors.search(q, 10, null).map((hit) => hit.doc));
    found += exact.filter((hit) => ann.has(hit.doc)).length;
  }
  await store.close();
  return { recallAt10: found / (list.length * 10), queries: list.length };
}

function runPhase(name: string): Record<string, unknown> {
  log(`\n— ${name}`);
  const result = spawnSync(
    process.execPath,
    [fileURLToPath(import.meta.url), '--phase', name, ...process.argv.slice(2)],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 24,
    },
  );
  if (result.status !== 0) throw new Error(`phase ${name} failed`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

async function main(): Promise<void> {
  const phase = process.argv.indexOf('--phase');
  if (phase !== -1) {
    const name = process.argv[phase + 1];
    const result =
      name === 'prepare'
        ? (await prepare(), {})
        : name === 'index'
          ? await indexPhase()
          : name === 'serve'
            ? await servePhase()
            : name === 'fts5'
              ? fts5Phase()
              : await recallPhase();
    process.stdout.write(JSON.stringify(result));
    return;
  }
  console.log(
    `Search benchmark: ${PAPERS.toLocaleString('en-US')} papers, ${QUERIES} queries from real titles; cache ${CACHE}`,
  );
  runPhase('prepare');
  // Each phase's figures are kept, so that after a change to the query path `--phases serve,recall` measures
  // again without rebuilding (the table then says which figures are from an earlier run).
  const resultsFile = join(CACHE, `results-${PAPERS}.json`);
  const results = (existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : {}) as Record<
    string,
    Record<string, unknown>
  >;
  const phases = option('--phases', 'index,fts5,serve,recall').split(',');
  for (const name of ['index', 'fts5', 'serve', 'recall']) {
    if (phases.includes(name)) results[name] = { ...runPhase(name), at: new Date().toISOString() };
    else if (!results[name])
      throw new Error(`no earlier figures for the ${name} phase: run it (--phases ${name})`);
    else console.log(`(${name}: figures from the run of ${String(results[name]?.at)})`);
  }
  writeFileSync(resultsFile, JSON.stringify(results, null, 2));
  const index = results.index as Record<string, number>;
  const fts5 = results.fts5 as Record<string, number>;
  const serve = results.serve as Record<string, Record<string, number> | number>;
  const recall = results.recall as Record<string, number>;

  const ms = (n: number) => n.toFixed(2).padStart(7);
  const f = (n: number) => n.toFixed(1);
  console.log(`\nIndex build (${rssNote(index.rssMb as number)})`);
  console.log(
    `  lexical index: ${f(index.lexicalSeconds as number)} s, ${f(index.lexicalMb as number)} MB on disk`,
  );
  console.log(
    `  vector index:  ${f(index.vectorSeconds as number)} s, ${f(index.vectorMb as number)} MB of vectors + ${f(index.graphMb as number)} MB HNSW graph`,
  );
  console.log(`  FTS5 baseline: ${f(fts5.buildSeconds as number)} s, ${f(fts5.mb as number)} MB`);
  console.log(
    `\nQuery latency, ms (${QUERIES} queries; serving process loaded its indexes in ${f(serve.loadSeconds as number)} s)`,
  );
  console.log('| ranking                              |     p50 |     p95 |     p99 | p95 vs FTS5 |');
  console.log('|--------------------------------------|--------:|--------:|--------:|------------:|');
  const row = (name: string, r: Record<string, number>) =>
    console.log(
      `| ${name.padEnd(36)} | ${ms(r.p50 as number)} | ${ms(r.p95 as number)} | ${ms(r.p99 as number)} | ${((r.p95 as number) / (fts5.p95 as number)).toFixed(2).padStart(11)} |`,
    );
  row('baseline: SQLite FTS5 bm25(), top 10', fts5 as Record<string, number>);
  for (const mode of ['lexical', 'semantic', 'hybrid'])
    row(`OpenPapers ${mode}`, serve[mode] as Record<string, number>);
  console.log(
    `\nANN recall@10 against exact search: ${(recall.recallAt10 as number).toFixed(3)} (${recall.queries} queries)`,
  );
  console.log(`peak RSS: serving ${serve.rssMb} MB; FTS5 ${fts5.rssMb} MB`);
  const p95 = (mode: string) => (serve[mode] as Record<string, number>).p95 as number;
  const goals = [
    ['hybrid p95 ≤ 50 ms', p95('hybrid') <= 50],
    ['lexical p95 ≤ 20 ms', p95('lexical') <= 20],
    ['ANN recall@10 ≥ 0.95', (recall.recallAt10 as number) >= 0.95],
    ['serving RSS ≤ 2 GB', (serve.rssMb as number) <= 2048],
  ] as const;
  for (const [goal, met] of goals) console.log(`${met ? 'met   ' : 'MISSED'} ${goal}`);
}

function rssNote(mb: number): string {
  return `peak RSS while building ${mb} MB`;
}

await main();
