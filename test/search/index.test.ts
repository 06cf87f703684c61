import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { IndexUpdater } from '../../src/app/indexing.js';
import type { IndexSnapshot, PaperStore } from '../../src/app/ports.js';
import {
  collectGarbage,
  readCurrent,
  readManifest,
  type Manifest,
} from '../../src/adapters/search/index-folder.js';
import { IndexFolderLocation } from '../../src/adapters/search/index-location.js';
import { startGraphThread } from '../../src/adapters/search/graph-thread.js';
import { SegmentedIndexReader } from '../../src/adapters/search/index-reader.js';
import { readInTurns } from '../../src/adapters/search/vector-segments.js';
import { SqliteStore } from '../../src/adapters/storage/sqlite/store.js';
import {
  lexicalSearch,
  makeDocFilter,
  resolveQuery,
  type KeyFilter,
} from '../../src/core/search/lexical-search.js';
import { DEFAULT_MERGE_POLICY } from '../../src/core/search/merge-policy.js';
import { emptyRecord, type PaperRecord } from '../../src/core/paper.js';
import { plainQuery } from '../../src/core/search/query.js';
import type { LexicalSnapshot } from '../../src/core/search/snapshot.js';
import { CLI, random, tempDir } from '../helpers.js';
import { buildIndex } from '../search-index.js';

const WORDS =
  `attention transformer graph neural network diffusion model language retrieval sparse dense quantum
  spin lattice protein folding reinforcement learning policy gradient kernel convex optimization bayesian
  inference causal vision image segmentation speech audio robot control planning theorem proof sampling
  contrastive embedding benchmark dataset`.split(/\s+/);

/** Papers with random text; version 2 of a paper has other words and a later date. */
function paper(n: number, version: number, next: () => number): PaperRecord {
  const words = (count: number) =>
    Array.from({ length: count }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' ');
  return {
    ...emptyRecord(`2601.${String(n).padStart(5, '0')}`),
    title: words(4 + Math.floor(next() * 6)),
    abstract: words(30 + Math.floor(next() * 90)),
    authors: [`Ada ${['Lovelace', 'Byron', 'King'][n % 3]}`],
    categories: [['cs.LG', 'cs.CL', 'quant-ph'][n % 3] as string],
    versions: [{ version, date: `2026-01-${String(version).padStart(2, '0')}T00:00:00Z` }],
    published: '2026-01-01T00:00:00Z',
    updated: `2026-01-${String(version).padStart(2, '0')}T00:00:00Z`,
    announced: `2026-01-${String(1 + (n % 27)).padStart(2, '0')}`,
  };
}

const QUERIES = [
  'attention transformer',
  'graph neural network model',
  'quantum spin lattice',
  'protein folding diffusion sampling',
  'policy gradient reinforcement learning robot control',
  'bayesian inference causal',
  'image segmentation vision benchmark dataset',
  'convex optimization kernel theorem proof',
];

function ranking(snapshot: LexicalSnapshot, query: string, k = 50) {
  return lexicalSearch(snapshot, plainQuery(query), { k, today: '2026-02-01' }).map((hit) => [
    snapshot.paperIdOf(hit.key),
    hit.score,
  ]);
}

async function readerOf(dir: string): Promise<SegmentedIndexReader> {
  const reader = new SegmentedIndexReader(dir);
  await reader.refresh();
  return reader;
}

async function store(
  t: { after: (fn: () => void) => void },
  dir: string,
  name = 'papers.db',
): Promise<SqliteStore> {
  const opened = new SqliteStore(join(dir, name));
  t.after(() => void opened.close());
  return opened;
}

test('a segmented index with replaced papers and merges ranks exactly as one segment of the same papers', async (t) => {
  const dir = tempDir(t);
  const papers = await store(t, dir);
  const next = random(11);
  const small = { ...DEFAULT_MERGE_POLICY, floorDocs: 40, mergeFactor: 3 };
  const segmented = join(dir, 'segmented');
  // 1,200 papers in 12 batches; from the fourth batch on, each also brings new versions of 25 earlier papers.
  for (let batch = 0; batch < 12; batch++) {
    const records = Array.from({ length: 100 }, (_, i) => paper(batch * 100 + i, 1, next));
    if (batch >= 3) {
      for (let i = 0; i < 25; i++) records.push(paper(Math.floor(next() * batch * 100), 2 + batch, next));
    }
    await papers.upsertPapers(records, '2026-01-01T00:00:00Z');
    const writer = await new IndexFolderLocation(segmented, {
      writer: { lexicalPolicy: small },
    }).tryOpenWriter();
    assert.ok(writer);
    await new IndexUpdater({ store: papers, writer, models: [] }).catchUp();
    writer.scheduleMerges();
    await writer.settle();
    await writer.close();
  }
  const manifest = await readManifest(segmented, readCurrent(segmented) as number);
  assert.ok(manifest.segments.length >= 2, `${manifest.segments.length} segments`);
  assert.ok(
    manifest.segments.some((s) => s.live < s.docs),
    'some segments hold replaced documents',
  );
  assert.ok(manifest.segments.length < 12, `merges left ${manifest.segments.length} of 12 segments`);

  // The same papers as they are now, in one segment (a fresh index of the store).
  const whole = join(dir, 'whole');
  await buildIndex(papers, whole, []);
  const a = await readerOf(segmented);
  const b = await readerOf(whole);
  const left = a.current()?.lexical as LexicalSnapshot;
  const right = b.current()?.lexical as LexicalSnapshot;
  assert.equal(right.segments.length, 1);
  assert.equal(left.docCount, 1_200);
  assert.equal(right.docCount, 1_200);
  assert.deepEqual([...left.stats.averages], [...right.stats.averages]);
  for (const query of QUERIES) assert.deepEqual(ranking(left, query), ranking(right, query), query);
  a.close();
  b.close();
});

test('a reader keeps answering from the files it opened while a merge replaces them', async (t) => {
  const dir = tempDir(t);
  const papers = await store(t, dir);
  const next = random(5);
  const index = join(dir, 'index');
  const location = new IndexFolderLocation(index, {
    writer: { lexicalPolicy: { ...DEFAULT_MERGE_POLICY, floorDocs: 10, mergeFactor: 4 } },
  });
  for (let batch = 0; batch < 4; batch++) {
    await papers.upsertPapers(
      Array.from({ length: 50 }, (_, i) => paper(batch * 50 + i, 1, next)),
      '2026-01-01T00:00:00Z',
    );
    const writer = await location.tryOpenWriter();
    assert.ok(writer);
    await new IndexUpdater({ store: papers, writer, models: [] }).catchUp();
    await writer.close();
  }
  const reader = await readerOf(index);
  const before = reader.current()?.lexical as LexicalSnapshot;
  assert.equal(before.segments.length, 4);
  const expected = QUERIES.map((query) => ranking(before, query));

  const writer = await location.tryOpenWriter();
  assert.ok(writer);
  assert.ok(writer.scheduleMerges());
  await writer.settle();
  await writer.close();
  // Collect at once: the files the reader opened are gone from the folder.
  const manifest = await readManifest(index, readCurrent(index) as number);
  await collectGarbage(index, [manifest], 0);
  assert.equal(manifest.segments.length, 1);
  assert.ok(!existsSync(join(index, 'seg-000001.post')));
  assert.deepEqual(
    QUERIES.map((query) => ranking(before, query)),
    expected,
    'the old snapshot answers from its open files',
  );
  assert.ok(await reader.refresh());
  const after = reader.current()?.lexical as LexicalSnapshot;
  assert.equal(after.segments.length, 1);
  assert.deepEqual(
    QUERIES.map((query) => ranking(after, query)),
    expected,
    'the merged index ranks the same',
  );
  reader.close();
});

function runIndexUpdate(db: string): { done: Promise<number | null>; kill: () => void } {
  const child = spawn(process.execPath, [CLI, '--db', db, 'index', 'update', '--segment-docs', '1000'], {
    env: { ...process.env, OPENPAPERS_EMBED_MODEL: '/nonexistent-model' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const done = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      if (code !== 0 && code !== 8 && code !== null) process.stderr.write(stderr);
      resolve(code);
    }),
  );
  return { done, kill: () => child.kill('SIGKILL') };
}

async function fill(papers: PaperStore, count: number): Promise<void> {
  const next = random(3);
  for (let start = 0; start < count; start += 1_000) {
    await papers.upsertPapers(
      Array.from({ length: Math.min(1_000, count - start) }, (_, i) => paper(start + i, 1, next)),
      '2026-01-01T00:00:00Z',
    );
  }
}

test('a builder killed with SIGKILL leaves the published index usable, and the next run completes', async (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'papers.db');
  const papers = await store(t, dir);
  await fill(papers, 6_000);
  const index = `${db}.search`;
  // Segments of 1,000, so that a run publishes several generations before it ends. Some runs are killed
  // at once, some after a moment, some right after they published a generation.
  const generations: number[] = [];
  for (const when of ['at once', 250, 'after a publish', 600, 'after a publish', 'after a publish']) {
    const run = runIndexUpdate(db);
    let exited = false;
    void run.done.then(() => (exited = true));
    const before = readCurrent(index);
    if (when === 'after a publish') {
      while (readCurrent(index) === before && !exited) await new Promise((resolve) => setTimeout(resolve, 5));
    } else if (typeof when === 'number') await new Promise((resolve) => setTimeout(resolve, when));
    run.kill();
    await run.done;
    const generation = readCurrent(index);
    if (generation === null) continue;
    generations.push(generation);
    const reader = await readerOf(index);
    const snapshot = reader.current();
    assert.ok(snapshot, `generation ${generation} opens after a kill ${when}`);
    assert.ok(snapshot.lexical.docCount <= 6_000);
    const complete = snapshot.lexical.docCount === 6_000;
    reader.close();
    if (complete) break;
  }
  const finished = runIndexUpdate(db);
  assert.equal(await finished.done, 0);
  const reader = await readerOf(index);
  const snapshot = reader.current();
  assert.ok(snapshot);
  assert.equal(snapshot.lexical.docCount, 6_000, 'every paper once: nothing lost, nothing doubled');
  assert.equal(ranking(snapshot.lexical, 'quantum spin lattice', 6_000).length > 0, true);
  assert.equal(snapshot.lexical.keyOf('2601.05999') >= 0, true);
  reader.close();
  assert.ok(generations.length > 0, 'some run was killed after publishing');
});

test('garbage collection keeps the writer’s own temporary files however old, and removes a dead writer’s', async (t) => {
  const index = join(tempDir(t), 'index');
  mkdirSync(index);
  const hourAgo = new Date(Date.now() - 3_600_000);
  const files = {
    // A large vector segment's rows wait for its graph, which takes longer than any age limit at 2.6M.
    own: `vec-0a-000029.rows.${process.pid}.tmp`,
    dead: `vec-0a-000017.rows.${process.pid + 1}.tmp`,
    deadRecent: `seg-000018.post.${process.pid + 1}.tmp`,
    unreferenced: 'seg-000003.lex',
  };
  for (const name of Object.values(files)) {
    writeFileSync(join(index, name), 'x');
    if (name !== files.deadRecent) utimesSync(join(index, name), hourAgo, hourAgo);
  }
  // A generation that needs none of them (collectGarbage reads only its segments and vectors).
  const empty = { segments: [], vectors: {} } as unknown as Manifest;
  assert.equal(await collectGarbage(index, [empty]), 2);
  assert.ok(existsSync(join(index, files.own)), 'this writer’s work in progress stays');
  assert.ok(
    existsSync(join(index, files.deadRecent)),
    'another writer’s recent file waits out the age limit',
  );
  assert.ok(!existsSync(join(index, files.dead)));
  assert.ok(!existsSync(join(index, files.unreferenced)));
});

test('two builders started at once leave one valid index', async (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'papers.db');
  const papers = await store(t, dir);
  await fill(papers, 3_000);
  const runs = [runIndexUpdate(db), runIndexUpdate(db)];
  const codes = await Promise.all(runs.map((run) => run.done));
  assert.ok(codes.includes(0), `exit statuses ${codes.join(', ')}`);
  assert.ok(
    codes.every((code) => code === 0 || code === 8),
    `exit statuses ${codes.join(', ')}`,
  );
  const reader = await readerOf(`${db}.search`);
  assert.equal(reader.current()?.lexical.docCount, 3_000);
  reader.close();
  // The one left behind says why, and a later run finds nothing to do.
  const again = runIndexUpdate(db);
  assert.equal(await again.done, 0);
});

test('vectors whose count is a multiple of the page and the batch are all published', async (t) => {
  const dir = tempDir(t);
  const papers = await store(t, dir);
  const next = random(5);
  await papers.upsertPapers(
    Array.from({ length: 40 }, (_, i) => paper(i, 1, next)),
    '2026-01-01T00:00:00Z',
  );
  const ids = (await papers.listPapers({ limit: 100 })).map((p) => p.id);
  await papers.putEmbeddings(
    'test-model',
    ids.map((paperId) => ({
      paperId,
      textHash: 'h',
      vector: Float32Array.from({ length: 8 }, () => next() - 0.5),
    })),
  );
  const folder = join(dir, 'index');
  const writer = await new IndexFolderLocation(folder).tryOpenWriter();
  assert.ok(writer);
  // 40 vectors: the batch of 20 fills twice, and the last page read (the third, of 10) is empty.
  const counts = await new IndexUpdater({
    store: papers,
    writer,
    models: ['test-model'],
    pageSize: 10,
    vectorBatch: 20,
  }).catchUp();
  await writer.settle();
  await writer.close();
  assert.deepEqual(counts, { papers: 40, vectors: 40 });
  const reader = new SegmentedIndexReader(folder);
  t.after(() => reader.close());
  await reader.refresh();
  assert.equal(reader.current()?.vectors('test-model')?.size, 40);
});

test('vector searches that walk their graphs on the graph thread rank exactly as on the caller’s thread', async (t) => {
  const dir = tempDir(t);
  const papers = await store(t, dir);
  const next = random(17);
  const vector = () => Float32Array.from({ length: 16 }, () => next() - 0.5);
  const folder = join(dir, 'index');
  // Two vector segments, the first with rows replaced by newer vectors of the same papers.
  for (const batch of [0, 1]) {
    const records = Array.from({ length: 300 }, (_, i) => paper(batch * 300 + i, 1, next));
    await papers.upsertPapers(records, '2026-01-01T00:00:00Z');
    const ids = records.map((record) => record.id);
    if (batch === 1) for (let i = 0; i < 40; i++) ids.push(`2601.${String(i * 7).padStart(5, '0')}`);
    await papers.putEmbeddings(
      'test-model',
      ids.map((paperId) => ({ paperId, textHash: `h${batch}`, vector: vector() })),
    );
    await buildIndex(papers, folder, ['test-model']);
  }
  const here = await readerOf(folder);
  const graphs = startGraphThread();
  const away = new SegmentedIndexReader(folder, { graphs });
  const failing = new SegmentedIndexReader(folder, {
    graphs: { search: () => Promise.reject(new Error('no thread')), forget: () => undefined },
  });
  t.after(() => [here, away, failing].forEach((reader) => reader.close()));
  await away.refresh();
  await failing.refresh();
  const manifest = await readManifest(folder, readCurrent(folder) as number);
  const segments = Object.values(manifest.vectors)[0]?.segments ?? [];
  assert.ok(segments.length >= 2 && segments.some((s) => s.live < s.count), JSON.stringify(segments));

  const lexical = here.current()?.lexical as LexicalSnapshot;
  const narrow = makeDocFilter(
    lexical,
    resolveQuery(lexical, plainQuery('+quantum +spin'), { today: '2026-02-01' }),
  );
  const filters: (KeyFilter | null)[] = [null, (key) => key % 3 === 0, narrow];
  for (let q = 0; q < 20; q++) {
    const query = vector();
    for (const accept of filters) {
      const expected = here.current()?.vectors('test-model')?.search(query, 10, accept);
      assert.ok(expected && expected.length === 10);
      assert.deepEqual(await away.current()?.vectors('test-model')?.searchAsync(query, 10, accept), expected);
      assert.deepEqual(
        await failing.current()?.vectors('test-model')?.searchAsync(query, 10, accept),
        expected,
      );
    }
  }
  // Searches asked just before their reader closes (and the thread forgets its graphs, possibly with
  // rows still being read) are answered in full.
  const queries = Array.from({ length: 5 }, vector);
  const expected = queries.map((query) => here.current()?.vectors('test-model')?.search(query, 10, null));
  const asked = queries.map((query) => away.current()?.vectors('test-model')?.searchAsync(query, 10, null));
  away.close();
  assert.deepEqual(await Promise.all(asked), expected);
});

test('a filter that accepts too many papers to score one by one is never tested row by row, on either thread', async (t) => {
  const dir = tempDir(t);
  const papers = await store(t, dir);
  const next = random(41);
  const rows = 3_000;
  const records = Array.from({ length: rows }, (_, i) => paper(i, 1, next));
  await papers.upsertPapers(records, '2026-01-01T00:00:00Z');
  await papers.putEmbeddings(
    'test-model',
    records.map((record) => ({
      paperId: record.id,
      textHash: 'h',
      vector: Float32Array.from({ length: 16 }, () => next() - 0.5),
    })),
  );
  const folder = join(dir, 'index');
  await buildIndex(papers, folder, ['test-model']);
  const here = await readerOf(folder);
  const graphs = startGraphThread();
  const away = new SegmentedIndexReader(folder, { graphs });
  t.after(() => [here, away].forEach((reader) => reader.close()));
  await away.refresh();

  // Few enough papers pass that no walk finds ten of them, so every search widens its walk to the end.
  let tests = 0;
  const passes = (key: number) => {
    tests++;
    return key % 400 === 7;
  };
  const broad: KeyFilter = Object.assign((key: number) => passes(key), { enumerate: () => null });
  const testedRowByRow: KeyFilter = (key: number) => passes(key);
  const passing = Array.from({ length: rows }, (_, key) => key).filter((key) => key % 400 === 7);
  for (let q = 0; q < 5; q++) {
    const query = Float32Array.from({ length: 16 }, () => next() - 0.5);
    const vectors = [here, away].map((reader) => reader.current()?.vectors('test-model'));
    const [sync, async] = vectors;
    assert.ok(sync && async);

    // Without a list of what it accepts, the filter's papers are all found and scored exactly.
    tests = 0;
    const exact = sync.search(query, 10, testedRowByRow);
    assert.ok(tests >= rows, `${tests} tests`);
    assert.deepEqual(
      exact.map((hit) => hit.key).sort((a, b) => a - b),
      passing.filter((key) => sync.vector(key) !== null),
    );
    assert.deepEqual(await async.searchAsync(query, 10, testedRowByRow), exact);

    // A broad filter takes what the widest walk found, and is tested only on the rows the walks found.
    for (const search of [() => sync.search(query, 10, broad), () => async.searchAsync(query, 10, broad)]) {
      tests = 0;
      const hits = await search();
      assert.ok(tests < rows, `${tests} tests for ${rows} rows`);
      assert.ok(hits.every((hit) => passes(hit.key)));
      assert.deepEqual(
        hits,
        exact.filter((hit) => hits.some((found) => found.key === hit.key)),
      );
    }
  }
});

test('the rows of a narrow filter are read a bounded number at a time, the event loop turning between them', async () => {
  const rows = Array.from({ length: 1_000 }, (_, i) => i);
  let issued = 0;
  let inFlight = 0;
  let most = 0;
  let issuedWhenTheLoopTurned = -1;
  setImmediate(() => (issuedWhenTheLoopTurned = issued));
  const read = (row: number) => {
    issued++;
    most = Math.max(most, ++inFlight);
    return new Promise<number>((resolve) =>
      setImmediate(() => {
        inFlight--;
        resolve(row * 2);
      }),
    );
  };
  assert.deepEqual(
    await readInTurns(rows, read),
    rows.map((row) => row * 2),
  );
  assert.ok(most > 1 && most < rows.length, `at most ${most} reads in flight`);
  assert.ok(
    issuedWhenTheLoopTurned >= 0 && issuedWhenTheLoopTurned < rows.length,
    `${issuedWhenTheLoopTurned} reads issued before the event loop turned`,
  );
});

test('posting lists prefetched for a query are served from memory, without reading the file again', async (t) => {
  const dir = tempDir(t);
  const papers = await store(t, dir);
  const next = random(29);
  await papers.upsertPapers(
    Array.from({ length: 400 }, (_, i) => paper(i, 1, next)),
    '2026-01-01T00:00:00Z',
  );
  const folder = join(dir, 'index');
  await buildIndex(papers, folder, []);
  const expected = ranking((await readerOf(folder)).current()?.lexical as LexicalSnapshot, 'quantum spin');
  // Lists read from the file one at a time, as for segments too large to hold whole.
  const reader = new SegmentedIndexReader(folder, { residentPostingsBytes: 0 });
  t.after(() => reader.close());
  await reader.refresh();
  const snapshot = reader.current() as IndexSnapshot;
  await snapshot.prefetch(['quantum', 'spin']);
  // The posting files lose their contents: only what was prefetched can still be read.
  for (const name of readdirSync(folder).filter((file) => file.endsWith('.post'))) {
    truncateSync(join(folder, name), 0);
  }
  assert.deepEqual(ranking(snapshot.lexical, 'quantum spin'), expected);
  assert.throws(() => ranking(snapshot.lexical, 'protein folding'), /is truncated/);
});
