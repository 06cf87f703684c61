import assert from 'node:assert/strict';
import { createReadStream, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { before, test } from 'node:test';
import { createGunzip } from 'node:zlib';
import { embedMissing } from '../../src/app/embed.js';
import { ingestSource } from '../../src/app/ingest.js';
import type { Embedder, PaperStore } from '../../src/app/ports.js';
import { loadTransformersEmbedder } from '../../src/adapters/embed/transformers.js';
import { readCurrent } from '../../src/adapters/search/index-folder.js';
import { readSource } from '../../src/adapters/sources/formats.js';
import { SqliteStore } from '../../src/adapters/storage/sqlite/store.js';
import { OpenPapersError } from '../../src/core/errors.js';
import { paperDay } from '../../src/core/paper.js';
import { parseQuery, queryText } from '../../src/core/search/query.js';
import { analyze } from '../../src/core/search/tokenize.js';
import { REPO_ROOT, sharedPath, tempDir } from '../helpers.js';
import { buildIndex, searchOver } from '../search-index.js';

const MODEL = sharedPath('models', 'converted', 'universal-sentence-encoder-lite');
const TODAY = '2026-07-01';
type Json = Record<string, unknown>;

let demo: Json[];
let embedder: Embedder;
before(async () => {
  demo = [];
  const lines = createInterface({
    input: createReadStream(join(REPO_ROOT, 'demo', 'papers.jsonl.gz')).pipe(createGunzip()),
  });
  for await (const line of lines) demo.push(JSON.parse(line) as Json);
  embedder = await loadTransformersEmbedder(MODEL, '/nonexistent-cache');
});

async function ingest(store: PaperStore, dir: string, papers: Json[]): Promise<void> {
  const file = join(dir, `papers-${Math.random().toString(36).slice(2)}.jsonl`);
  writeFileSync(file, papers.map((p) => JSON.stringify(p)).join('\n'));
  const source = { name: file, path: file, size: statSync(file).size, found: false };
  const counts = await ingestSource(store, file, readSource(source, 'openpapers'), {
    now: () => `${TODAY}T00:00:00Z`,
  });
  assert.equal(counts.rejected, 0);
}

/** Indexes the store into `dir` (vectors of the test model; large segments projected from `projectFrom`). */
async function service(
  store: PaperStore,
  dir: string,
  projectFrom = 20_000,
  load: () => Promise<Embedder> = async () => embedder,
) {
  await buildIndex(store, dir, [embedder.key], { vectors: { projectFrom } });
  return searchOver(store, dir, load, TODAY);
}

/** The k papers most like the query by exact cosine over every stored embedding. */
async function exactNeighbours(store: PaperStore, query: Float32Array, k: number): Promise<string[]> {
  const scored: { id: string; score: number }[] = [];
  for await (const { paperId, vector } of store.exportEmbeddings(embedder.key)) {
    let score = 0;
    for (let j = 0; j < vector.length; j++) score += (vector[j] as number) * (query[j] as number);
    scored.push({ id: paperId, score });
  }
  return scored
    .sort((a, b) => b.score - a.score)
    .slice(0, k)
    .map((hit) => hit.id);
}

async function corpus(t: { after: (fn: () => void) => void }, count: number) {
  const dir = tempDir(t);
  const store = new SqliteStore(join(dir, 'papers.db'));
  t.after(() => void store.close());
  await ingest(store, dir, demo.slice(0, count));
  await embedMissing(store, embedder);
  return { dir, store };
}

test('embed keeps what an interrupted run finished, re-embeds changed papers, and keeps models apart', async (t) => {
  const dir = tempDir(t);
  const store = new SqliteStore(join(dir, 'papers.db'));
  t.after(() => void store.close());
  await ingest(store, dir, demo.slice(0, 100));
  let calls = 0;
  const failing: Embedder = {
    ...embedder,
    embedDocuments: async (texts) => {
      if (++calls === 3) throw new Error('power cut');
      return embedder.embedDocuments(texts);
    },
  };
  await assert.rejects(embedMissing(store, failing, { batchSize: 16 }), /power cut/);
  const resumed = await embedMissing(store, embedder, { batchSize: 16 });
  assert.deepEqual(resumed, { papers: 100, embedded: 68, upToDate: 32 });

  const changed = { ...demo[5], abstract: `${String(demo[5]?.abstract)} A sentence added in a new version.` };
  await ingest(store, dir, [changed]);
  assert.deepEqual(
    await embedMissing(store, embedder),
    { papers: 1, embedded: 1, upToDate: 0 },
    'only what changed is read',
  );
  assert.deepEqual(await embedMissing(store, embedder), { papers: 0, embedded: 0, upToDate: 0 });
  const other: Embedder = { ...embedder, key: `${embedder.key}|other-model` };
  assert.deepEqual(await embedMissing(store, other), { papers: 100, embedded: 100, upToDate: 0 });
});

test('the HNSW graph finds what exact search finds, projected or not, with filters applied to the semantic side', async (t) => {
  const { dir, store } = await corpus(t, 600);
  // The graph against exact search, so without the model's similarity floor (which drops far neighbours).
  const noFloor = async () => ({ ...embedder, settings: { ...embedder.settings, semanticFloor: -1 } });
  const full = await service(store, join(dir, 'full'), 20_000, noFloor);
  const projected = await service(store, join(dir, 'projected'), 100, noFloor);
  const queries = demo.slice(600, 640).map((p) => String(p.title));
  for (const search of [full, projected]) {
    let overlap = 0;
    for (const query of queries) {
      const exact = new Set(await exactNeighbours(store, await embedder.embedQuery(query), 10));
      // Without spelling correction, which would embed a different text from the one embedded here.
      const found = await search.search({ query, mode: 'semantic', limit: 10, plain: true, spelling: false });
      assert.equal(found.mode, 'semantic');
      overlap += found.hits.filter((h) => exact.has(h.paper.id)).length;
      assert.ok(
        found.hits.every((h, i) => i === 0 || (found.hits[i - 1] as { score: number }).score >= h.score),
      );
    }
    assert.ok(overlap / (queries.length * 10) >= 0.95, `recall@10 ${overlap / (queries.length * 10)}`);
  }
  const meta = readFileSync(join(dir, 'projected', `vec-${readdirName(join(dir, 'projected'))}`));
  const projectedDims = Number(/"projectedDims":(\d+)/.exec(meta.toString('latin1'))?.[1]);
  // Projected within the default bounds, in whole steps of 32 (core/search/projection.ts).
  assert.ok(
    projectedDims >= 64 && projectedDims <= 256 && projectedDims % 32 === 0,
    `the large segment was projected (${projectedDims})`,
  );

  const category = 'cs.CV';
  for (const search of [full, projected]) {
    for (const mode of ['semantic', 'hybrid'] as const) {
      const filtered = await search.search({
        query: 'image segmentation',
        mode,
        limit: 20,
        categories: [category],
        from: '2026-07-01',
        to: '2026-07-01',
      });
      assert.ok(filtered.hits.length > 0);
      for (const hit of filtered.hits) {
        assert.ok(
          hit.paper.categories.includes(category),
          `${mode}: ${hit.paper.id} ${hit.paper.categories.join(' ')}`,
        );
        const day = paperDay(hit.paper) as string;
        assert.equal(day, '2026-07-01', mode);
      }
    }
    // A required word few papers hold: the semantic side ranks exactly those papers by exact cosine.
    const holders = new Set(
      demo
        .slice(0, 600)
        .filter((p) => analyze(`${String(p.title)} ${String(p.abstract)}`).includes('graph'))
        .map((p) => String(p.id)),
    );
    assert.ok(holders.size >= 10 && holders.size < 150, `${holders.size} papers hold the word`);
    const narrowQuery = 'image segmentation +graph';
    const embedded = await embedder.embedQuery(queryText(parseQuery(narrowQuery)));
    const exact = (await exactNeighbours(store, embedded, 600)).filter((id) => holders.has(id)).slice(0, 10);
    const narrow = await search.search({ query: narrowQuery, mode: 'semantic', limit: 10 });
    assert.deepEqual(
      narrow.hits.map((h) => h.paper.id),
      exact,
    );
  }
});

test('new papers and embeddings go into new segments, and search ranks as a rebuild would', async (t) => {
  const { dir, store } = await corpus(t, 400);
  const folder = join(dir, 'index');
  const probe = String(demo[420]?.title);
  const search = await service(store, folder);
  const before = readCurrent(folder) as number;
  assert.equal(
    (await search.search({ query: probe, mode: 'semantic', limit: 5, plain: true })).hits.length,
    5,
  );

  await ingest(store, dir, demo.slice(400, 450));
  await embedMissing(store, embedder);
  const counts = await buildIndex(store, folder, [embedder.key]);
  assert.deepEqual(counts, { papers: 50, vectors: 50 }, 'only what changed is read');
  const updated = await searchOver(store, folder, async () => embedder, TODAY);
  assert.ok((readCurrent(folder) as number) > before);
  const found = await updated.search({ query: probe, mode: 'semantic', limit: 5, plain: true });
  assert.equal(found.hits[0]?.paper.id, demo[420]?.id, 'a new paper is found by its own title');

  const rebuilt = await service(store, join(dir, 'rebuilt'));
  for (const query of [probe, 'graph neural networks', 'protein structure prediction']) {
    const a = await updated.search({ query, mode: 'hybrid', limit: 10 });
    const b = await rebuilt.search({ query, mode: 'hybrid', limit: 10 });
    assert.deepEqual(
      a.hits.map((h) => h.paper.id),
      b.hits.map((h) => h.paper.id),
      query,
    );
  }
});

test('similar papers: neighbours without the paper itself or its duplicates; lexical when not embedded', async (t) => {
  const { dir, store } = await corpus(t, 300);
  const original = demo[10] as Json;
  // The same paper again under another id, as a seed page or a BibTeX import gives it.
  await ingest(store, dir, [{ ...original, id: 'title:duplicate-of-10', doi: null }]);
  await embedMissing(store, embedder);
  const search = await service(store, join(dir, 'index'));
  const similar = await search.similar(String(original.id), 10);
  assert.equal(similar.mode, 'hybrid');
  assert.equal(similar.hits.length, 10);
  assert.ok(similar.hits.every((h) => h.paper.id !== original.id && h.paper.id !== 'title:duplicate-of-10'));
  assert.ok(similar.hits.every((h) => h.paper.title !== original.title));

  const unembedded = await service(store, join(dir, 'index2'), 20_000, async () => ({
    ...embedder,
    key: 'never-embedded',
  }));
  const lexical = await unembedded.similar(String(original.id), 5);
  assert.equal(lexical.mode, 'lexical');
  assert.match(lexical.notice ?? '', /no papers are embedded/);
  assert.equal(lexical.hits.length, 5);
  assert.ok(lexical.hits.every((h) => h.paper.id !== original.id && h.paper.id !== 'title:duplicate-of-10'));
  await assert.rejects(search.similar('2999.99999', 5), /no paper with id "2999.99999"/);
});

test('without a model, keyword search works and says why semantic search is off', async (t) => {
  const { dir, store } = await corpus(t, 200);
  const noModel = async (): Promise<Embedder> => {
    throw new OpenPapersError('OP_ERR_SEMANTIC', 'cannot load the embedding model /nowhere');
  };
  const search = await service(store, join(dir, 'index'), 20_000, noModel);
  const hybrid = await search.search({ query: String(demo[3]?.title), mode: 'hybrid', limit: 5 });
  assert.equal(hybrid.mode, 'lexical');
  assert.equal(
    hybrid.notice,
    'semantic search is off: cannot load the embedding model /nowhere; showing keyword results',
  );
  assert.equal(hybrid.hits[0]?.paper.id, demo[3]?.id);
  await assert.rejects(search.search({ query: 'attention', mode: 'semantic', limit: 5 }), (error: Error) => {
    assert.equal((error as OpenPapersError).code, 'OP_ERR_SEMANTIC');
    assert.equal(error.message, 'semantic search is off: cannot load the embedding model /nowhere');
    return true;
  });
});

/** The meta file of the folder's one vector segment. */
function readdirName(folder: string): string {
  const name = readdirSync(folder).find((n) => n.startsWith('vec-') && n.endsWith('.meta'));
  assert.ok(name, `a vector segment in ${folder}`);
  return name.slice('vec-'.length);
}
