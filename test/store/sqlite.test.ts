import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
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
