/**
 * The worker against a real SQLite store and a clock the test moves: each scheduled time runs once however
 * many workers there are, a missed time runs once on start, failures are retried with backoff and then given
 * up, a dead worker's run is taken over when its lease runs out, and a live one keeps its lease.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker, type ScheduledJob, type WorkerEvent } from '../../src/app/worker.js';
import { SqliteStore } from '../../src/adapters/storage/sqlite/store.js';
import { cronSchedule } from '../../src/core/schedule.js';
import { OpenPapersError } from '../../src/core/errors.js';
import { tempDir } from '../helpers.js';

function setup(t: Parameters<typeof tempDir>[0]) {
  const store = new SqliteStore(join(tempDir(t), 'jobs.db'));
  t.after(() => store.close());
  const clock = { now: new Date('2026-11-23T05:58:00Z') };
  const at = (iso: string) => (clock.now = new Date(iso));
  const events: WorkerEvent[] = [];
  const worker = (id: string, jobs: ScheduledJob[], leaseSeconds = 300) =>
    new Worker({
      store,
      jobs,
      workerId: id,
      leaseSeconds,
      now: () => clock.now,
      onEvent: (event) => events.push(event),
    });
  return { store, at, events, worker };
}

test('a cron expression: the latest scheduled time at or before now, and the next; bad ones are named', () => {
  const daily = cronSchedule('0 6 * * *', 'OPENPAPERS_CRON_DAILY_DIGESTS');
  assert.equal(daily.latest(new Date('2026-11-23T06:00:00.400Z'))?.toISOString(), '2026-11-23T06:00:00.000Z');
  assert.equal(daily.latest(new Date('2026-11-23T05:59:59Z'))?.toISOString(), '2026-11-22T06:00:00.000Z');
  assert.equal(daily.next(new Date('2026-11-23T06:00:00Z'))?.toISOString(), '2026-11-24T06:00:00.000Z');
  const berlin = cronSchedule('0 6 * * *', 'X', 'Europe/Berlin');
  assert.equal(berlin.latest(new Date('2026-11-23T12:00:00Z'))?.toISOString(), '2026-11-23T05:00:00.000Z');
  assert.throws(
    () => cronSchedule('0 25 * * *', 'OPENPAPERS_CRON_EMBED'),
    (error: unknown) =>
      error instanceof OpenPapersError &&
      error.code === 'OP_ERR_USAGE' &&
      /OPENPAPERS_CRON_EMBED: "0 25 \* \* \*" is not a cron expression \(.*hour/.test(error.message),
  );
});

test('each scheduled time runs once, on one of two workers; a time missed while down runs once', async (t) => {
  const { at, worker, store } = setup(t);
  let runs = 0;
  const job: ScheduledJob = {
    name: 'daily-digests',
    schedule: cronSchedule('0 6 * * *', 'X'),
    run: async () => `run ${++runs}`,
  };
  const [a, b] = [worker('a', [job]), worker('b', [job])];
  assert.equal(await a.runDue(), 1, 'a job that never ran runs its latest time at once');
  assert.equal(await b.runDue(), 0);
  at('2026-11-23T05:59:59Z');
  assert.equal(await a.runDue(), 0);
  at('2026-11-23T06:00:01Z');
  assert.deepEqual([await b.runDue(), await a.runDue()], [1, 0]);
  // Down for three days: the latest time runs once, not each one missed.
  at('2026-11-26T09:00:00Z');
  assert.deepEqual([await a.runDue(), await a.runDue(), await b.runDue()], [1, 0, 0]);
  assert.equal(runs, 3);
  assert.deepEqual(
    (await store.jobRuns({ limit: 10 })).map((run) => [run.slot, run.status, run.worker, run.summary]),
    [
      ['2026-11-26T06:00:00.000Z', 'done', 'a', 'run 3'],
      ['2026-11-23T06:00:00.000Z', 'done', 'b', 'run 2'],
      ['2026-11-22T06:00:00.000Z', 'done', 'a', 'run 1'],
    ],
  );
});

test('a failing job is retried after 1, 5, 25 and 120 minutes, recorded each time, then given up', async (t) => {
  const { at, worker, store, events } = setup(t);
  let tries = 0;
  const job: ScheduledJob = {
    name: 'embed',
    schedule: cronSchedule('0 0 * * *', 'X'),
    run: async () => {
      tries++;
      throw new Error('no model');
    },
  };
  const w = worker('w', [job]);
  at('2026-11-23T00:00:00Z');
  await w.runDue();
  const retryTimes: (string | null)[] = [];
  for (const minutes of [1, 5, 25, 120]) {
    const run = (await store.jobRuns({ limit: 1 }))[0];
    assert.equal(run?.status, 'retry');
    assert.equal(run?.lastError, 'no model');
    retryTimes.push(run?.leaseUntil ?? null);
    at(new Date(clock(run?.leaseUntil) - 1000).toISOString());
    assert.equal(await w.runDue(), 0, `not before ${minutes} minutes`);
    at(run?.leaseUntil as string);
    assert.equal(await w.runDue(), 1);
  }
  assert.deepEqual(
    retryTimes.map(
      (time, i) => (clock(time) - clock(i === 0 ? '2026-11-23T00:00:00Z' : retryTimes[i - 1])) / 60_000,
    ),
    [1, 5, 25, 120],
  );
  const [run] = await store.jobRuns({ limit: 1 });
  assert.deepEqual([run?.status, run?.attempts, run?.lastError, tries], ['failed', 5, 'no model', 5]);
  at('2026-11-23T23:59:00Z');
  assert.equal(await w.runDue(), 0, 'given up');
  assert.deepEqual(
    events
      .filter((event) => event.type === 'failed')
      .map((event) => event.type === 'failed' && event.retryAt === null),
    [false, false, false, false, true],
  );
});

function clock(iso: string | null | undefined): number {
  return Date.parse(iso as string);
}

test("a dead worker's run is taken over when its lease runs out; a live worker renews its lease", async (t) => {
  const { at, worker, store, events } = setup(t);
  at('2026-11-23T06:00:00Z');
  // A worker that died in the middle: its run stays leased to it until the lease runs out.
  const dead = await store.claimJobRun('daily-digests', '2026-11-23T06:00:00.000Z', {
    worker: 'dead',
    now: '2026-11-23T06:00:00.000Z',
    until: '2026-11-23T06:05:00.000Z',
  });
  let runs = 0;
  const job: ScheduledJob = {
    name: 'daily-digests',
    schedule: cronSchedule('0 6 * * *', 'X'),
    run: async () => `run ${++runs}`,
  };
  const live = worker('live', [job]);
  at('2026-11-23T06:04:59Z');
  assert.equal(await live.runDue(), 0);
  at('2026-11-23T06:05:00Z');
  assert.equal(await live.runDue(), 1);
  const [run] = await store.jobRuns({ limit: 1 });
  assert.deepEqual([run?.id, run?.worker, run?.attempts, run?.status], [dead?.id, 'live', 2, 'done']);

  // A long run on a real clock with a 0.3 s lease: the heartbeat keeps it, so no other worker starts it.
  let other = 0;
  const slow: ScheduledJob = {
    name: 'embed',
    schedule: cronSchedule('* * * * * *', 'X'),
    run: () => new Promise((resolve) => setTimeout(() => resolve('slow'), 1000)),
  };
  const real = { now: () => new Date() };
  const holder = new Worker({
    store,
    jobs: [slow],
    workerId: 'holder',
    leaseSeconds: 0.3,
    onEvent: (event) => events.push(event),
    ...real,
  });
  const running = holder.runDue();
  await new Promise((resolve) => setTimeout(resolve, 600));
  const rival = new Worker({
    store,
    jobs: [{ ...slow, schedule: cronSchedule('0 0 1 1 *', 'X'), run: async () => `${++other}` }],
    workerId: 'rival',
    leaseSeconds: 0.3,
    ...real,
  });
  await rival.runDue();
  await running;
  assert.equal(other, 0, 'the held run was not taken over');
  assert.equal(events.filter((event) => event.type === 'lost').length, 0);
  assert.equal((await store.jobRuns({ job: 'embed', limit: 1 }))[0]?.summary, 'slow');
});
