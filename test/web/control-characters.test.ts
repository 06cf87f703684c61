/**
 * Control characters (U+0000, U+001B, C1) from a broken file: removed at ingest, and never let out where they
 * would break something — feeds' XML, mail, a terminal — even from papers stored before they were removed.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { SaxesParser } from 'saxes';
import { SqliteStore } from '../../src/adapters/storage/sqlite/store.js';
import { renderDigest } from '../../src/core/digest/render.js';
import { runCli, tempDir } from '../helpers.js';
import { LATEST_DAY, webFixture } from './fixture.js';

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const DIRTY = 'Bell\u0007 and \u001b[31mred\u001b[0m text\u0000 with a C1\u0085 control';

function wellFormed(xml: string): void {
  const parser = new SaxesParser({ xmlns: true });
  let failure: Error | null = null;
  parser.on('error', (error) => {
    failure ??= error;
  });
  parser.write(xml).close();
  assert.equal(failure, null, `${failure}`);
}

test('ingest removes control characters from every text field; show writes none to the terminal', async (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'papers.db');
  const file = join(dir, 'dirty.jsonl');
  writeFileSync(
    file,
    `${JSON.stringify({ id: '2601.00001', title: DIRTY, abstract: `${DIRTY}. ${DIRTY}`, authors: [`Eve\u001b[2J`], comments: DIRTY })}\n`,
  );
  const ingested = await runCli(['--db', db, 'ingest', file]);
  assert.equal(ingested.code, 0, ingested.stderr);
  const store = new SqliteStore(db);
  const paper = await store.getPaper('2601.00001');
  await store.close();
  assert.equal(paper?.title, 'Bell and [31mred[0m text with a C1 control');
  for (const text of [paper?.title, paper?.abstract, paper?.comments, ...(paper?.authors ?? [])]) {
    assert.ok(!CONTROLS.test(text ?? ''), JSON.stringify(text));
  }
  const shown = await runCli(['--db', db, 'show', '2601.00001']);
  assert.equal(shown.code, 0);
  assert.ok(!CONTROLS.test(shown.stdout.replace(/\n/g, '')), JSON.stringify(shown.stdout));
});

test('feeds stay well-formed XML and mail carries no control characters, even from papers stored with them', async (t) => {
  const fixture = await webFixture(t);
  t.after(() => fixture.close());
  const [paper] = await fixture.store.listPapers({ limit: 1, from: LATEST_DAY, to: LATEST_DAY });
  assert.ok(paper);
  // A paper stored by an older version, before ingest removed control characters.
  const db = new Database(fixture.dbPath);
  db.prepare('UPDATE papers SET title = ?, abstract = ?, authors = ? WHERE id = ?').run(
    DIRTY,
    DIRTY,
    JSON.stringify([DIRTY]),
    paper.id,
  );
  db.prepare("UPDATE store_meta SET value = value + 1 WHERE key = 'revision'").run();
  db.close();
  for (const path of ['/feeds/daily.rss', '/feeds/daily.atom', `/feeds/daily.rss?date=${LATEST_DAY}`]) {
    const response = await fixture.app.request(path);
    assert.equal(response.status, 200, path);
    const xml = await response.text();
    assert.ok(xml.includes('Bell and '), `${path} lists the paper`);
    wellFormed(xml);
  }
  const stored = await fixture.store.getPaper(paper.id);
  assert.ok(stored && CONTROLS.test(stored.title));
  const mail = renderDigest({
    heading: 'Your daily papers',
    entries: [
      { paper: stored, reason: DIRTY, links: { paper: 'http://x/p', up: 'http://x/u', down: 'http://x/d' } },
    ],
    links: { web: 'http://x/w', unsubscribe: 'http://x/un', subscribe: 'http://x/s' },
  });
  for (const part of [mail.subject, mail.text, mail.html]) {
    assert.ok(!CONTROLS.test(part.replace(/\n/g, '')), JSON.stringify(part.slice(0, 200)));
  }
});
