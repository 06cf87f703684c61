import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { startPaperReader } from '../../src/adapters/storage/sqlite/paper-reader.js';
import { SqliteStore } from '../../src/adapters/storage/sqlite/store.js';
import { emptyRecord } from '../../src/core/paper.js';
import { tempDir } from '../helpers.js';
import { storeConformance } from './conformance.js';
import { storeRaces } from './races.js';

storeConformance('SQLite', async (t) => {
  const store = new SqliteStore(join(tempDir(t), 'papers.db'));
  t.after(() => store.close());
  return store;
});

storeConformance('SQLite, papers read on a thread', async (t) => {
  const store = new SqliteStore(join(tempDir(t), 'papers.db'), { readPapersOnThread: true });
  t.after(() => store.close());
  return store;
});

test('SQLite: the paper reader thread reads what the store committed, including what it wrote later', async (t) => {
  const path = join(tempDir(t), 'papers.db');
  const store = new SqliteStore(path);
  t.after(() => store.close());
  await store.upsertPapers([{ ...emptyRecord('2406.00001'), title: 'First' }], 'now');
  const reader = startPaperReader(path);
  t.after(() => reader.close());
  const titles = async (ids: string[]) =>
    (await reader.read(ids)).map((row) => `${row.id} ${row.title}`).sort();
  assert.deepEqual(await titles(['2406.00001', '2406.09999']), ['2406.00001 First']);
  await store.upsertPapers(
    [
      { ...emptyRecord('2406.00001'), title: 'First, revised' },
      { ...emptyRecord('2406.00002'), title: 'Second' },
    ],
    'later',
  );
  assert.deepEqual(await titles(['2406.00002', '2406.00001']), [
    '2406.00001 First, revised',
    '2406.00002 Second',
  ]);
  // More ids than one statement takes.
  const many = Array.from({ length: 1_200 }, (_, i) => `2407.${String(i).padStart(5, '0')}`);
  await store.upsertPapers(
    many.map((id) => ({ ...emptyRecord(id), title: `Paper ${id}` })),
    'later',
  );
  assert.equal((await reader.read(many)).length, many.length);
  assert.equal(reader.stopped, false);
  await reader.close();
  assert.equal(reader.stopped, true);
  await assert.rejects(reader.read(['2406.00001']), /paper reader thread stopped/);
});

storeRaces('SQLite', async (t) => {
  const path = join(tempDir(t), 'papers.db');
  const stores = [new SqliteStore(path), new SqliteStore(path)] as const;
  t.after(async () => {
    await stores[0].close();
    await stores[1].close();
  });
  return [...stores];
});

test('SQLite: papers survive closing and reopening the file; migrations run once', async (t) => {
  const path = join(tempDir(t), 'papers.db');
  const first = new SqliteStore(path);
  await first.upsertPapers([{ ...emptyRecord('2406.00001'), title: 'Kept' }], 'now');
  await first.close();
  const second = new SqliteStore(path);
  t.after(() => second.close());
  assert.equal((await second.getPaper('2406.00001'))?.title, 'Kept');
});
