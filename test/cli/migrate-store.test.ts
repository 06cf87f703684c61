/**
 * `openpapers migrate-store`: a hub with something in every table is copied from its SQLite file into a
 * real PostgreSQL server, and reads back through the port exactly as it did from SQLite; a copy killed
 * with SIGKILL mid-way resumes to the same result; a target that already holds a hub is refused.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import pg from 'pg';
import type { PaperStore } from '../../src/app/ports.js';
import { PostgresStore } from '../../src/adapters/storage/postgres/store.js';
import { SqliteStore } from '../../src/adapters/storage/sqlite/store.js';
import { emptyRecord, type PaperRecord } from '../../src/core/paper.js';
import { activeSubscriber, runCli, startCli, tempDir, until } from '../helpers.js';
import { freshDatabase, postgresUnavailable } from '../postgres.js';

const NOW = '2026-11-20T10:00:00.000Z';
const MODEL = 'test-model';

const paper = (i: number): PaperRecord => ({
  ...emptyRecord(`2611.${String(i).padStart(5, '0')}`),
  title: `Paper ${i} on ${i % 2 ? 'graphs' : 'language'}`,
  abstract: `The abstract of paper ${i}, with ünïcode and $x^2$.`,
  authors: ['Ada Lovelace', `Author ${i}`],
  categories: i % 3 ? ['cs.CL', 'cs.LG'] : ['math.NA'],
  published: `2026-11-${String(10 + (i % 10)).padStart(2, '0')}T00:00:00Z`,
  sources: ['test'],
});

/** A hub with rows in every table the copy carries. */
async function fillHub(store: PaperStore, papers: number): Promise<void> {
  const records = Array.from({ length: papers }, (_, i) => paper(i));
  for (let i = 0; i < records.length; i += 500) await store.upsertPapers(records.slice(i, i + 500), NOW);
  // A second version of one paper moves its revision past the others.
  await store.upsertPapers([{ ...paper(1), title: 'Paper 1, revised' }], NOW);
  const ids = records.map((record) => record.id);
  for (let i = 0; i < ids.length; i += 500) {
    await store.putEmbeddings(
      MODEL,
      ids.slice(i, i + 500).map((paperId, j) => ({
        paperId,
        textHash: `h${i + j}`,
        vector: Float32Array.from({ length: 8 }, (_, k) => Math.sin(i + j + k)),
      })),
    );
  }
  await store.setCursor('harvest:cs', '{"from":"2026-11-19"}', NOW);
  const ada = await store.ensureUser({
    id: 'u-ada',
    email: 'ada@example.org',
    role: 'admin',
    createdAt: NOW,
  });
  const bob = await store.ensureUser({ id: 'u-bob', email: 'bob@example.org', role: 'user', createdAt: NOW });
  await store.setPasswordHash(ada.id, '$argon2id$v=19$stand-in');
  await store.putSession({
    tokenHash: 'session-ada',
    userId: ada.id,
    csrfToken: 'csrf',
    createdAt: NOW,
    expiresAt: '2030-01-01T00:00:00Z',
  });
  await store.putSignInToken('sign-in-bob', bob.email, '2030-01-01T00:00:00Z');
  for (const [i, voter] of ['u-ada', 'u-bob', 'anon-1'].entries()) {
    await store.setVote(ids[0] as string, voter, true, NOW);
    await store.setVote(ids[i + 1] as string, voter, true, NOW);
  }
  await store.addSubmission(ids[2] as string, bob.id, NOW, '2026-11-20');
  // A reply whose id sorts before its parent's: rows must go in the order they were made.
  const comment = { paperId: ids[0] as string, body: 'b', editedAt: null, deleted: false, hidden: false };
  await store.addComment({ ...comment, id: 'z-parent', userId: ada.id, parentId: null, createdAt: NOW });
  await store.addComment({ ...comment, id: 'a-reply', userId: bob.id, parentId: 'z-parent', createdAt: NOW });
  await store.setCommentState('a-reply', { hidden: true });
  await store.reportComment('a-reply', ada.id, 'spam', NOW);
  const collection = { userId: ada.id, description: '', public: true, createdAt: NOW, updatedAt: NOW };
  await store.createCollection({ ...collection, id: 'col-z', name: 'First' });
  await store.createCollection({ ...collection, id: 'col-a', name: 'Second', public: false });
  await store.addToCollection('col-z', [{ paperId: ids[3] as string, note: 'read me' }], NOW);
  await store.addToCollection('col-a', [{ paperId: ids[4] as string }], NOW);
  await store.putSubscriber(activeSubscriber('sub-1', 'reader@example.org'), null);
  const claim = { subscriberId: 'sub-1', period: '2026-11-19', messageId: '<m1@hub>', leaseUntil: NOW };
  await store.claimDigest({ ...claim, papers: [{ paperId: ids[5] as string, reason: 'new in cs.CL' }] }, NOW);
  await store.finishDigest('sub-1', '2026-11-19', { status: 'sent', at: NOW });
  await store.putFeedback('sub-1', ids[5] as string, true, NOW);
  for (const slot of ['2026-11-19T06:00', '2026-11-20T06:00']) {
    const run = await store.claimJobRun('digests', slot, { worker: 'w1', now: slot, until: `${slot}:30` });
    await store.finishJobRun(run?.id as number, 'w1', { status: 'done', summary: 'sent 1', at: slot });
  }
}

/** Everything a hub holds, as the port reads it. */
async function readHub(store: PaperStore) {
  const papers = [];
  for await (const p of store.exportPapers()) papers.push(p);
  const vectors = [];
  for await (const v of store.exportEmbeddings(MODEL)) vectors.push([v.paperId, Array.from(v.vector)]);
  const ids = papers.map((p) => p.id);
  const users = await store.listUsers({ limit: 10, offset: 0 });
  return {
    papers,
    stats: await store.stats(),
    revision: await store.revision(),
    vectors,
    embeddingsRevision: await store.embeddingsRevision(MODEL),
    embeddingChanges: await store.embeddingChanges(MODEL, null, 5),
    paperChanges: await store.paperChanges(null, 5),
    cursors: await store.listCursors(''),
    users,
    passwords: await Promise.all(users.map((user) => store.getPasswordHash(user.id))),
    session: await store.getSession('session-ada', NOW),
    votes: [...(await store.voteCounts(ids)).entries()],
    votedByBob: await store.votedPapers('u-bob', 10),
    communityRevision: await store.communityRevision(),
    submitted: await store.submittedPapers('2026-11-01', '2026-11-30', 10),
    comments: await store.listComments(ids[0] as string),
    reported: await store.reportedComments(10),
    collections: await store.listCollections('u-ada'),
    collectionPapers: [await store.collectionPapers('col-z'), await store.collectionPapers('col-a')],
    subscriber: await store.getSubscriberByEmail('reader@example.org'),
    digest: await store.getDigest('sub-1', '2026-11-19'),
    sent: [...(await store.sentPapers('sub-1', ids))],
    feedback: await store.feedback('sub-1'),
    jobRuns: await store.jobRuns({ limit: 10 }),
  };
}

async function progressRows(url: string): Promise<{ table_name: string; copied: number }[] | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (
      await client.query<{ table_name: string; copied: number }>(
        'SELECT table_name, copied::int AS copied FROM migrate_store_progress',
      )
    ).rows;
  } catch {
    return null;
  } finally {
    await client.end();
  }
}

/** A SQLite hub of `papers` papers to move, what it reads back, and an empty PostgreSQL database. */
async function hubToMove(t: { after: (fn: () => void) => void }, papers: number) {
  const file = join(tempDir(t), 'hub.db');
  const sqlite = new SqliteStore(file);
  await fillHub(sqlite, papers);
  const before = await readHub(sqlite);
  await sqlite.close();
  return { file, before, url: await freshDatabase() };
}

describe('openpapers migrate-store', { skip: postgresUnavailable() ?? false }, () => {
  test('copies every table; the hub reads back the same, and goes on working', async (t) => {
    const { file, before, url } = await hubToMove(t, 40);

    const copy = await runCli(['--db', file, 'migrate-store', '--to', url, '--page-size', '7']);
    assert.equal(copy.code, 0, copy.stderr);
    assert.match(copy.stdout, /every table's count matches/);
    assert.match(copy.stdout, /papers\s+40\n/);
    assert.match(copy.stdout, /embeddings\s+40\n/);

    const target = await PostgresStore.open(url);
    t.after(() => target.close());
    assert.deepEqual(await readHub(target), before);
    assert.equal(await target.takeSignInToken('sign-in-bob', NOW), 'bob@example.org');
    assert.equal(await progressRows(url), null, 'the checkpoints are gone');

    // Identity columns go on from the copied values: a new job run, a new collection after the old ones.
    const slot = '2026-11-21T06:00';
    const run = await target.claimJobRun('digests', slot, { worker: 'w2', now: slot, until: `${slot}:30` });
    assert.ok(run && run.id > Math.max(...before.jobRuns.map((r) => r.id)), JSON.stringify(run));
    await target.createCollection({
      id: 'col-0',
      userId: 'u-ada',
      name: 'Third',
      description: '',
      public: false,
      createdAt: NOW,
      updatedAt: NOW,
    });
    assert.deepEqual(
      (await target.listCollections('u-ada')).map((c) => c.name),
      [...before.collections.map((c) => c.name), 'Third'],
    );

    const again = await runCli(['--db', file, 'migrate-store', '--to', url]);
    assert.equal(again.code, 5, again.stderr);
    assert.match(
      again.stderr,
      /already holds 40 rows in papers; migrate-store copies into an empty database/,
    );
  });

  test('a copy killed with SIGKILL mid-way resumes with nothing doubled or missed', async (t) => {
    const { file, before, url } = await hubToMove(t, 1500);

    const first = startCli(['--db', file, 'migrate-store', '--to', url, '--page-size', '2']);
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    await until('half the papers copied', async () => {
      const papers = (await progressRows(url))?.find((row) => row.table_name === 'papers');
      return papers && papers.copied >= 300 ? papers : null;
    });
    first.child.kill('SIGKILL');
    await exited;
    const halfway = (await progressRows(url))?.find((row) => row.table_name === 'papers');
    assert.ok(halfway && halfway.copied < 1500, `killed too late: ${JSON.stringify(halfway)}`);

    const resumed = await runCli(['--db', file, 'migrate-store', '--to', url, '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const report = JSON.parse(resumed.stdout) as {
      resumed: boolean;
      tables: { table: string; rows: number }[];
    };
    assert.equal(report.resumed, true);
    assert.equal(report.tables.find((row) => row.table === 'papers')?.rows, 1500);

    const target = await PostgresStore.open(url);
    t.after(() => target.close());
    assert.deepEqual(await readHub(target), before);
  });

  test('says clearly what is wrong with its arguments', async (t) => {
    const dir = tempDir(t);
    const notUrl = await runCli(['--db', join(dir, 'a.db'), 'migrate-store', '--to', join(dir, 'b.db')]);
    assert.equal(notUrl.code, 2);
    assert.match(notUrl.stderr, /--to must be a postgres:\/\/ URL/);
    const url = await freshDatabase();
    const missing = await runCli(['migrate-store', '--from', join(dir, 'none.db'), '--to', url]);
    assert.equal(missing.code, 5);
    assert.match(missing.stderr, /no database at .*none\.db/);
  });
});
