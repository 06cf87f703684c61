/**
 * Race tests, in the style of pg-boss's multi-master test: two store instances on one database (two
 * connections, as two processes would have) race, many times over, for the same job run, digest, rate-limit
 * slot and paper. Each time there is exactly one winner and nothing is lost. Every backend runs them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PaperStore, Subscriber } from '../../src/app/ports.js';
import { emptyRecord } from '../../src/core/paper.js';

/** Two stores on one new database. */
export type StorePairFactory = (t: {
  after: (fn: () => void | Promise<void>) => void;
}) => Promise<[PaperStore, PaperStore]>;

const ROUNDS = 25;

const subscriber = (id: string): Subscriber => ({
  id,
  email: `${id}@example.org`,
  userId: null,
  linkToken: `link-${id}`,
  frequency: 'daily',
  topics: { trending: true, personal: false, categories: [], searches: [] },
  status: 'active',
  statusReason: null,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
});

export function storeRaces(
  name: string,
  makeStores: StorePairFactory,
  options: { skip?: string | null } = {},
) {
  describe(`PaperStore races: ${name}`, { skip: options.skip ?? false }, () => {
    test('one job run per slot, and one taker of an expired lease', async (t) => {
      const [a, b] = await makeStores(t);
      for (let round = 0; round < ROUNDS; round++) {
        const slot = `2026-01-01T${String(round).padStart(2, '0')}:00`;
        const lease = (worker: string) => ({ worker, now: slot, until: `${slot}:30` });
        const claims = await Promise.all([
          a.claimJobRun('race', slot, lease('a')),
          b.claimJobRun('race', slot, lease('b')),
        ]);
        assert.equal(claims.filter(Boolean).length, 1, `slot ${slot}: ${JSON.stringify(claims)}`);
        // The winner dies: its lease runs out, and of two workers exactly one takes the run over.
        const later = { now: `${slot}:45`, until: `${slot}:59` };
        const takeovers = await Promise.all([
          a.claimJobRun('race', null, { worker: 'a2', ...later }),
          b.claimJobRun('race', null, { worker: 'b2', ...later }),
        ]);
        assert.equal(takeovers.filter(Boolean).length, 1, `take-over of ${slot}`);
        const run = takeovers.find(Boolean);
        assert.equal(
          await (run?.worker === 'a2' ? a : b).finishJobRun(run?.id as number, run?.worker as string, {
            status: 'done',
            summary: 'ok',
            at: later.now,
          }),
          true,
        );
      }
      assert.equal((await a.jobRuns({ job: 'race', limit: 100 })).length, ROUNDS, 'one run per slot');
    });

    test('each digest is claimed by one worker, and its papers recorded once', async (t) => {
      const [a, b] = await makeStores(t);
      await a.upsertPapers([emptyRecord('2601.00001'), emptyRecord('2601.00002')], 'now');
      for (let i = 0; i < ROUNDS; i++) await a.putSubscriber(subscriber(`s${i}`), null);
      for (let i = 0; i < ROUNDS; i++) {
        const claim = (messageId: string) => ({
          subscriberId: `s${i}`,
          period: '2026-01-02',
          messageId,
          papers: [
            { paperId: '2601.00001', reason: 'trending' },
            { paperId: '2601.00002', reason: 'trending' },
          ],
          leaseUntil: '2026-01-02T00:05:00Z',
        });
        const now = '2026-01-02T00:00:00Z';
        const [first, second] = await Promise.all([
          a.claimDigest(claim('a'), now),
          b.claimDigest(claim('b'), now),
        ]);
        assert.equal(Number(first.owned) + Number(second.owned), 1, `s${i}`);
        assert.equal(first.send.messageId, second.send.messageId, 'both see the one stored digest');
        assert.deepEqual([...(await b.sentPapers(`s${i}`, ['2601.00001', '2601.00002']))].sort(), [
          '2601.00001',
          '2601.00002',
        ]);
      }
    });

    test('a rate limit lets exactly `limit` events through however the requests interleave', async (t) => {
      const [a, b] = await makeStores(t);
      for (let round = 0; round < ROUNDS; round++) {
        const key = `k${round}`;
        const take = (store: PaperStore, i: number) =>
          store.takeRateLimit(
            key,
            `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`,
            '2026-01-01T00:00:00Z',
            3,
            '2025-12-31T00:00:00Z',
          );
        const taken = await Promise.all(Array.from({ length: 16 }, (_, i) => take(i % 2 ? a : b, i)));
        assert.equal(taken.filter(Boolean).length, 3, key);
      }
    });

    test('two writers of the same paper: one paper, every field merged, no batch lost', async (t) => {
      const [a, b] = await makeStores(t);
      for (let round = 0; round < ROUNDS; round++) {
        const id = `2601.${String(round).padStart(5, '0')}`;
        const [fromA, fromB] = await Promise.all([
          a.upsertPapers(
            [{ ...emptyRecord(id), title: 'One', categories: ['cs.CL'], sources: ['a'] }],
            'now',
          ),
          b.upsertPapers(
            [{ ...emptyRecord(id), title: 'One', categories: ['cs.LG'], sources: ['b'] }],
            'now',
          ),
        ]);
        assert.deepEqual([...fromA, ...fromB].sort(), ['new', 'updated'], id);
        const paper = await a.getPaper(id);
        assert.deepEqual([...(paper?.categories ?? [])].sort(), ['cs.CL', 'cs.LG']);
        assert.deepEqual([...(paper?.sources ?? [])].sort(), ['a', 'b']);
      }
      assert.equal(await a.countPapers({}), ROUNDS);
      assert.equal(await b.countPapers({ category: 'cs.LG' }), ROUNDS);
    });

    test('a follower of the change feed, reading while two writers commit, sees every change', async (t) => {
      const [a, b] = await makeStores(t);
      const seen = new Set<string>();
      let cursor: string | null = null;
      const follow = async () => {
        for (;;) {
          const changes = await a.paperChanges(cursor, 7);
          for (const paper of changes.papers) seen.add(paper.id);
          cursor = changes.cursor;
          if (changes.papers.length === 0) return;
        }
      };
      const write = async (store: PaperStore, prefix: string) => {
        for (let i = 0; i < ROUNDS; i++) {
          await store.upsertPapers(
            [
              emptyRecord(`${prefix}.${String(i).padStart(5, '0')}`),
              emptyRecord(`${prefix}.${String(i).padStart(5, '0')}1`),
            ],
            'now',
          );
          await follow();
        }
      };
      await Promise.all([write(a, '2601'), write(b, '2602'), follow(), follow()]);
      await follow();
      assert.equal(seen.size, 4 * ROUNDS);
    });
  });
}
