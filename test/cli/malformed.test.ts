/**
 * Bad input through the real CLI: each malformed record is rejected with its file, place and reason, the
 * valid records of the same file are stored, the exit status says something was rejected, and nothing stored
 * earlier is lost.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { parseSummary, runCli, sharedPath, tempDir } from '../helpers.js';

const TEN_MB = 'x'.repeat(10 * 1024 * 1024);

function listingLine(id: string, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id,
    title: `Paper ${id}`,
    summary: `Abstract of ${id}.`,
    authors: ['A. Author'],
    categories: ['cs.CL'],
    comment: null,
    file_date: '2026-01-05',
    ...overrides,
  });
}

async function ingest(db: string, ...args: string[]) {
  const result = await runCli(['--db', db, 'ingest', '--json', ...args]);
  const summary = parseSummary(result.stdout);
  return { ...result, summary };
}

async function ids(db: string): Promise<string[]> {
  const result = await runCli(['--db', db, 'list', '--limit', '1000', '--json']);
  assert.equal(result.code, 0, result.stderr);
  return (JSON.parse(result.stdout) as { papers: { id: string }[] }).papers.map((p) => p.id).sort();
}

test('JSON lines: invalid JSON, no id, wrong types, invalid UTF-8 and a 10 MB abstract are rejected by line', async (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'papers.db');
  const earlier = join(dir, 'earlier.jsonl');
  writeFileSync(earlier, `${listingLine('2601.00001', { title: 'Stored before' })}\n`);
  assert.equal((await ingest(db, earlier)).code, 0);

  const file = join(dir, 'listing.jsonl');
  const lines = [
    Buffer.from(listingLine('2601.00002')),
    Buffer.from('{"id": "2601.00003", "title": "cut off'),
    Buffer.from(listingLine('2601.00004')),
    Buffer.from(
      JSON.stringify({ title: 'No id', summary: 'x', authors: [], categories: [], file_date: '2026-01-05' }),
    ),
    Buffer.from(listingLine('2601.00005', { authors: 5 })),
    Buffer.concat([
      Buffer.from(listingLine('2601.00006').slice(0, 30)),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(listingLine('2601.00006').slice(30)),
    ]),
    Buffer.from(listingLine('2601.00007', { summary: TEN_MB })),
    Buffer.from(listingLine('2601.00001', { title: 'x'.repeat(3000) })),
    Buffer.from(listingLine('2601.00008')),
  ];
  writeFileSync(file, Buffer.concat(lines.flatMap((line) => [line, Buffer.from('\n')])));

  const { code, summary, stderr } = await ingest(db, file);
  assert.equal(code, 1);
  assert.deepEqual(
    { read: summary.read, new: summary.new, updated: summary.updated, rejected: summary.rejected },
    { read: 9, new: 3, updated: 0, rejected: 6 },
  );
  assert.match(stderr, new RegExp(`${file}: line 2: invalid JSON`));
  assert.match(stderr, /line 4: id: expected string, received undefined/);
  assert.match(stderr, /line 5: authors: expected array, received number/);
  assert.match(stderr, /line 6: invalid UTF-8/);
  assert.match(stderr, /line 7: line is 10\.0 MiB, over the limit of 1\.0 MiB/);
  assert.match(stderr, /line 8 \(2601\.00001\): title has 3000 characters, over the limit of 2000/);
  assert.match(stderr, /6 record\(s\) rejected/);
  assert.deepEqual(await ids(db), ['2601.00001', '2601.00002', '2601.00004', '2601.00008']);

  const kept = await runCli(['--db', db, 'show', '2601.00001', '--json']);
  assert.equal(JSON.parse(kept.stdout).title, 'Stored before');
});

test('Kaggle JSON lines: wrong types and unreadable dates are rejected with the field named', async (t) => {
  const dir = tempDir(t);
  const [good] = readFileSync(
    sharedPath('data', 'arxiv-kaggle-snapshot-sample', 'arxiv-metadata-oai-snapshot.first200.json'),
    'utf8',
  ).split('\n');
  const record = JSON.parse(good as string) as Record<string, unknown>;
  const file = join(dir, 'kaggle.json');
  writeFileSync(
    file,
    [
      JSON.stringify(record),
      JSON.stringify({ ...record, id: '0704.0002', categories: ['hep-ph'] }),
      JSON.stringify({ ...record, id: '0704.0003', versions: [{ version: 'v1', created: 'yesterday-ish' }] }),
      JSON.stringify({ ...record, id: 'not-an-id' }),
    ].join('\n'),
  );
  const { code, summary, stderr } = await ingest(join(dir, 'papers.db'), file);
  assert.equal(code, 1);
  assert.equal(summary.new, 1);
  assert.equal(summary.rejected, 3);
  assert.match(stderr, /line 2: categories: expected string, received array/);
  assert.match(stderr, /line 3: versions: "yesterday-ish" is not a date/);
  assert.match(stderr, /line 4: "not-an-id" is not an arXiv id/);
});

test('XML: a truncated Atom response keeps its complete entries and names where it breaks', async (t) => {
  const dir = tempDir(t);
  const xml = readFileSync(
    sharedPath('data', 'fixtures', 'arxiv-api-atom', 'arxiv-py-2016', 'search_au_del_maestro.xml'),
    'utf8',
  );
  const sixthEntry = xml.split('<entry>', 7).slice(0, 6).join('<entry>').length;
  const file = join(dir, 'truncated.xml');
  writeFileSync(file, xml.slice(0, sixthEntry + 300));
  const { code, summary, stderr } = await ingest(join(dir, 'papers.db'), file);
  assert.equal(code, 1);
  assert.equal(summary.new, 5);
  assert.equal(summary.rejected, 1);
  assert.match(stderr, /truncated\.xml: line \d+: malformed XML: .*; entry 6 \(line \d+\) is incomplete/);
});

test('XML: invalid UTF-8, a missing id and a 10 MB abstract reject only their own records', async (t) => {
  const dir = tempDir(t);
  const xml = readFileSync(
    sharedPath('data', 'fixtures', 'arxiv-oai-pmh', 'hepcrawl', 'arxiv-physics-hep-th.xml'),
  );
  const text = xml.toString('utf8');
  // Record 1: invalid bytes in its abstract. Record 2: no id. Record 3: untouched.
  const [head, r1, r2, r3] = text.split('<record>') as [string, string, string, string];
  const r1Bytes = Buffer.from(`<record>${r1}`);
  const at = r1Bytes.indexOf('We develop');
  r1Bytes[at] = 0xc3;
  r1Bytes[at + 1] = 0x28;
  const withoutId = `<record>${r2.replace(/<id>[^<]*<\/id>/, '')}`;
  const file = join(dir, 'oai.xml');
  writeFileSync(
    file,
    Buffer.concat([Buffer.from(head), r1Bytes, Buffer.from(withoutId), Buffer.from(`<record>${r3}`)]),
  );
  let result = await ingest(join(dir, 'papers.db'), file);
  assert.equal(result.code, 1);
  assert.deepEqual([result.summary.new, result.summary.rejected], [1, 2]);
  assert.match(result.stderr, /record 1 \(line \d+\): invalid UTF-8/);
  assert.match(result.stderr, /record 2 \(line \d+\): no id/);

  const big = join(dir, 'big.xml');
  writeFileSync(big, `${head}<record>${r1.replace(/<abstract>/, `<abstract>${TEN_MB}`)}<record>${r3}`);
  result = await ingest(join(dir, 'papers2.db'), big);
  assert.deepEqual([result.code, result.summary.new, result.summary.rejected], [1, 1, 1]);
  assert.match(result.stderr, /record 1 \(line \d+\): record is 10\.0 MiB, over the limit of 1\.0 MiB/);
});

test('gzip: a truncated compressed file stores what came before the damage and says so', async (t) => {
  const dir = tempDir(t);
  const lines = Array.from({ length: 2000 }, (_, i) =>
    listingLine(`2601.${String(i + 1).padStart(5, '0')}`, { summary: `Abstract ${i} `.repeat(40) }),
  );
  const gz = gzipSync(lines.join('\n'));
  const file = join(dir, 'cut.jsonl.gz');
  writeFileSync(file, gz.subarray(0, Math.floor(gz.length * 0.6)));
  const { code, summary, stderr } = await ingest(join(dir, 'papers.db'), file);
  assert.equal(code, 1);
  assert.ok(summary.new > 100 && summary.new < 2000, `${summary.new} stored`);
  assert.equal(summary.rejected, 1);
  assert.match(stderr, /cut\.jsonl\.gz: end of file: the compressed file is damaged or truncated/);
});

test('XML: an entity reference (XXE, entity expansion) rejects its record alone, and the count agrees with what is stored', async (t) => {
  const dir = tempDir(t);
  const record = (id: string, title: string) =>
    `<record><header><identifier>oai:arXiv.org:${id}</identifier><datestamp>2026-01-02</datestamp></header>` +
    `<metadata><arXiv xmlns="http://arxiv.org/OAI/arXiv/"><id>${id}</id><created>2026-01-01</created>` +
    `<title>${title}</title><authors><author><keyname>A</keyname></author></authors>` +
    `<categories>cs.LG</categories><abstract>An abstract.</abstract></arXiv></metadata></record>\n`;
  const file = join(dir, 'xxe.xml');
  writeFileSync(
    file,
    '<?xml version="1.0"?>\n' +
      '<!DOCTYPE OAI-PMH [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> <!ENTITY a "aaaaaaaaaa"> ' +
      '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"> ]>\n' +
      '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>\n' +
      record('2601.00001', 'Fine &amp; well') +
      record('2601.00002', 'Reads &xxe; a file') +
      record('2601.00003', 'Expands &b; entities') +
      record('2601.00004', 'Fine after') +
      '</ListRecords></OAI-PMH>\n',
  );
  const db = join(dir, 'papers.db');
  const { code, summary, stderr } = await ingest(db, file);
  assert.equal(code, 1);
  assert.deepEqual([summary.read, summary.new, summary.rejected], [4, 2, 2]);
  assert.deepEqual(await ids(db), ['2601.00001', '2601.00004'], 'rejected records are not stored');
  assert.match(
    stderr,
    /xxe\.xml: record 2 \(line 5\): undefined entity at line 5, column \d+ \(entities are not read\)/,
  );
  assert.match(stderr, /xxe\.xml: record 3 \(line 6\): undefined entity/);
  assert.ok(!stderr.includes('root:'), 'no file was read');
});
