/**
 * `openpapers worker` as a real process against a real SMTP server: killed with SIGKILL in the middle of
 * 1,000 digests and started again, it delivers every digest exactly once. Also its settings' errors, and
 * `openpapers jobs`.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { JobRun } from '../../src/app/ports.js';
import { SqliteStore } from '../../src/adapters/storage/sqlite/store.js';
import {
  readerId,
  runCli,
  sharedPath,
  tempDir,
  startCli,
  subscribeReaders,
  writeTodaysPapers,
} from '../helpers.js';
import { startSmtp } from '../web/smtp.js';

const SUBSCRIBERS = 1000;
const KILL_AT = 400;

async function databaseWithSubscribers(dir: string): Promise<string> {
  const db = join(dir, 'worker.db');
  const papers = join(dir, 'today.jsonl');
  writeTodaysPapers(papers, 12);
  assert.equal((await runCli(['--db', db, 'ingest', papers])).code, 0);
  const store = new SqliteStore(db);
  await subscribeReaders(store, SUBSCRIBERS);
  await store.close();
  return db;
}

const startWorker = (env: NodeJS.ProcessEnv) => startCli(['worker'], env);

test('a worker killed with SIGKILL mid-way through 1,000 digests and started again sends each exactly once', async (t) => {
  const dir = tempDir(t);
  const db = await databaseWithSubscribers(dir);
  let first: ChildProcess | null = null;
  // The kill lands while the worker waits for the server's answer to a message: it never gets its 250.
  const smtp = await startSmtp({
    beforeAccept: () => {
      if (smtp.received.length < KILL_AT || first?.exitCode !== null || first.signalCode !== null)
        return true;
      first.kill('SIGKILL');
      return false;
    },
  });
  t.after(() => smtp.close());
  const env = {
    OPENPAPERS_DB: db,
    OPENPAPERS_SMTP_URL: smtp.url,
    OPENPAPERS_PUBLIC_URL: 'http://localhost:3000',
    OPENPAPERS_CRON_EMBED: 'off',
    OPENPAPERS_CRON_WEEKLY_DIGESTS: 'off',
    OPENPAPERS_CRON_DAILY_DIGESTS: '* * * * * *',
    OPENPAPERS_LEASE_SECONDS: '2',
  };

  const killed = startWorker(env);
  first = killed.child;
  const [, signal] = (await once(killed.child, 'exit')) as [number | null, NodeJS.Signals | null];
  assert.equal(signal, 'SIGKILL', killed.output());
  assert.equal(smtp.received.length, KILL_AT);

  const second = startWorker(env);
  t.after(() => second.child.kill('SIGKILL'));
  await smtp.waitFor(SUBSCRIBERS);
  // Runs every second: let the one the killed worker left (leased for 2 s) and a few more come and go.
  const settled = async () => {
    const jobs = await runCli(['--db', db, 'jobs', '--json', '--limit', '1000']);
    const { runs } = JSON.parse(jobs.stdout) as { runs: JobRun[] };
    return runs.every((run) => run.status === 'done') && runs.some((run) => run.attempts === 2) ? runs : null;
  };
  let runs: JobRun[] | null = null;
  for (let tries = 0; tries < 60 && !runs; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    runs = await settled();
  }
  second.child.kill('SIGTERM');
  const [code] = (await once(second.child, 'exit')) as [number | null];
  assert.equal(code, 0, second.output());
  assert.match(second.output(), /stopping after the job in progress/);
  assert.ok(runs, `every run done, the killed one taken over:\n${second.output()}`);

  const recipients = smtp.received.map((mail) => (mail.to && 'text' in mail.to ? mail.to.text : ''));
  assert.equal(smtp.received.length, SUBSCRIBERS);
  assert.equal(new Set(recipients).size, SUBSCRIBERS, 'nobody got two');
  assert.equal(new Set(smtp.received.map((mail) => mail.messageId)).size, SUBSCRIBERS);
  const store = new SqliteStore(db);
  t.after(() => store.close());
  const interrupted = await store.getDigest(readerId(KILL_AT), new Date().toISOString().slice(0, 10));
  assert.deepEqual(
    [interrupted?.status, interrupted?.attempts],
    ['sent', 2],
    'the digest being sent at the kill was sent again, once',
  );
  assert.ok(
    smtp.received.every((mail) => mail.subject === smtp.received[0]?.subject),
    'the same digest for all',
  );
});

test('worker settings: a bad cron expression or time zone is one clear line naming the setting', async () => {
  const badCron = await runCli(['--db', '/nonexistent.db', 'worker'], {
    OPENPAPERS_CRON_EMBED: '*/15 * * *',
  });
  assert.equal(badCron.code, 2);
  assert.match(
    badCron.stderr,
    /^openpapers: OPENPAPERS_CRON_EMBED: "\*\/15 \* \* \*" is not a cron expression/,
  );
  assert.equal(badCron.stderr.trim().split('\n').length, 1);
  const badZone = await runCli(['worker'], { OPENPAPERS_CRON_TIMEZONE: 'Mars/Olympus' });
  assert.equal(badZone.code, 2);
  assert.match(badZone.stderr, /^openpapers: OPENPAPERS_CRON_TIMEZONE: must be an IANA time zone/);
  const help = await runCli(['worker', '--help']);
  assert.match(help.stdout, /OPENPAPERS_CRON_DAILY_DIGESTS +default "0 6 \* \* \*"/);
});

test('worker --once runs what is due and exits; jobs shows the schedule and the record', async (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'once.db');
  const papers = join(dir, 'one.jsonl');
  writeFileSync(papers, JSON.stringify({ id: '2611.00001', title: 'One', abstract: 'One paper.' }));
  assert.equal((await runCli(['--db', db, 'ingest', papers])).code, 0);
  const env = {
    OPENPAPERS_CRON_EMBED: '0 3 * * *',
    OPENPAPERS_EMBED_MODEL: join(dir, 'no-such-model'),
    OPENPAPERS_SMTP_URL: '',
  };
  const once = await runCli(['--db', db, 'worker', '--once'], env);
  assert.equal(once.code, 0, once.stderr);
  assert.match(once.stdout, /digests are off: set OPENPAPERS_SMTP_URL/);
  assert.match(once.stdout, /embed \(\S+T03:00:00.000Z\): failed: .*no-such-model.*; trying again at /);
  const jobs = await runCli(['--db', db, 'jobs', '--json'], env);
  const shown = JSON.parse(jobs.stdout) as { schedule: { job: string; cron: string }[]; runs: JobRun[] };
  assert.deepEqual(
    shown.schedule.map((job) => [job.job, job.cron]),
    [
      ['embed', '0 3 * * *'],
      ['daily-digests', '0 6 * * *'],
      ['weekly-digests', '0 6 * * 1'],
    ],
  );
  assert.deepEqual(
    shown.runs.map((run) => [run.job, run.status, run.attempts]),
    [['embed', 'retry', 1]],
  );
  const text = await runCli(['--db', db, 'jobs'], env);
  assert.match(text.stdout, /embed +retry +attempts 1 +failed \(.*\); trying again at /);
});

test('the embed job embeds new papers and updates the search index, then skips until papers change', async (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'embed.db');
  const paper = (n: number) =>
    JSON.stringify({
      id: `2611.0000${n}`,
      title: `Paper ${n}`,
      abstract: 'Linear attention for long context.',
    });
  writeFileSync(join(dir, 'first.jsonl'), paper(1));
  writeFileSync(join(dir, 'second.jsonl'), paper(2));
  assert.equal((await runCli(['--db', db, 'ingest', join(dir, 'first.jsonl')])).code, 0);
  const worker = startWorker({
    OPENPAPERS_DB: db,
    OPENPAPERS_EMBED_MODEL: sharedPath('models', 'converted', 'universal-sentence-encoder-lite'),
    OPENPAPERS_CRON_EMBED: '* * * * * *',
    OPENPAPERS_SMTP_URL: '',
  });
  t.after(() => worker.child.kill('SIGKILL'));
  const summaries = async () => {
    const jobs = await runCli(['--db', db, 'jobs', '--json', '--limit', '1000']);
    const { runs } = JSON.parse(jobs.stdout) as { runs: JobRun[] };
    return runs.reverse().flatMap((run) => (run.status === 'done' ? [run.summary as string] : []));
  };
  const waitFor = async (done: (summaries: string[]) => boolean) => {
    for (let tries = 0; tries < 120; tries++) {
      const seen = await summaries();
      if (done(seen)) return seen;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.fail(`the worker did not get there:\n${worker.output()}`);
  };
  const first = await waitFor((seen) => seen.length >= 3);
  assert.match(first[0] as string, /^embedded 1 papers \(0 up to date\) with /);
  assert.deepEqual(
    first.slice(1),
    first.slice(1).map(() => 'no papers changed since the last run'),
  );

  assert.equal((await runCli(['--db', db, 'ingest', join(dir, 'second.jsonl')])).code, 0);
  // Only what changed is read: the new paper, not the one embedded before.
  const after = await waitFor(
    (seen) => seen.filter((summary) => summary.startsWith('embedded 1 papers (0 up to date)')).length === 2,
  );
  assert.ok(after.length > first.length);
  worker.child.kill('SIGTERM');
  assert.deepEqual(await once(worker.child, 'exit'), [0, null]);
  const search = await runCli(['--db', db, 'search', 'linear attention', '--mode', 'semantic', '--json'], {
    OPENPAPERS_EMBED_MODEL: sharedPath('models', 'converted', 'universal-sentence-encoder-lite'),
  });
  assert.equal(search.code, 0, search.stderr);
  const { results } = JSON.parse(search.stdout) as { results: { id: string }[] };
  assert.deepEqual(results.map((result) => result.id).sort(), ['2611.00001', '2611.00002']);
});
