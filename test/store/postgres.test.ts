import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PostgresStore } from '../../src/adapters/storage/postgres/store.js';
import { emptyRecord } from '../../src/core/paper.js';
import { freshDatabase, postgresUnavailable } from '../postgres.js';
import { storeConformance } from './conformance.js';
import { storeRaces } from './races.js';

const unavailable = postgresUnavailable();

storeConformance(
  'PostgreSQL',
  async (t) => {
    const store = await PostgresStore.open(await freshDatabase());
    t.after(() => store.close());
    return store;
  },
  { skip: unavailable },
);

storeRaces(
  'PostgreSQL',
  async (t) => {
    const url = await freshDatabase();
    const stores = [await PostgresStore.open(url), await PostgresStore.open(url)] as const;
    t.after(async () => {
      await stores[0].close();
      await stores[1].close();
    });
    return [...stores];
  },
  { skip: unavailable },
);

test(
  'PostgreSQL: papers survive reconnecting; two processes opening a new database migrate it once',
  { skip: unavailable ?? false },
  async (t) => {
    const url = await freshDatabase();
    const [first, second] = await Promise.all([PostgresStore.open(url), PostgresStore.open(url)]);
    await first.upsertPapers([{ ...emptyRecord('2406.00001'), title: 'Kept' }], 'now');
    await first.close();
    await second.close();
    const third = await PostgresStore.open(url);
    t.after(() => third.close());
    assert.equal((await third.getPaper('2406.00001'))?.title, 'Kept');
  },
);
