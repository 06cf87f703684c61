import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteStore } from '../../src/adapters/storage/sqlite/store.js';
import { activeSubscriber, runCli, tempDir } from '../helpers.js';
import { startSmtp } from '../web/smtp.js';

test('digest preview shows why; digest send needs its settings, sends once, and a dry run records nothing', async (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'digest.db');
  const today = new Date().toISOString().slice(0, 10);
  const papers = join(dir, 'today.jsonl');
  writeFileSync(
    papers,
    [1, 2, 3]
      .map((n) =>
        JSON.stringify({
          id: `2611.0000${n}`,
          title: `Fresh paper number ${n}`,
          abstract: 'Announced today.',
          authors: ['Ada Lovelace'],
          categories: n === 3 ? ['math.CO'] : ['cs.CL'],
          announced: today,
          sources: ['test'],
        }),
      )
      .join('\n'),
  );
  assert.equal((await runCli(['--db', db, 'ingest', papers])).code, 0);
  const store = new SqliteStore(db);
  await store.putSubscriber(activeSubscriber('s1', 'reader@example.org'), null);
  await store.close();

  const preview = await runCli(['--db', db, 'digest', 'preview', 'Reader@example.org', '--json']);
  assert.equal(preview.code, 0, preview.stderr);
  const shown = JSON.parse(preview.stdout) as {
    period: string;
    items: { paperId: string; reason: string }[];
  };
  assert.equal(shown.period, today);
  assert.deepEqual(shown.items.map((item) => [item.paperId, item.reason]).sort(), [
    ['2611.00001', 'new in cs.CL'],
    ['2611.00002', 'new in cs.CL'],
  ]);
  assert.equal((await runCli(['--db', db, 'digest', 'preview', 'nobody@example.org'])).code, 3);

  const dry = await runCli(['--db', db, 'digest', 'send', '--dry-run', '--json']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.deepEqual(JSON.parse(dry.stdout), { sent: 1, empty: 0, skipped: 0, retrying: 0, paused: 0 });

  const unconfigured = await runCli(['--db', db, 'digest', 'send']);
  assert.equal(unconfigured.code, 2);
  assert.match(
    unconfigured.stderr,
    /^openpapers: digests link back to the web app: set OPENPAPERS_PUBLIC_URL/,
  );

  const smtp = await startSmtp();
  t.after(() => smtp.close());
  const env = { OPENPAPERS_SMTP_URL: smtp.url, OPENPAPERS_PUBLIC_URL: 'https://papers.example.org/' };
  const sent = await runCli(['--db', db, 'digest', 'send', '--json'], env);
  assert.equal(sent.code, 0, sent.stderr);
  assert.deepEqual(JSON.parse(sent.stdout), { sent: 1, empty: 0, skipped: 0, retrying: 0, paused: 0 });
  assert.equal(smtp.received.length, 1, 'the dry run sent nothing');
  assert.match(smtp.received[0]?.text ?? '', /https:\/\/papers\.example\.org\/unsubscribe\/token-s1/);
  assert.match(smtp.received[0]?.messageId ?? '', /@papers\.example\.org>$/);
  const again = await runCli(['--db', db, 'digest', 'send', '--json'], env);
  assert.deepEqual(JSON.parse(again.stdout), { sent: 0, empty: 0, skipped: 1, retrying: 0, paused: 0 });
  assert.equal(smtp.received.length, 1);
  assert.equal((await runCli(['digest', 'send', '--help'])).code, 0);
});
