/**
 * What `openpapers ingest` reads when given a directory, an archive, or files in other encodings: only what
 * is papers, each file skipped with one line when it is not, and text decoded as it was written.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteStore } from '../../src/adapters/storage/sqlite/store.js';
import { parseSummary, runCli, sharedPath, tempDir } from '../helpers.js';

const paper = (id: string) => JSON.stringify({ id, title: `Paper ${id}`, abstract: `About ${id}.` });

function absFile(title: string, abstract: string): string {
  return [
    '------------------------------------------------------------------------------',
    '\\\\',
    'arXiv:0704.0001',
    'From: A. Author <a@example.com>',
    'Date: Mon, 2 Apr 2007 19:18:42 GMT   (37kb)',
    '',
    `Title: ${title}`,
    'Authors: A. Author',
    'Categories: hep-ph',
    '\\\\',
    `  ${abstract}`,
    '\\\\',
    '',
  ].join('\n');
}

async function stored(db: string, id: string) {
  const store = new SqliteStore(db);
  try {
    return await store.getPaper(id);
  } finally {
    await store.close();
  }
}

test('a directory: its papers only, not hidden folders, installed packages, indexes or other JSON', async (t) => {
  const dir = tempDir(t);
  const input = join(dir, 'input');
  for (const folder of ['papers', 'node_modules/pkg', '.git', 'hub.db.search', 'nested/deeper']) {
    mkdirSync(join(input, folder), { recursive: true });
  }
  writeFileSync(join(input, 'papers', 'a.jsonl'), `${paper('2601.00001')}\n${paper('2601.00002')}\n`);
  writeFileSync(join(input, 'nested', 'deeper', 'b.jsonl'), `${paper('2601.00003')}\n`);
  for (const hidden of ['node_modules/pkg/c.jsonl', '.git/d.jsonl', 'hub.db.search/e.jsonl', '.f.jsonl']) {
    writeFileSync(join(input, hidden), `${paper('2601.09999')}\n`);
  }
  writeFileSync(
    join(input, 'package.json'),
    JSON.stringify({ name: 'x', dependencies: { a: '1' } }, null, 2),
  );
  writeFileSync(join(input, 'settings.json'), '{"theme": "dark", "fontSize": 12}\n');
  writeFileSync(join(input, 'hub.db'), '');
  writeFileSync(join(input, 'image.png'), 'PNG');
  const db = join(dir, 'papers.db');
  const result = await runCli(['--db', db, 'ingest', input, '--json']);
  assert.equal(result.code, 0, result.stderr);
  const summary = parseSummary(result.stdout);
  assert.equal(summary.new, 3);
  assert.equal(summary.rejected, 0);
  assert.equal(summary.files, 2);
  assert.equal(summary.skippedFiles, 3, 'package.json, settings.json and image.png');
  const lines = result.stderr.trim().split('\n');
  assert.deepEqual(lines.sort(), [
    `${join(input, 'package.json')}: skipped: it is none of the formats OpenPapers reads`,
    `${join(input, 'settings.json')}: skipped: it is none of the formats OpenPapers reads`,
  ]);
  assert.equal(await stored(db, '2601.09999'), null);
});

test("a tar.gz archive of arXiv's .abs files is read directly; its other entries are skipped in one line", async (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'papers.db');
  const archive = sharedPath('data', 'arxiv-abs-files', 'arxiv-browse-abs-files.tar.gz');
  const result = await runCli(['--db', db, 'ingest', archive, '--json']);
  assert.equal(result.code, 0, result.stderr);
  const summary = parseSummary(result.stdout);
  assert.equal(summary.read, 1_191, 'every .abs file in the archive but an empty one');
  assert.equal(summary.rejected, 0);
  assert.equal(summary.new, 1_130, 'older versions merge into their papers: one paper per arXiv id');
  assert.equal(summary.skippedFiles, 237, 'the listing files beside them, and the empty file');
  // Besides progress lines (printed every few seconds, so only on a slow run), one line for all of them.
  const lines = result.stderr
    .trim()
    .split('\n')
    .filter((line) => !line.startsWith('ingesting: '));
  assert.deepEqual(lines, [
    `${archive}: skipped 237 archive entries that are not .abs records (listings, empty files)`,
  ]);
  const known = await stored(db, 'hep-th/9901001');
  assert.ok(known && known.title.length > 0 && known.abstract.length > 0);
});

test('.abs files in Windows-1252 keep their curly quotes; UTF-16 is read or named', async (t) => {
  const dir = tempDir(t);
  const title = 'Calculation of “prompt” diphoton production – a test';
  const abstract = 'An abstract with “quotes”, an en dash – and a café.';
  const cp1252 = join(dir, 'cp1252.abs');
  // Windows-1252 bytes: “ 0x93, ” 0x94, – 0x96; é 0xE9 (as in ISO-8859-1).
  const map: Record<string, number> = { '“': 0x93, '”': 0x94, '–': 0x96, é: 0xe9 };
  writeFileSync(cp1252, Buffer.from([...absFile(title, abstract)].map((c) => map[c] ?? c.charCodeAt(0))));
  let db = join(dir, 'a.db');
  assert.equal((await runCli(['--db', db, 'ingest', cp1252])).code, 0);
  let read = await stored(db, '0704.0001');
  assert.equal(read?.title, title);
  assert.equal(read?.abstract, abstract);

  const utf16 = join(dir, 'utf16.abs');
  writeFileSync(
    utf16,
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(absFile(title, abstract), 'utf16le')]),
  );
  db = join(dir, 'b.db');
  const result = await runCli(['--db', db, 'ingest', utf16]);
  assert.equal(result.code, 0, result.stderr);
  read = await stored(db, '0704.0001');
  assert.equal(read?.title, title);

  const jsonl = join(dir, 'papers.jsonl');
  writeFileSync(jsonl, Buffer.from(`${paper('2601.00001')}\n`, 'utf16le'));
  const named = await runCli(['--db', join(dir, 'c.db'), 'ingest', jsonl]);
  assert.equal(named.code, 4);
  assert.match(
    named.stderr,
    /^openpapers: .*papers\.jsonl: the format is not recognised \(it is UTF-16LE text; OpenPapers reads UTF-8/,
  );
});
