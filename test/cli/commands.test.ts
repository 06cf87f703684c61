/** The command line as a person uses it: help, the read commands, where the database lives, and errors. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseSummary, REPO_ROOT, runCli, sharedPath } from '../helpers.js';

const KAGGLE = sharedPath(
  'data',
  'arxiv-kaggle-snapshot-sample',
  'arxiv-metadata-oai-snapshot.first200.json',
);

describe('openpapers CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openpapers-cli-'));
  const db = join(dir, 'papers.db');
  after(() => rmSync(dir, { recursive: true, force: true }));

  before(async () => {
    const result = await runCli(['--db', db, 'ingest', KAGGLE, '--json']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(parseSummary(result.stdout).new, 200);
  });

  test('--help works for the program and every command', async () => {
    const main = await runCli(['--help']);
    assert.equal(main.code, 0);
    for (const command of ['ingest', 'show', 'list', 'stats'])
      assert.match(main.stdout, new RegExp(`\\b${command}\\b`));
    for (const [command, option] of [
      ['ingest', '--format'],
      ['show', '--json'],
      ['list', '--category'],
      ['stats', '--json'],
    ] as const) {
      const help = await runCli([command, '--help']);
      assert.equal(help.code, 0, command);
      assert.match(help.stdout, new RegExp(option), command);
    }
    assert.match((await runCli(['ingest', '--help'])).stdout, /arxiv-listing .*\n.*arxiv-atom/s);
  });

  test('show: any spelling of the id; text and JSON', async () => {
    const text = await runCli(['--db', db, 'show', 'https://arxiv.org/abs/0704.0001v2']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      /^Calculation of prompt diphoton production cross sections at Tevatron and LHC energies\n/,
    );
    assert.match(text.stdout, /authors: +C\. Balázs, E\. L\. Berger, P\. M\. Nadolsky, C\.-P\. Yuan/);
    assert.match(text.stdout, /versions: +v1 2007-04-02, v2 2007-07-24/);
    const json = JSON.parse((await runCli(['--db', db, 'show', 'arXiv:0704.0001', '--json'])).stdout);
    assert.equal(json.doi, '10.1103/PhysRevD.76.013009');
    assert.deepEqual(json.categories, ['hep-ph']);
  });

  test('list: date range, category (cross-lists included), limit, newest first', async () => {
    const result = await runCli([
      '--db',
      db,
      'list',
      '--from',
      '2007-04-02',
      '--to',
      '2007-04-02',
      '--category',
      'math.CO',
      '--limit',
      '50',
      '--json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const papers = (
      JSON.parse(result.stdout) as { papers: { id: string; published: string; categories: string[] }[] }
    ).papers;
    assert.ok(papers.length > 0);
    for (const paper of papers) {
      assert.equal(paper.published.slice(0, 10), '2007-04-02');
      assert.ok(paper.categories.includes('math.CO'), paper.id);
    }
    const ids = papers.map((p) => p.id);
    assert.deepEqual(ids, [...ids].sort().reverse());
    const limited = await runCli(['--db', db, 'list', '--limit', '3']);
    assert.equal(limited.stdout.trim().split('\n').length, 3);
    assert.match(limited.stdout, /^\d{4}-\d{2}-\d{2} {2}0704\.\d{4}/);
  });

  test('stats: totals by month and primary category', async () => {
    const json = JSON.parse((await runCli(['--db', db, 'stats', '--json'])).stdout);
    assert.equal(json.papers, 200);
    assert.equal(
      Object.values(json.byMonth as Record<string, number>).reduce((a, b) => a + b, 0),
      200,
    );
    const text = await runCli(['--db', db, 'stats']);
    assert.match(text.stdout, /^200 papers in /);
    assert.match(text.stdout, /By primary category/);
  });

  test('errors are one clear line with a distinct exit status', async () => {
    const cases: [string[], number, RegExp][] = [
      [['--db', db, 'show', '0704.9999'], 3, /^openpapers: no paper with id "0704\.9999" in /],
      [
        ['--db', join(dir, 'missing.db'), 'stats'],
        5,
        /^openpapers: no database at .*missing\.db; run "openpapers ingest <file>" first$/,
      ],
      [['--db', db, 'list', '--from', '2007-02-30'], 2, /--from.*must be a date as YYYY-MM-DD/],
      [['--db', db, 'list', '--limit', '0'], 2, /must be a positive whole number/],
      [
        ['--db', db, 'list', '--from', '2008-01-01', '--to', '2007-01-01'],
        2,
        /^openpapers: --from 2008-01-01 is after --to 2007-01-01$/,
      ],
      [
        ['--db', db, 'ingest', join(dir, 'nothing-here.json')],
        4,
        /^openpapers: cannot read .*nothing-here\.json: no such file or directory$/,
      ],
      [
        ['--db', db, 'ingest', KAGGLE, '--format', 'csv'],
        2,
        /--format.*must be one of kaggle, arxiv-listing/,
      ],
      [
        ['--db', db, 'frobnicate'],
        2,
        /^openpapers: unknown command 'frobnicate' \(see "openpapers --help"\)$/,
      ],
      [['citations', '--help'], 2, /^openpapers: unknown command 'citations' \(see "openpapers --help"\)$/],
      [
        ['--db', db, 'index', 'bogus'],
        2,
        /^openpapers: unknown command 'index bogus' \(see "openpapers index --help"\)$/,
      ],
      [
        ['--db', db, 'search'],
        2,
        /^openpapers: missing required argument 'query' \(see "openpapers search --help"\)$/,
      ],
      [
        ['--db', db, 'list', '--frobnicate'],
        2,
        /^openpapers: unknown option '--frobnicate' \(see "openpapers list --help"\)$/,
      ],
    ];
    for (const [args, code, message] of cases) {
      const result = await runCli(args);
      assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr.split('\n')[0] ?? '', message, args.join(' '));
      assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace without --verbose');
      assert.doesNotMatch(result.stderr, /^error:/m);
    }
  });

  test('serve on a port in use: one line that names the port', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const result = await runCli(['--db', db, 'serve', '--port', String(port), '--no-index-builder']);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(
        result.stderr,
        `openpapers: cannot serve: 127.0.0.1 port ${port} is in use by another program; choose another port with --port\n`,
      );
    } finally {
      taken.close();
    }
  });

  test('--version and user list', async () => {
    const version = await runCli(['--version']);
    assert.equal(version.code, 0);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(version.stdout, `${pkg.version}\n`);
    const users = join(dir, 'users.db');
    assert.match((await runCli(['--db', users, 'user', 'list'])).stderr, /no database/);
    for (const args of [
      ['ada@example.org', '--admin'],
      ['bob@example.org', '--moderator'],
      ['cy@example.org'],
    ]) {
      assert.equal((await runCli(['--db', users, 'user', 'create', ...args])).code, 0);
    }
    const listed = await runCli(['--db', users, 'user', 'list']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^ada@example.org {2}admin {6}since \d{4}-\d\d-\d\d {2}0 votes\n/);
    assert.equal(listed.stdout.trim().split('\n').length, 3);
    const admins = JSON.parse(
      (await runCli(['--db', users, 'user', 'list', '--role', 'moderator', '--json'])).stdout,
    ) as {
      users: { email: string; role: string }[];
    };
    assert.deepEqual(
      admins.users.map((user) => [user.email, user.role]),
      [['bob@example.org', 'moderator']],
    );
  });

  test('a database that cannot be opened: one line, and the stack trace only with --verbose', async () => {
    const notADb = join(dir, 'a-directory.db');
    mkdirSync(notADb);
    const plain = await runCli(['--db', notADb, 'ingest', KAGGLE]);
    assert.equal(plain.code, 5);
    assert.match(plain.stderr, /^openpapers: cannot open the database .*a-directory\.db: /);
    assert.equal(plain.stderr.trim().split('\n').length, 1);
    const verbose = await runCli(['--db', notADb, '--verbose', 'ingest', KAGGLE]);
    assert.match(verbose.stderr, /\n\s+at /);
  });

  test('the database defaults to OPENPAPERS_DB, then openpapers.db in OPENPAPERS_DATA_DIR', async () => {
    const viaEnv = join(dir, 'env.db');
    assert.equal((await runCli(['ingest', KAGGLE], { OPENPAPERS_DB: viaEnv })).code, 0);
    assert.ok(existsSync(viaEnv));
    const dataDir = join(dir, 'data-home');
    assert.equal((await runCli(['ingest', KAGGLE], { OPENPAPERS_DATA_DIR: dataDir })).code, 0);
    assert.ok(existsSync(join(dataDir, 'openpapers.db')));
    const flagWins = join(dir, 'flag.db');
    assert.equal((await runCli(['--db', flagWins, 'stats'], { OPENPAPERS_DB: viaEnv })).code, 5);
  });
});
