/**
 * The store conformance suites, one per role of the port (papers, cursors, embeddings, community,
 * accounts, collections, digests, jobs, rate limits): written against the port only, so that every backend
 * (SQLite, PostgreSQL) runs the very same tests against a real database.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PaperStore } from '../../src/app/ports.js';
import { emptyRecord, type PaperRecord } from '../../src/core/paper.js';

export type StoreFactory = (t: { after: (fn: () => void | Promise<void>) => void }) => Promise<PaperStore>;

function paper(id: string, overrides: Partial<PaperRecord> = {}): PaperRecord {
  return {
    ...emptyRecord(id),
    title: `Title of ${id}`,
    abstract: `Abstract of ${id} with <tags> & 'quotes' and $\\LaTeX$.`,
    authors: ['Ada Lovelace', 'Émile Borel'],
    categories: ['cs.CL'],
    sources: ['test'],
    ...overrides,
  };
}

export function storeConformance(
  name: string,
  makeStore: StoreFactory,
  options: { skip?: string | null } = {},
): void {
  describe(`PaperStore conformance: ${name}`, { skip: options.skip ?? false }, () => {
    describe('papers', () => {
      test('a stored paper reads back field for field', async (t) => {
        const store = await makeStore(t);
        const record = paper('2406.00001', {
          categories: ['cs.CL', 'cs.AI'],
          classes: ['I.2.7'],
          comments: '12 pages',
          journalRef: 'J. Test 1 (2024)',
          doi: '10.1/abc',
          reportNo: 'R-1',
          license: 'http://creativecommons.org/licenses/by/4.0/',
          versions: [
            { version: 1, date: '2024-06-01T10:00:00Z' },
            { version: 2, date: '2024-06-09T10:00:00Z' },
          ],
          published: '2024-06-01T10:00:00Z',
          updated: '2024-06-09T10:00:00Z',
          announced: '2024-06-03',
        });
        assert.deepEqual(await store.upsertPapers([record], '2026-01-01T00:00:00.000Z'), ['new']);
        assert.deepEqual(await store.getPaper('2406.00001'), {
          ...record,
          firstSeen: '2026-01-01T00:00:00.000Z',
        });
        assert.equal(await store.getPaper('2406.99999'), null);
      });

      test('upserts merge: same record unchanged, newer updates, first-seen kept, duplicates in one batch', async (t) => {
        const store = await makeStore(t);
        const older = paper('2406.00002', {
          announced: '2025-01-02',
          updated: '2025-01-02',
          categories: ['cs.CV'],
        });
        const newer = paper('2406.00002', {
          title: 'Revised',
          announced: '2025-01-05',
          updated: '2025-01-05',
          categories: ['cs.CV', 'cs.LG'],
        });
        assert.deepEqual(await store.upsertPapers([older, older], 't1'), ['new', 'unchanged']);
        assert.deepEqual(await store.upsertPapers([older, newer, older], 't2'), [
          'unchanged',
          'updated',
          'unchanged',
        ]);
        const stored = await store.getPaper('2406.00002');
        assert.equal(stored?.title, 'Revised');
        assert.deepEqual(stored?.categories, ['cs.CV', 'cs.LG']);
        assert.equal(stored?.announced, '2025-01-02');
        assert.equal(stored?.firstSeen, 't1');
        assert.equal((await store.stats()).papers, 1);
      });

      test('list: newest day first, date bounds inclusive, any-category filter, limit and offset', async (t) => {
        const store = await makeStore(t);
        await store.upsertPapers(
          [
            paper('2501.00001', { announced: '2025-01-01', categories: ['cs.CL'] }),
            paper('2501.00002', { announced: '2025-01-02', categories: ['cs.CV', 'cs.CL'] }),
            paper('2501.00003', { announced: '2025-01-02', categories: ['cs.CV'] }),
            paper('2502.00001', { published: '2025-02-10T08:00:00Z', categories: ['math.AG'] }),
            paper('title:0000000000000001', { categories: [] }),
          ],
          'now',
        );
        const ids = async (query: Parameters<PaperStore['listPapers']>[0]) =>
          (await store.listPapers(query)).map((p) => p.id);
        assert.deepEqual(await ids({ limit: 3 }), ['2502.00001', '2501.00003', '2501.00002']);
        assert.deepEqual(await ids({ limit: 10, from: '2025-01-02', to: '2025-01-31' }), [
          '2501.00003',
          '2501.00002',
        ]);
        assert.deepEqual(await ids({ limit: 10, category: 'cs.CL' }), ['2501.00002', '2501.00001']);
        assert.deepEqual(await ids({ limit: 2, offset: 1, to: '2025-12-31' }), ['2501.00003', '2501.00002']);
        assert.deepEqual(await ids({ limit: 10, category: "cs.CL' OR 1=1 --" }), []);
      });

      test('counts under the same filters; the latest day and the days around one', async (t) => {
        const store = await makeStore(t);
        assert.equal(await store.latestDay(), null);
        await store.upsertPapers(
          [
            paper('2501.00001', { announced: '2025-01-01', categories: ['cs.CL'] }),
            paper('2501.00002', { announced: '2025-01-03', categories: ['cs.CV', 'cs.CL'] }),
            paper('2501.00003', { announced: '2025-01-03', categories: ['cs.CV'] }),
            paper('2501.00004', { announced: '2025-01-07', categories: ['cs.CV'] }),
            paper('title:0000000000000001', { categories: [] }),
          ],
          'now',
        );
        assert.equal(await store.countPapers({}), 5);
        assert.equal(await store.countPapers({ from: '2025-01-02', to: '2025-01-03' }), 2);
        assert.equal(await store.countPapers({ category: 'cs.CL' }), 2);
        assert.equal(await store.latestDay(), '2025-01-07');
        assert.deepEqual(await store.adjacentDays('2025-01-03'), {
          previous: '2025-01-01',
          next: '2025-01-07',
        });
        assert.deepEqual(await store.adjacentDays('2025-01-05'), {
          previous: '2025-01-03',
          next: '2025-01-07',
        });
        assert.deepEqual(await store.adjacentDays('2025-01-01'), { previous: null, next: '2025-01-03' });
        assert.deepEqual(await store.adjacentDays('2025-01-07'), { previous: '2025-01-03', next: null });
      });

      test('papers are found by DOI whatever its case; passwords are stored per user', async (t) => {
        const store = await makeStore(t);
        await store.upsertPapers(
          [paper('2501.00001', { doi: '10.1000/ABC.Def' }), paper('2501.00002')],
          'now',
        );
        assert.equal(await store.paperIdByDoi('10.1000/abc.def'), '2501.00001');
        assert.equal(await store.paperIdByDoi('10.1000/abc'), null);
        const ada = await store.ensureUser({
          id: 'a1',
          email: 'ada@example.org',
          role: 'user',
          createdAt: 't',
        });
        assert.equal(await store.getPasswordHash(ada.id), null);
        await store.setPasswordHash(ada.id, '$argon2id$v=19$x');
        assert.equal(await store.getPasswordHash(ada.id), '$argon2id$v=19$x');
        await store.setPasswordHash(ada.id, null);
        assert.equal(await store.getPasswordHash(ada.id), null);
      });

      test('stats count papers by month of their day and by primary category', async (t) => {
        const store = await makeStore(t);
        await store.upsertPapers(
          [
            paper('2501.00001', { announced: '2025-01-01', categories: ['cs.CL', 'cs.AI'] }),
            paper('2501.00002', { announced: '2025-01-31', categories: ['cs.CV'] }),
            paper('2502.00001', { announced: '2025-02-01', categories: ['cs.CL'] }),
            paper('title:0000000000000001', { categories: [] }),
          ],
          'now',
        );
        assert.deepEqual(await store.stats(), {
          papers: 4,
          byMonth: { '2025-01': 2, '2025-02': 1, unknown: 1 },
          byPrimaryCategory: { 'cs.CL': 2, 'cs.CV': 1, none: 1 },
        });
      });

      test('export yields every paper once, in id order, across pages', async (t) => {
        const store = await makeStore(t);
        const records = Array.from({ length: 1234 }, (_, i) => paper(`2501.${String(i).padStart(5, '0')}`));
        await store.upsertPapers(records.slice().reverse(), 'now');
        const exported: string[] = [];
        for await (const p of store.exportPapers()) exported.push(p.id);
        assert.deepEqual(
          exported,
          records.map((r) => r.id),
        );
      });

      test('the revision grows with every batch that changes papers, and only then', async (t) => {
        const store = await makeStore(t);
        const start = await store.revision();
        await store.upsertPapers([paper('2501.00001'), paper('2501.00002')], 'now');
        const afterInsert = await store.revision();
        assert.ok(afterInsert > start);
        await store.upsertPapers([paper('2501.00001')], 'now');
        assert.equal(await store.revision(), afterInsert);
        await store.upsertPapers([paper('2501.00001', { title: 'Changed', updated: '2030-01-01' })], 'now');
        assert.ok((await store.revision()) > afterInsert);
      });

      test('getPapers returns the papers that exist, by id, in the order asked for', async (t) => {
        const store = await makeStore(t);
        await store.upsertPapers([paper('2501.00001'), paper('2501.00002')], 'now');
        const found = await store.getPapers(['2501.00002', '2501.09999', '2501.00001', '2501.00002']);
        assert.deepEqual([...found.keys()], ['2501.00002', '2501.00001']);
        assert.equal(found.get('2501.00002')?.title, 'Title of 2501.00002');
      });

      test('papers: the change feed gives every changed paper once, as it is now, in pages', async (t) => {
        const store = await makeStore(t);
        const feed = async (cursor: string | null, limit: number) => {
          const ids: string[] = [];
          for (;;) {
            const page = await store.paperChanges(cursor, limit);
            ids.push(...page.papers.map((p) => p.id));
            cursor = page.cursor;
            if (page.papers.length < limit) return { ids, cursor };
          }
        };
        assert.deepEqual(await feed(null, 2), { ids: [], cursor: null });
        await store.upsertPapers([paper('2501.00003'), paper('2501.00001'), paper('2501.00002')], 'now');
        const all = await feed(null, 2);
        assert.deepEqual(all.ids.sort(), ['2501.00001', '2501.00002', '2501.00003']);
        assert.deepEqual((await feed(all.cursor, 2)).ids, [], 'nothing after the end');
        await store.upsertPapers([paper('2501.00002')], 'now');
        assert.deepEqual((await feed(all.cursor, 2)).ids, [], 'an unchanged paper is not a change');
        await store.upsertPapers(
          [{ ...paper('2501.00002'), categories: ['cs.CL', 'cs.AI'] }, paper('2501.00004')],
          'now',
        );
        const later = await feed(all.cursor, 1);
        assert.deepEqual(later.ids.sort(), ['2501.00002', '2501.00004']);
        const changed = (await store.paperChanges(all.cursor, 10)).papers.find((p) => p.id === '2501.00002');
        assert.deepEqual(changed?.categories, ['cs.CL', 'cs.AI'], 'as it is now');
        assert.deepEqual((await feed(null, 3)).ids.length, 4, 'from the start, each paper once');
      });

      test('a batch that fails part-way stores none of it, and what was stored before stays', async (t) => {
        const store = await makeStore(t);
        await store.upsertPapers([paper('2501.00001')], 'now');
        const broken = { ...paper('2501.00003'), title: null } as unknown as PaperRecord;
        await assert.rejects(store.upsertPapers([paper('2501.00002'), broken], 'now'));
        assert.equal(await store.getPaper('2501.00002'), null);
        assert.equal((await store.getPaper('2501.00001'))?.title, 'Title of 2501.00001');
      });
    });

    describe('cursors', () => {
      test('cursors: saved by name, overwritten, null when unknown, listed by prefix', async (t) => {
        const store = await makeStore(t);
        assert.equal(await store.getCursor('embed:m'), null);
        await store.setCursor('embed:m', '12:2501.00001', '2026-01-01T00:00:00Z');
        await store.setCursor('harvest:cs', 'token', '2026-01-01T00:00:00Z');
        await store.setCursor('embed:m', '15:2501.00009', '2026-01-02T00:00:00Z');
        assert.equal(await store.getCursor('embed:m'), '15:2501.00009');
        assert.equal(await store.getCursor('harvest:cs'), 'token');
        await store.setCursor('harvest_x', 'not a harvest cursor', '2026-01-03T00:00:00Z');
        await store.setCursor('harvest:astro-ph', 'other', '2026-01-03T00:00:00Z');
        assert.deepEqual(await store.listCursors('harvest:'), [
          { name: 'harvest:astro-ph', value: 'other', updatedAt: '2026-01-03T00:00:00Z' },
          { name: 'harvest:cs', value: 'token', updatedAt: '2026-01-01T00:00:00Z' },
        ]);
        assert.deepEqual(await store.listCursors('nothing:'), []);
      });
    });

    describe('embeddings', () => {
      test('embeddings: stored per model key with their text hash, exported in id order, replaced in place', async (t) => {
        const store = await makeStore(t);
        await store.upsertPapers([paper('2501.00001'), paper('2501.00002'), paper('2501.00003')], 'now');
        const vector = (...values: number[]) => new Float32Array(values);
        await store.putEmbeddings('model-a', [
          { paperId: '2501.00002', textHash: 'h2', vector: vector(0.5, -1.25, 3) },
          { paperId: '2501.00001', textHash: 'h1', vector: vector(1, 0, 0) },
        ]);
        await store.putEmbeddings('model-b', [
          { paperId: '2501.00001', textHash: 'x', vector: vector(9, 9) },
        ]);
        assert.deepEqual(await store.getEmbedding('model-a', '2501.00002'), vector(0.5, -1.25, 3));
        assert.equal(await store.getEmbedding('model-a', '2501.00003'), null);
        assert.deepEqual(
          await store.embeddingHashes('model-a', ['2501.00001', '2501.00002', '2501.00003']),
          new Map([
            ['2501.00001', 'h1'],
            ['2501.00002', 'h2'],
          ]),
        );
        await store.putEmbeddings('model-a', [
          { paperId: '2501.00001', textHash: 'h1b', vector: vector(0, 1, 0) },
        ]);
        const exported: [string, number[]][] = [];
        for await (const row of store.exportEmbeddings('model-a'))
          exported.push([row.paperId, [...row.vector]]);
        assert.deepEqual(exported, [
          ['2501.00001', [0, 1, 0]],
          ['2501.00002', [0.5, -1.25, 3]],
        ]);
      });

      test('embeddings: each write bumps the model revision; the change feed gives each change once, in pages', async (t) => {
        const store = await makeStore(t);
        await store.upsertPapers([paper('2501.00001'), paper('2501.00002'), paper('2501.00003')], 'now');
        const vector = (...values: number[]) => new Float32Array(values);
        const changed = async (model: string, cursor: string | null, limit = 2) => {
          const rows: string[] = [];
          for (;;) {
            const page = await store.embeddingChanges(model, cursor, limit);
            rows.push(...page.embeddings.map((row) => row.paperId));
            if (page.embeddings.length < limit) return { rows, cursor: page.cursor };
            cursor = page.cursor;
          }
        };
        assert.equal(await store.embeddingsRevision('m'), 0);
        assert.deepEqual(await changed('m', null), { rows: [], cursor: null });
        await store.putEmbeddings('m', [
          { paperId: '2501.00002', textHash: 'a', vector: vector(1) },
          { paperId: '2501.00001', textHash: 'a', vector: vector(2) },
        ]);
        const first = await store.embeddingsRevision('m');
        assert.ok(first > 0);
        const afterFirst = await changed('m', null);
        assert.deepEqual(afterFirst.rows.sort(), ['2501.00001', '2501.00002']);
        await store.putEmbeddings('m', []);
        assert.equal(await store.embeddingsRevision('m'), first, 'an empty write changes nothing');
        await store.putEmbeddings('m', [
          { paperId: '2501.00003', textHash: 'a', vector: vector(3) },
          { paperId: '2501.00002', textHash: 'b', vector: vector(4) },
        ]);
        assert.ok((await store.embeddingsRevision('m')) > first);
        assert.equal(await store.embeddingsRevision('other'), 0);
        assert.deepEqual((await changed('m', null)).rows.sort(), ['2501.00001', '2501.00002', '2501.00003']);
        const later = await changed('m', afterFirst.cursor);
        assert.deepEqual(later.rows.sort(), ['2501.00002', '2501.00003']);
        assert.deepEqual((await changed('m', later.cursor)).rows, []);
        const page = await store.embeddingChanges('m', afterFirst.cursor, 10);
        assert.deepEqual(page.embeddings.map((row) => [row.paperId, [...row.vector]]).sort(), [
          ['2501.00002', [4]],
          ['2501.00003', [3]],
        ]);
      });
    });

    describe('similar papers', () => {
      test('lists are kept per paper and model, and replaced whole', async (t) => {
        const store = await makeStore(t);
        await store.upsertPapers(
          ['2501.00001', '2501.00002', '2501.00003'].map((id) => paper(id)),
          'now',
        );
        const list = (paperId: string, ...similar: [string, number][]) => ({
          paperId,
          similar: similar.map(([id, score]) => ({ paperId: id, score })),
        });
        await store.putSimilarPapers(
          'm',
          [
            list('2501.00001', ['2501.00002', 0.9], ['2501.00003', 0.5]),
            list('2501.00002', ['2501.00001', 0.9]),
            // A paper the store does not hold gets no list, and the others are stored all the same.
            list('2501.99999', ['2501.00001', 0.1]),
          ],
          't1',
        );
        await store.putSimilarPapers('other-model', [list('2501.00001', ['2501.00003', 1])], 't1');
        const ids = ['2501.00001', '2501.00002', '2501.00003', '2501.99999'];
        const stored = (similar: [string, number][], updatedAt: string) => ({
          similar: list('', ...similar).similar,
          updatedAt,
        });
        assert.deepEqual([...(await store.similarPapers('m', ids)).entries()].sort(), [
          [
            '2501.00001',
            stored(
              [
                ['2501.00002', 0.9],
                ['2501.00003', 0.5],
              ],
              't1',
            ),
          ],
          ['2501.00002', stored([['2501.00001', 0.9]], 't1')],
        ]);
        await store.putSimilarPapers('m', [list('2501.00001', ['2501.00003', 0.7])], 't2');
        assert.deepEqual(
          (await store.similarPapers('m', ['2501.00001'])).get('2501.00001'),
          stored([['2501.00003', 0.7]], 't2'),
        );
        assert.deepEqual(
          (await store.similarPapers('other-model', ids)).get('2501.00001'),
          stored([['2501.00003', 1]], 't1'),
        );
        assert.equal((await store.similarPapers('m', [])).size, 0);
      });
    });

    describe('community', () => {
      test('votes: one per voter and paper, undoable, counted, and each change bumps the votes revision', async (t) => {
        const store = await makeStore(t);
        await store.upsertPapers(
          [
            paper('2501.00001', { announced: '2025-01-01' }),
            paper('2501.00002', { announced: '2025-01-03' }),
            paper('2501.00003', { announced: '2025-01-05' }),
          ],
          'now',
        );
        const at = '2025-01-05T10:00:00Z';
        const start = await store.communityRevision();
        assert.equal(await store.setVote('2501.00002', 'ada', true, at), true);
        assert.equal(await store.setVote('2501.00002', 'ada', true, at), false);
        assert.equal(await store.setVote('2501.00002', 'bob', true, at), true);
        assert.equal(await store.setVote('2501.00003', 'bob', true, at), true);
        assert.equal(await store.setVote('2501.00003', 'bob', false, at), true);
        assert.equal(await store.setVote('2501.00003', 'bob', false, at), false);
        assert.equal(await store.communityRevision(), start + 4);
        await store.setVote('2501.00001', 'bob', true, '2025-01-06T10:00:00Z');
        assert.deepEqual(await store.votedPapers('bob', 10), ['2501.00001', '2501.00002'], 'latest first');
        assert.deepEqual(await store.votedPapers('bob', 1), ['2501.00001']);
        await store.setVote('2501.00001', 'bob', false, '2025-01-06T11:00:00Z');
        assert.deepEqual(
          await store.voteCounts(['2501.00001', '2501.00002', '2501.00003', 'nope']),
          new Map([
            ['2501.00001', 0],
            ['2501.00002', 2],
            ['2501.00003', 0],
            ['nope', 0],
          ]),
        );
        // Two more voters with accounts: one made the day before it voted (new), one long established.
        await store.ensureUser({
          id: 'fresh',
          email: 'fresh@example.org',
          role: 'user',
          createdAt: '2025-01-04T10:00:00Z',
        });
        await store.ensureUser({
          id: 'settled',
          email: 'old@example.org',
          role: 'user',
          createdAt: '2024-01-01T00:00:00Z',
        });
        await store.setVote('2501.00003', 'fresh', true, at);
        await store.setVote('2501.00003', 'settled', true, at);
        const since = await store.papersSince('2025-01-02', 7);
        assert.deepEqual(
          since.sort((a, b) => a.id.localeCompare(b.id)),
          [
            { id: '2501.00002', day: '2025-01-03', votes: 2, newAccountVotes: 0 },
            { id: '2501.00003', day: '2025-01-05', votes: 2, newAccountVotes: 1 },
          ],
        );
        assert.equal(
          (await store.papersSince('2025-01-02', 0.5)).find((r) => r.id === '2501.00003')?.newAccountVotes,
          0,
        );
      });

      test("submissions: listed apart on the day of the first one, counted per submitter; a paper's own day never moves", async (t) => {
        const store = await makeStore(t);
        await store.upsertPapers(
          [
            paper('1605.08386', { announced: '2016-05-27' }),
            paper('2501.00003', { announced: '2025-01-03' }),
          ],
          'now',
        );
        for (const id of ['u1', 'u2']) {
          await store.ensureUser({
            id,
            email: `${id}@example.org`,
            role: 'user',
            createdAt: '2020-01-01T00:00:00Z',
          });
        }
        const revision = await store.communityRevision();
        assert.equal(await store.addSubmission('1605.08386', 'u1', '2025-01-07T09:00:00Z', '2025-01-07'), 1);
        assert.equal(await store.addSubmission('1605.08386', 'u1', '2025-01-07T10:00:00Z', '2025-01-07'), 1);
        assert.equal(
          await store.communityRevision(),
          revision + 1,
          'a new submission changes lists; a repeat does not',
        );
        assert.equal(await store.addSubmission('1605.08386', 'u2', '2025-01-08T10:00:00Z', '2025-01-08'), 2);
        const ids = async (from: string, to: string) =>
          (await store.listPapers({ from, to, limit: 10 })).map((p) => p.id).sort();
        assert.deepEqual(await ids('2025-01-07', '2025-01-07'), [], 'no paper moves to a submission day');
        assert.deepEqual(await ids('2016-05-27', '2016-05-27'), ['1605.08386'], 'it stays on its own day');
        assert.equal(await store.countPapers({ from: '2025-01-01', to: '2025-01-31' }), 1);
        assert.equal(await store.latestDay(), '2025-01-03', 'the newest day of announced papers');
        assert.deepEqual(await store.adjacentDays('2025-01-03'), { previous: '2016-05-27', next: null });
        assert.deepEqual(await store.submittedPapers('2025-01-07', '2025-01-07', 10), [
          { paperId: '1605.08386', day: '2025-01-07', submittedAt: '2025-01-07T09:00:00Z', submitters: 2 },
        ]);
        assert.deepEqual(
          await store.submittedPapers('2025-01-08', '2025-01-31', 10),
          [],
          'on the first day only',
        );
        const since = await store.papersSince('2025-01-05', 7);
        assert.deepEqual(since, [{ id: '1605.08386', day: '2025-01-07', votes: 0, newAccountVotes: 0 }]);
      });

      test('reported comments: most reported first, one report per user, deleted ones left out', async (t) => {
        const store = await makeStore(t);
        await store.upsertPapers([paper('2501.00001')], 'now');
        await Promise.all(
          ['a', 'b', 'c'].map((id) =>
            store.ensureUser({ id, email: `${id}@example.org`, role: 'user', createdAt: 't' }),
          ),
        );
        const comment = (id: string) => ({
          id,
          paperId: '2501.00001',
          userId: 'a',
          parentId: null,
          body: `body ${id}`,
          createdAt: 't',
          editedAt: null,
          deleted: false,
          hidden: false,
        });
        for (const id of ['c1', 'c2', 'c3']) await store.addComment(comment(id));
        assert.equal(await store.reportComment('c1', 'b', 'spam', 't1'), 1);
        assert.equal(await store.reportComment('c2', 'b', 'rude', 't2'), 1);
        assert.equal(await store.reportComment('c2', 'c', 'very rude', 't3'), 2);
        assert.equal(await store.reportComment('c2', 'c', 'again', 't4'), 2, 'once per user');
        await store.reportComment('c3', 'b', 'gone', 't5');
        await store.setCommentState('c3', { deleted: true });
        const reported = await store.reportedComments(10);
        assert.deepEqual(
          reported.map((r) => [r.comment.id, r.reports, [...r.reasons].sort(), r.lastReportedAt]),
          [
            ['c2', 2, ['rude', 'very rude'], 't3'],
            ['c1', 1, ['spam'], 't1'],
          ],
        );
      });
    });

    describe('accounts', () => {
      test('users: one per email, roles, and deletion removes sessions, tokens and votes', async (t) => {
        const store = await makeStore(t);
        await store.upsertPapers([paper('2501.00001', { announced: '2025-01-01' })], 'now');
        const ada = await store.ensureUser({
          id: 'u1',
          email: 'ada@example.org',
          role: 'user',
          createdAt: 't0',
        });
        assert.deepEqual(ada, { id: 'u1', email: 'ada@example.org', role: 'user', createdAt: 't0' });
        const again = await store.ensureUser({
          id: 'u2',
          email: 'ada@example.org',
          role: 'admin',
          createdAt: 't1',
        });
        assert.deepEqual(again, ada, 'the existing user, unchanged');
        await store.setUserRole('u1', 'moderator');
        assert.equal((await store.getUserByEmail('ada@example.org'))?.role, 'moderator');
        assert.equal(await store.getUserByEmail("' OR 1=1 --"), null);

        const session = {
          tokenHash: 'h1',
          userId: 'u1',
          csrfToken: 'c1',
          createdAt: 't0',
          expiresAt: '2030-01-01T00:00:00Z',
        };
        await store.putSession(session);
        await store.putSession({ ...session, tokenHash: 'h2' });
        assert.deepEqual(await store.getSession('h1', '2029-01-01T00:00:00Z'), session);
        assert.equal(await store.getSession('h1', '2030-01-01T00:00:00Z'), null, 'expired');
        await store.deleteSession('h1');
        assert.equal(await store.getSession('h1', '2029-01-01T00:00:00Z'), null);
        await store.putSignInToken('t1', 'ada@example.org', '2030-01-01T00:00:00Z');
        await store.setVote('2501.00001', 'u1', true, 't0');
        const votes = await store.communityRevision();
        assert.deepEqual(await store.votedBy('u1', ['2501.00001', '2501.00002']), new Set(['2501.00001']));

        await store.deleteUser('u1');
        assert.equal(await store.getUser('u1'), null);
        assert.equal(await store.getSession('h2', '2029-01-01T00:00:00Z'), null);
        assert.equal(await store.takeSignInToken('t1', '2029-01-01T00:00:00Z'), null);
        assert.equal((await store.voteCounts(['2501.00001'])).get('2501.00001'), 0);
        assert.equal(await store.communityRevision(), votes + 1);
      });

      test('sign-in tokens work once and not after they expire; sessions of a user go together', async (t) => {
        const store = await makeStore(t);
        await store.putSignInToken('a', 'ada@example.org', '2030-01-01T00:00:00Z');
        await store.putSignInToken('b', 'bob@example.org', '2030-01-01T00:00:00Z');
        assert.equal(await store.takeSignInToken('a', '2029-12-31T00:00:00Z'), 'ada@example.org');
        assert.equal(await store.takeSignInToken('a', '2029-12-31T00:00:00Z'), null, 'used');
        assert.equal(await store.takeSignInToken('b', '2030-01-01T00:00:01Z'), null, 'expired');
        const bob = await store.ensureUser({
          id: 'b1',
          email: 'bob@example.org',
          role: 'user',
          createdAt: 't',
        });
        for (const hash of ['s1', 's2']) {
          await store.putSession({
            tokenHash: hash,
            userId: bob.id,
            csrfToken: 'c',
            createdAt: 't',
            expiresAt: '2030-01-01',
          });
        }
        await store.deleteSessions(bob.id);
        assert.equal(await store.getSession('s1', '2029'), null);
        assert.equal(await store.getSession('s2', '2029'), null);
      });
    });

    describe('collections', () => {
      test('collections: owned, listed in creation order, papers once each with notes, gone with the owner', async (t) => {
        const store = await makeStore(t);
        await store.upsertPapers(
          ['2501.00001', '2501.00002', '2501.00003'].map((id) => paper(id)),
          'now',
        );
        const ada = await store.ensureUser({
          id: 'a1',
          email: 'ada@example.org',
          role: 'user',
          createdAt: 't',
        });
        const bob = await store.ensureUser({
          id: 'b1',
          email: 'bob@example.org',
          role: 'user',
          createdAt: 't',
        });
        const base = { userId: ada.id, description: '', public: false, createdAt: 't1', updatedAt: 't1' };
        await store.createCollection({ ...base, id: 'z', name: 'First' });
        await store.createCollection({ ...base, id: 'a', name: 'Second' });
        await store.createCollection({ ...base, id: 'm', userId: bob.id, name: "Bob's" });
        const revision = await store.communityRevision();
        await store.addToCollection(
          'z',
          [{ paperId: '2501.00001', note: 'read first' }, { paperId: '2501.00002' }],
          't2',
        );
        assert.ok((await store.communityRevision()) > revision, 'public pages show collections');
        await store.addToCollection('z', [{ paperId: '2501.00001' }], 't3');
        await store.addToCollection('z', [{ paperId: '2501.00003' }], 't4');
        assert.deepEqual(await store.collectionPapers('z'), [
          { paperId: '2501.00003', note: '', addedAt: 't4' },
          { paperId: '2501.00001', note: 'read first', addedAt: 't2' },
          { paperId: '2501.00002', note: '', addedAt: 't2' },
        ]);
        await store.addToCollection('z', [{ paperId: '2501.00002', note: 'new note' }], 't5');
        assert.equal(
          (await store.collectionPapers('z')).find((row) => row.paperId === '2501.00002')?.note,
          'new note',
        );
        const listed = await store.listCollections(ada.id);
        assert.deepEqual(
          listed.map((c) => [c.id, c.name, c.papers, c.updatedAt]),
          [
            ['z', 'First', 3, 't5'],
            ['a', 'Second', 0, 't1'],
          ],
        );
        await store.updateCollection('a', { name: 'Renamed', description: 'd', public: true }, 't6');
        assert.deepEqual(await store.getCollection('a'), {
          ...base,
          id: 'a',
          name: 'Renamed',
          description: 'd',
          public: true,
          updatedAt: 't6',
        });
        await store.addToCollection('a', [{ paperId: '2501.00001' }], 't7');
        assert.deepEqual(await store.collectionsWithPaper(ada.id, '2501.00001'), new Set(['z', 'a']));
        assert.deepEqual(await store.collectionsWithPaper(bob.id, '2501.00001'), new Set());
        await store.removeFromCollection('z', '2501.00001');
        assert.deepEqual(await store.collectionsWithPaper(ada.id, '2501.00001'), new Set(['a']));
        await store.deleteCollection('a');
        assert.equal(await store.getCollection('a'), null);
        await store.deleteUser(ada.id);
        assert.equal(await store.getCollection('z'), null);
        assert.deepEqual(await store.collectionPapers('z'), []);
        assert.equal((await store.getCollection('m'))?.name, "Bob's");
      });
    });

    describe('digests', () => {
      test('digests: subscriptions confirm once; each digest is claimed once, taken over after its lease; papers sent once', async (t) => {
        const store = await makeStore(t);
        const subscriber = (id: string, email: string) => ({
          id,
          email,
          userId: null,
          linkToken: `link-${id}`,
          frequency: 'daily' as const,
          topics: { trending: true, personal: false, categories: ['cs.CL'], searches: [] },
          status: 'pending' as const,
          statusReason: null,
          createdAt: 't0',
          updatedAt: 't0',
        });
        await store.putSubscriber(subscriber('s1', 'a@example.org'), { hash: 'h1', expires: '2030-01-01' });
        await store.putSubscriber({ ...subscriber('s2', 'b@example.org'), status: 'active' }, null);
        // Subscribing again by email keeps the id and the link token.
        const again = await store.putSubscriber(
          { ...subscriber('other', 'a@example.org'), linkToken: 'new', frequency: 'weekly' },
          { hash: 'h2', expires: '2030-01-01' },
        );
        assert.deepEqual([again.id, again.linkToken, again.frequency], ['s1', 'link-s1', 'weekly']);
        assert.equal(await store.confirmSubscriber('h1', '2029-01-01'), null, 'replaced by the newer link');
        assert.equal(await store.confirmSubscriber('h2', '2031-01-01'), null, 'expired');
        assert.equal((await store.confirmSubscriber('h2', '2029-01-01'))?.status, 'active');
        assert.equal(await store.confirmSubscriber('h2', '2029-01-01'), null, 'once');
        assert.equal((await store.getSubscriberByLinkToken('link-s2'))?.email, 'b@example.org');
        assert.deepEqual(
          (await store.activeSubscribers('daily', '', 10)).map((s) => s.id),
          ['s2'],
        );
        await store.setSubscriberStatus('s1', 'paused', 'bounced', 't1');
        assert.deepEqual(await store.activeSubscribers('weekly', '', 10), []);

        const papers = [
          { paperId: 'p1', reason: 'new in cs.CL' },
          { paperId: 'p2', reason: 'trending: 3 votes' },
        ];
        const claim = {
          subscriberId: 's2',
          period: 'd1',
          messageId: '<m1>',
          papers,
          leaseUntil: '2026-01-01T00:05',
        };
        const first = await store.claimDigest(claim, '2026-01-01T00:00');
        assert.equal(first.owned, true);
        assert.deepEqual(first.send.papers, papers);
        assert.equal(
          (await store.claimDigest({ ...claim, papers: [] }, '2026-01-01T00:01')).owned,
          false,
          'leased',
        );
        const taken = await store.claimDigest(
          { ...claim, papers: [], leaseUntil: '2026-01-01T00:11' },
          '2026-01-01T00:06',
        );
        assert.equal(taken.owned, true, 'the lease ran out');
        assert.deepEqual(taken.send.papers, papers, 'the same digest as claimed first');
        assert.equal(taken.send.attempts, 2);
        await store.finishDigest('s2', 'd1', { status: 'retry', error: '451', at: '2026-01-01T00:30' });
        assert.equal(
          (await store.claimDigest(claim, '2026-01-01T00:20')).owned,
          false,
          'not before its retry time',
        );
        assert.equal((await store.claimDigest(claim, '2026-01-01T00:31')).owned, true);
        await store.finishDigest('s2', 'd1', { status: 'sent', at: '2026-01-01T00:32' });
        assert.equal((await store.claimDigest(claim, '2026-02-01')).owned, false, 'sent is final');
        assert.deepEqual(await store.sentPapers('s2', ['p1', 'p2', 'p3']), new Set(['p1', 'p2']));
        const empty = await store.claimDigest({ ...claim, period: 'd2', papers: [] }, '2026-01-02');
        assert.deepEqual([empty.owned, empty.send.status], [false, 'empty']);
        assert.equal((await store.getDigest('s2', 'd1'))?.status, 'sent');

        await store.putFeedback('s2', 'p1', true, 't1');
        await store.putFeedback('s2', 'p1', false, 't2');
        assert.deepEqual(await store.feedback('s2'), [{ paperId: 'p1', up: false }]);
        assert.deepEqual(await store.getFeedback('s2', 'p1'), { up: false, at: 't2' });
        await store.deleteFeedback('s2', 'p1');
        assert.equal(await store.getFeedback('s2', 'p1'), null);
        assert.deepEqual(await store.feedback('s2'), []);
      });
    });

    describe('jobs', () => {
      test('job runs: one per job and slot, none for an older slot, leased, taken over, retried, recorded', async (t) => {
        const store = await makeStore(t);
        const lease = (worker: string, now: string, until: string) => ({ worker, now, until });
        const first = await store.claimJobRun('digests', 'T06', lease('w1', 'T06:00', 'T06:05'));
        assert.deepEqual(
          [first?.job, first?.slot, first?.status, first?.attempts, first?.worker],
          ['digests', 'T06', 'running', 1, 'w1'],
        );
        const id = first?.id as number;
        assert.equal(
          await store.claimJobRun('digests', 'T06', lease('w2', 'T06:01', 'T06:06')),
          null,
          'leased',
        );
        assert.equal(
          await store.claimJobRun('digests', 'T05', lease('w2', 'T06:01', 'T06:06')),
          null,
          'older',
        );
        assert.equal(await store.claimJobRun('digests', null, lease('w2', 'T06:01', 'T06:06')), null);
        assert.equal(
          (await store.claimJobRun('embed', 'T06', lease('w2', 'T06:01', 'T06:06')))?.job,
          'embed',
        );

        assert.equal(await store.renewJobRun(id, lease('w1', 'T06:04', 'T06:09')), true);
        assert.equal(
          await store.claimJobRun('digests', null, lease('w2', 'T06:06', 'T06:11')),
          null,
          'renewed',
        );
        const taken = await store.claimJobRun('digests', null, lease('w2', 'T06:10', 'T06:15'));
        assert.deepEqual([taken?.id, taken?.worker, taken?.attempts], [id, 'w2', 2], 'the lease ran out');
        assert.equal(await store.renewJobRun(id, lease('w1', 'T06:11', 'T06:16')), false, 'w1 lost it');
        assert.equal(
          await store.finishJobRun(id, 'w1', { status: 'done', summary: 'late', at: 'T06:12' }),
          false,
          'a worker that lost the run records nothing',
        );

        await store.finishJobRun(id, 'w2', { status: 'retry', error: 'SMTP down', retryAt: 'T06:20' });
        assert.equal(
          await store.claimJobRun('digests', null, lease('w1', 'T06:19', 'T06:24')),
          null,
          'not yet',
        );
        const retried = await store.claimJobRun('digests', 'T07', lease('w1', 'T06:21', 'T06:26'));
        assert.deepEqual(
          [retried?.slot, retried?.attempts],
          ['T06', 3],
          'a due retry comes before a new slot',
        );
        assert.equal(
          await store.finishJobRun(id, 'w1', { status: 'done', summary: 'sent 3', at: 'T06:22' }),
          true,
        );
        const next = await store.claimJobRun('digests', 'T07', lease('w1', 'T07:00', 'T07:05'));
        await store.finishJobRun(next?.id as number, 'w1', { status: 'failed', error: 'bad', at: 'T07:01' });
        assert.equal(
          await store.claimJobRun('digests', null, lease('w1', 'T09:00', 'T09:05')),
          null,
          'final',
        );

        const runs = await store.jobRuns({ job: 'digests', limit: 10 });
        assert.deepEqual(
          runs.map((run) => [run.slot, run.status, run.attempts, run.summary, run.lastError, run.finishedAt]),
          [
            ['T07', 'failed', 1, null, 'bad', 'T07:01'],
            ['T06', 'done', 3, 'sent 3', null, 'T06:22'],
          ],
        );
        assert.equal((await store.jobRuns({ limit: 10 })).length, 3);
        assert.equal((await store.jobRuns({ limit: 1 })).length, 1);
      });
    });

    describe('rate limits', () => {
      test('rate limits: at most `limit` events per key in the window; refused events do not count', async (t) => {
        const store = await makeStore(t);
        const take = (key: string, now: string, expired = '2026-01-01T00:00') =>
          store.takeRateLimit(key, now, `${now.slice(0, 15)}0`, 3, expired);
        const results = [];
        for (const minute of ['10:00', '10:01', '10:02', '10:03', '10:04']) {
          results.push(await take('signin:ada', `2026-01-01T${minute}`));
        }
        assert.deepEqual(results, [true, true, true, false, false]);
        assert.equal(await take('signin:bob', '2026-01-01T10:05'), true, 'keys are counted apart');
        assert.equal(await take('signin:ada', '2026-01-01T10:10'), true, 'a new window');

        // Removing a key's events frees it at once; expired events of any key go with the next event.
        await take('signin:cy', '2026-01-01T10:11');
        await take('signin:cy', '2026-01-01T10:12');
        await take('signin:cy', '2026-01-01T10:13');
        assert.equal(await take('signin:cy', '2026-01-01T10:14'), false);
        await store.deleteRateEvents(['signin:cy', 'signin:nobody']);
        assert.equal(await take('signin:cy', '2026-01-01T10:15'), true);
        assert.equal(await take('signin:dee', '2026-01-02T11:00', '2026-01-02T10:00'), true);
        for (const minute of ['10:11', '10:12', '10:13']) {
          assert.equal(
            await take('signin:ada', `2026-01-01T${minute}`),
            true,
            'expired events no longer count',
          );
        }
      });
    });
  });
}
