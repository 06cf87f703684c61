/**
 * Similar papers computed ahead of time: the lists the index builder stores are the lists a live request
 * ranks, a new paper gets its list and enters its neighbours' lists, and a paper whose vector the index
 * has not published yet waits for it. Real SQLite store, real index folder.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Embedder } from '../../src/app/ports.js';
import { SimilarListUpdater } from '../../src/app/similar-lists.js';
import { SIMILAR_LIST_SIZE } from '../../src/app/search.js';
import { IndexFolderLocation } from '../../src/adapters/search/index-location.js';
import { SqliteStore } from '../../src/adapters/storage/sqlite/store.js';
import { modelSettings } from '../../src/core/search/model-settings.js';
import { emptyRecord, type PaperRecord } from '../../src/core/paper.js';
import { random, tempDir } from '../helpers.js';
import { buildIndex, searchOver } from '../search-index.js';

const MODEL = 'universal-sentence-encoder-lite';
const KEY = 'test-key';
const TOPICS = [
  'graph neural network message passing node classification',
  'protein folding structure prediction molecular dynamics',
  'quantum spin lattice entanglement ground state',
  'speech recognition acoustic model audio transcription',
  'reinforcement learning policy gradient robot control',
  'image segmentation convolutional vision benchmark',
];
const FILLER = 'we study propose method results show approach novel framework experiments'.split(' ');

/** A paper on one topic, its words shuffled among filler. */
function paper(n: number, topic: number, next: () => number): PaperRecord {
  const topicWords = (TOPICS[topic] as string).split(' ');
  const words = (count: number) =>
    Array.from({ length: count }, () =>
      next() < 0.6
        ? topicWords[Math.floor(next() * topicWords.length)]
        : FILLER[Math.floor(next() * FILLER.length)],
    ).join(' ');
  return {
    ...emptyRecord(`2601.${String(n).padStart(5, '0')}`),
    title: words(6),
    abstract: words(60),
    authors: ['Ada Lovelace'],
    categories: ['cs.LG'],
    published: '2026-01-01T00:00:00Z',
  };
}

/** A vector near its topic's direction, so that neighbours by meaning share the topic. */
function vector(topic: number, next: () => number): Float32Array {
  const v = Float32Array.from({ length: 16 }, (_, i) => (i === topic ? 1 : 0) + (next() - 0.5) * 0.6);
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

const embedder: Embedder = {
  model: MODEL,
  key: KEY,
  settings: modelSettings(MODEL),
  embedDocuments: () => Promise.reject(new Error('not used')),
  embedQuery: () => Promise.reject(new Error('not used')),
};

test('stored lists rank as a live request does; new papers get lists and enter their neighbours', async (t) => {
  const dir = tempDir(t);
  const store = new SqliteStore(join(dir, 'hub.db'));
  t.after(() => store.close());
  const next = random(3);
  const first = Array.from({ length: 240 }, (_, i) => paper(i, i % TOPICS.length, next));
  await store.upsertPapers(first, '2026-01-01T00:00:00Z');
  await store.putEmbeddings(
    KEY,
    first.map((record, i) => ({
      paperId: record.id,
      textHash: 'h',
      vector: vector(i % TOPICS.length, next),
    })),
  );
  const folder = join(dir, 'index');
  await buildIndex(store, folder, [KEY]);

  const search = await searchOver(store, folder, () => Promise.resolve(embedder), '2026-02-01');
  const sample = first.filter((_, i) => i % 23 === 0).map((record) => record.id);
  const live = new Map<string, string[]>();
  for (const id of sample)
    live.set(
      id,
      (await search.similar(id, 8)).hits.map((hit) => hit.paper.id),
    );

  const reader = new IndexFolderLocation(folder).openReader();
  t.after(() => reader.close());
  const updater = new SimilarListUpdater({
    store,
    index: reader,
    model: { key: KEY, settings: embedder.settings },
    pageSize: 50,
    // Lists are written after the first papers were seen and before the newcomer below.
    now: () => '2026-01-01T12:00:00Z',
  });
  const firstStep = await updater.step(100);
  assert.equal(firstStep.caughtUp, false, 'a step stops after about as many papers as it was given');
  assert.ok(firstStep.computed >= 100 && firstStep.computed < 150, JSON.stringify(firstStep));
  let rest = await updater.step(10_000);
  assert.equal(rest.caughtUp, true);
  assert.equal(firstStep.computed + rest.computed, 240);
  assert.deepEqual(await updater.step(), { computed: 0, neighboursUpdated: 0, caughtUp: true });

  const lists = await store.similarPapers(
    KEY,
    first.map((record) => record.id),
  );
  assert.equal(lists.size, 240);
  for (const [id, { similar: list }] of lists) {
    assert.equal(list.length, SIMILAR_LIST_SIZE);
    assert.ok(!list.some((entry) => entry.paperId === id), `${id} is not its own neighbour`);
    const topic = Number(id.slice(5)) % TOPICS.length;
    const onTopic = list
      .slice(0, 8)
      .filter((entry) => Number(entry.paperId.slice(5)) % TOPICS.length === topic);
    assert.ok(onTopic.length >= 7, `${id}: ${onTopic.length} of its first 8 on its topic`);
  }
  // The page now reads the stored list, and shows what a live request showed.
  for (const id of sample) {
    assert.deepEqual(
      (await search.similar(id, 8)).hits.map((hit) => hit.paper.id),
      live.get(id),
      id,
    );
  }
  // A request longer than a stored list is ranked live, and gets all it asked for.
  assert.equal((await search.similar(sample[0] as string, 40)).hits.length, 40);

  // A new paper on topic 0, embedded but not yet indexed, waits; once indexed, it is listed and enters
  // the lists of neighbours it ranks high in.
  const newcomer = paper(9_000, 0, next);
  await store.upsertPapers([newcomer], '2026-01-02T00:00:00Z');
  await store.putEmbeddings(KEY, [{ paperId: newcomer.id, textHash: 'h', vector: vector(0, next) }]);
  assert.deepEqual(await updater.step(), { computed: 0, neighboursUpdated: 0, caughtUp: false });
  await buildIndex(store, folder, [KEY]);
  rest = await updater.step();
  assert.equal(rest.computed, 1);
  assert.ok(rest.neighboursUpdated > 0, JSON.stringify(rest));
  const own = (await store.similarPapers(KEY, [newcomer.id])).get(newcomer.id)?.similar ?? [];
  assert.equal(own.length, SIMILAR_LIST_SIZE);
  const theirs = await store.similarPapers(
    KEY,
    own.map((entry) => entry.paperId),
  );
  const entered = [...theirs.values()]
    .map((list) => list.similar)
    .filter((list) => list.some((entry) => entry.paperId === newcomer.id));
  assert.equal(entered.length, rest.neighboursUpdated);
  for (const list of entered) {
    assert.equal(list.length, SIMILAR_LIST_SIZE, 'a list keeps its length');
    assert.deepEqual(
      list.map((entry) => entry.score),
      list.map((entry) => entry.score).sort((a, b) => b - a),
      'best first',
    );
  }
});

test('a step with a time budget stops when it is spent, with pages sized to fit, and the steps list every paper once', async (t) => {
  const dir = tempDir(t);
  const store = new SqliteStore(join(dir, 'hub.db'));
  t.after(() => store.close());
  const next = random(5);
  const papers = Array.from({ length: 60 }, (_, i) => paper(i, i % TOPICS.length, next));
  await store.upsertPapers(papers, '2026-01-01T00:00:00Z');
  await store.putEmbeddings(
    KEY,
    papers.map((record, i) => ({
      paperId: record.id,
      textHash: 'h',
      vector: vector(i % TOPICS.length, next),
    })),
  );
  const folder = join(dir, 'index');
  await buildIndex(store, folder, [KEY]);
  const reader = new IndexFolderLocation(folder).openReader();
  t.after(() => reader.close());
  // A clock on which each list costs 5 ms, spent when the page's lists are written.
  let now = 0;
  const written: string[] = [];
  const putSimilarPapers = store.putSimilarPapers.bind(store);
  const updater = new SimilarListUpdater({
    store: Object.assign(Object.create(store) as SqliteStore, {
      putSimilarPapers: (
        model: string,
        lists: Parameters<SqliteStore['putSimilarPapers']>[1],
        at: string,
      ) => {
        written.push(...lists.map((list) => list.paperId));
        now += 5 * lists.length;
        return putSimilarPapers(model, lists, at);
      },
    }),
    index: reader,
    model: { key: KEY, settings: embedder.settings },
    clock: () => now,
  });
  const steps = [];
  for (let i = 0; i < 100; i++) {
    const step = await updater.step(1_000, 20);
    steps.push(step.computed);
    if (step.caughtUp) break;
  }
  assert.ok(steps.length > 3, `a 20 ms budget takes several steps: ${steps.join(', ')}`);
  // The first page is a guess (an eighth of the budget per list); later pages hold what the budget allows.
  assert.deepEqual(steps.slice(0, 3), [8, 4, 4]);
  assert.equal(
    steps.reduce((sum, computed) => sum + computed, 0),
    60,
  );
  assert.deepEqual([...new Set(written)].sort(), papers.map((record) => record.id).sort());
  assert.equal(written.length, 60, 'no list is computed twice');
  assert.equal(
    (
      await store.similarPapers(
        KEY,
        papers.map((record) => record.id),
      )
    ).size,
    60,
  );
});
