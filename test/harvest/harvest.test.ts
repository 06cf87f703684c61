/**
 * Harvesting arXiv's OAI-PMH, against the recorded responses replayed from a local server, into a real
 * SQLite store: the resumption chain, 503 with Retry-After, an expired token, a malformed page, SIGKILL
 * mid-harvest, a new version of a known paper, and a worker that harvests, embeds and indexes on its
 * schedule while a server answers.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { harvestNewest, harvestOai, type HarvestRequest } from '../../src/app/harvest.js';
import { parseArxivFeed } from '../../src/adapters/harvest/arxiv-feed.js';
import { parseOaiPage } from '../../src/adapters/harvest/oai-pmh-page.js';
import { politeHttp } from '../../src/adapters/harvest/polite-http.js';
import { SqliteStore } from '../../src/adapters/storage/sqlite/store.js';
import { checkpointName, type OaiHarvestTarget } from '../../src/core/harvest/oai-pmh.js';
import { paperDay } from '../../src/core/paper.js';
import { CLI, runCli, sharedPath, startCli, tempDir, TEST_ENV, until } from '../helpers.js';
import {
  CS_FIRST_IDS,
  CS_SECOND_IDS,
  CS_SECOND_PAGE,
  CS_TOKEN,
  HEP_TH_PAGE,
  recordedAnswer,
  startApiReplay,
  startOaiReplay,
  type OaiReplay,
} from './oai-replay.js';

const CS: OaiHarvestTarget = { set: 'cs', metadataPrefix: 'oai_dc' };
const HEP_TH: OaiHarvestTarget = { set: 'physics:hep-th', metadataPrefix: 'arXiv' };
const NOW = new Date('2026-12-01T02:00:00.000Z');

let replay: OaiReplay;
before(async () => {
  replay = await startOaiReplay();
});
after(() => replay.close());
beforeEach(() => {
  replay.requests.length = 0;
  replay.answer = recordedAnswer;
});

function harvest(
  store: SqliteStore,
  target: OaiHarvestTarget,
  options: Partial<HarvestRequest> & { intervalMs?: number } = {},
) {
  return harvestOai(
    {
      store,
      http: politeHttp({ intervalMs: options.intervalMs ?? 0 }),
      parsePage: parseOaiPage,
      now: () => NOW,
    },
    { base: replay.url, target, firstFrom: '2024-01-25', ...options },
  );
}

const asked = () =>
  replay.requests.map(
    ({ query }) =>
      query.get('resumptionToken') ??
      `from ${query.get('from')} ${query.get('set')} ${query.get('metadataPrefix')}`,
  );

async function storedIds(store: SqliteStore, ids: readonly string[]): Promise<string[]> {
  return [...(await store.getPapers(ids)).keys()].sort();
}

describe('OAI-PMH harvesting', () => {
  test('follows the resumption chain to its end, waits out 503 Retry-After, keeps its pace, and resumes from the response date', async (t) => {
    const store = new SqliteStore(join(tempDir(t), 'hub.db'));
    t.after(() => store.close());
    let busy = 0;
    replay.answer = (query) =>
      query.get('resumptionToken') && busy++ === 0
        ? { status: 503, headers: { 'retry-after': '1' }, body: 'Retry later' }
        : recordedAnswer(query);

    const { counts, checkpoint } = await harvest(store, CS, { intervalMs: 200 });
    assert.deepEqual(asked(), ['from 2024-01-25 cs oai_dc', CS_TOKEN, CS_TOKEN]);
    const [first, refused, retried] = replay.requests.map((request) => request.at) as [
      number,
      number,
      number,
    ];
    assert.ok(refused - first >= 190, `one request every interval (${(refused - first).toFixed(0)} ms)`);
    assert.ok(retried - refused >= 990, `Retry-After obeyed (${(retried - refused).toFixed(0)} ms)`);
    assert.deepEqual(
      {
        pages: counts.pages,
        read: counts.read,
        new: counts.new,
        rejected: counts.rejected,
        deleted: counts.deleted,
      },
      { pages: 2, read: 7, new: 7, rejected: 0, deleted: 0 },
    );
    assert.deepEqual(
      await storedIds(store, [...CS_FIRST_IDS, ...CS_SECOND_IDS]),
      [...CS_FIRST_IDS, ...CS_SECOND_IDS].sort(),
    );
    assert.deepEqual(
      checkpoint,
      { from: '2024-01-27', token: null, nextFrom: null },
      'the next harvest starts from the day of the first response',
    );
    assert.deepEqual(JSON.parse((await store.getCursor(checkpointName(CS))) as string), {
      ...checkpoint,
      last: {
        at: NOW.toISOString(),
        pages: 2,
        read: 7,
        new: 7,
        updated: 0,
        unchanged: 0,
        deleted: 0,
        rejected: 0,
      },
    });

    replay.requests.length = 0;
    const again = await harvest(store, CS);
    assert.deepEqual(asked(), ['from 2024-01-27 cs oai_dc']);
    assert.equal(again.counts.read, 0, 'noRecordsMatch: nothing new');
    assert.equal(again.checkpoint.from, '2024-01-27');
    assert.equal((await store.stats()).papers, 7);
  });

  test('an expired resumption token starts the window again from the checkpoint', async (t) => {
    const store = new SqliteStore(join(tempDir(t), 'hub.db'));
    t.after(() => store.close());
    await store.setCursor(
      checkpointName(CS),
      JSON.stringify({ from: '2024-01-25', token: 'expired|1', nextFrom: '2024-01-27' }),
      NOW.toISOString(),
    );
    const { counts, checkpoint } = await harvest(store, CS);
    assert.deepEqual(asked(), ['expired|1', 'from 2024-01-25 cs oai_dc', CS_TOKEN]);
    assert.equal(counts.new, 7);
    assert.equal(checkpoint.from, '2024-01-27');
  });

  test('a malformed page is named in the error; the pages before it stay stored, and the next harvest resumes at it', async (t) => {
    const store = new SqliteStore(join(tempDir(t), 'hub.db'));
    t.after(() => store.close());
    replay.answer = (query) =>
      query.get('resumptionToken')
        ? { body: CS_SECOND_PAGE.slice(0, CS_SECOND_PAGE.length / 2) }
        : recordedAnswer(query);
    await assert.rejects(harvest(store, CS), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'OP_ERR_UPSTREAM');
      assert.match(
        error.message,
        /the page for resumption token "6960524\|1001" .* cannot be read: malformed XML/,
      );
      assert.match(error.message, /; 1 page before it stored; the next harvest starts again from this one$/);
      return true;
    });
    assert.deepEqual(await storedIds(store, [...CS_FIRST_IDS, ...CS_SECOND_IDS]), [...CS_FIRST_IDS].sort());
    assert.equal(JSON.parse((await store.getCursor(checkpointName(CS))) as string).token, CS_TOKEN);

    replay.answer = recordedAnswer;
    replay.requests.length = 0;
    const { counts } = await harvest(store, CS);
    assert.deepEqual(asked(), [CS_TOKEN]);
    assert.equal(counts.new, 2);
    assert.equal((await store.stats()).papers, 7);
  });

  test('a new version of a known paper updates it without moving its day', async (t) => {
    const store = new SqliteStore(join(tempDir(t), 'hub.db'));
    t.after(() => store.close());
    const first = await harvest(store, HEP_TH, { firstFrom: '2017-12-01' });
    assert.equal(first.counts.new, 3);
    const before = await store.getPaper('1607.01710');
    assert.ok(before);

    // The same record after its author replaced it: a new title, a later `updated` date.
    const revised = HEP_TH_PAGE.replace('2017-12-14T12:56:31Z', '2017-12-21T12:00:00Z').replace(
      /<id>1607\.01710<\/id>([\s\S]*?)<updated>2016-10-13<\/updated>([\s\S]*?)<title>[\s\S]*?<\/title>/,
      '<id>1607.01710</id>$1<updated>2017-12-20</updated>$2<title>A revised title</title>',
    );
    assert.notEqual(revised, HEP_TH_PAGE);
    replay.answer = () => ({ body: revised });
    const second = await harvest(store, HEP_TH);
    assert.deepEqual([second.counts.updated, second.counts.unchanged, second.counts.new], [1, 2, 0]);
    const after = await store.getPaper('1607.01710');
    assert.equal(after?.title, 'A revised title');
    assert.equal(after?.updated?.slice(0, 10), '2017-12-20');
    assert.equal(paperDay(after!), paperDay(before), 'its day does not move');
    assert.equal(after?.firstSeen, before.firstSeen);
  });
});

describe('the arXiv API, newest first', () => {
  test("pages down to the last harvest's newest paper, and on the next run takes only what is newer", async (t) => {
    const api = await startApiReplay();
    t.after(() => api.close());
    const store = new SqliteStore(join(tempDir(t), 'hub.db'));
    t.after(() => store.close());
    const run = () =>
      harvestNewest(
        { store, http: politeHttp({ intervalMs: 0 }), parseFeed: parseArxivFeed, now: () => NOW },
        { base: api.url, categories: ['cs.SE', 'cs.LG'], firstFrom: '1990-01-01', pageSize: 25 },
      );
    const total = api.entries.length;
    assert.ok(total > 50, `${total} recorded entries`);

    const first = await run();
    const [query] = api.requests;
    assert.equal(query?.get('search_query'), 'cat:cs.SE OR cat:cs.LG');
    assert.equal(query?.get('sortBy'), 'submittedDate');
    assert.equal(query?.get('sortOrder'), 'descending');
    assert.deepEqual(
      api.requests.map((request) => request.get('start')),
      Array.from({ length: Math.floor(total / 25) + 1 }, (_, i) => String(i * 25)),
      'every page, to a short or empty last one',
    );
    assert.equal(first.counts.new, total);
    assert.equal(first.newest, /<published>([^<]+)<\/published>/.exec(api.entries[0] as string)?.[1]);

    api.requests.length = 0;
    const again = await run();
    assert.equal(api.requests.length, 1, 'the first page reaches what was seen');
    assert.equal(again.counts.new, 0);

    // A submission newer than any: it alone is new, and the harvest stops at the first page.
    const newer = (api.entries[0] as string)
      .replace(/<id>[^<]+<\/id>/, '<id>http://arxiv.org/abs/2612.00001v1</id>')
      .replace(/<published>[^<]+<\/published>/, '<published>2026-11-30T18:00:00Z</published>');
    api.entries.unshift(newer);
    api.requests.length = 0;
    const third = await run();
    assert.deepEqual([api.requests.length, third.counts.new, third.newest], [1, 1, '2026-11-30T18:00:00Z']);
    assert.ok(await store.getPaper('2612.00001'));
    assert.equal((await store.stats()).papers, total + 1);
  });
});

describe('openpapers harvest and the worker', () => {
  const env = (oai: string): NodeJS.ProcessEnv => ({
    OPENPAPERS_ARXIV_OAI: oai,
    OPENPAPERS_ARXIV_INTERVAL_SECONDS: '0',
    OPENPAPERS_HARVEST_SETS: 'cs',
    OPENPAPERS_HARVEST_FORMAT: 'oai_dc',
    // Back to before the recorded page.
    OPENPAPERS_HARVEST_DAYS: '3000',
  });

  test('killed with SIGKILL mid-harvest, it resumes from its checkpoint with exact counts', async (t) => {
    const db = join(tempDir(t), 'hub.db');
    let release: () => void = () => undefined;
    replay.answer = (query) =>
      query.get('resumptionToken')
        ? { body: CS_SECOND_PAGE, delay: new Promise<void>((resolve) => (release = resolve)) }
        : recordedAnswer(query);
    const child = spawn(process.execPath, [CLI, '--db', db, 'harvest'], {
      env: { ...process.env, ...TEST_ENV, ...env(replay.url) },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    while (!replay.requests.some(({ query }) => query.get('resumptionToken')))
      await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    release();

    replay.answer = recordedAnswer;
    replay.requests.length = 0;
    const resumed = await runCli(['--db', db, 'harvest', '--json'], env(replay.url));
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(asked(), [CS_TOKEN], 'it goes on from the page in flight');
    const [cs] = JSON.parse(resumed.stdout) as {
      set: string;
      counts: { new: number; pages: number };
      from: string;
    }[];
    assert.deepEqual([cs?.set, cs?.counts.pages, cs?.counts.new, cs?.from], ['cs', 1, 2, '2024-01-27']);
    assert.match(resumed.stderr, /cs \(oai_dc\): 1 page, 2 records seen, 2 new/);
    const stats = await runCli(['--db', db, 'stats', '--json']);
    assert.equal(
      (JSON.parse(stats.stdout) as { papers: number }).papers,
      7,
      'no record lost or stored twice',
    );
  });

  test('a worker on its schedule harvests, embeds and indexes; a running server finds the new papers with no restart', async (t) => {
    const dir = tempDir(t);
    const db = join(dir, 'hub.db');
    const model = {
      OPENPAPERS_EMBED_MODEL: sharedPath('models', 'converted', 'universal-sentence-encoder-lite'),
    };
    const seed = join(dir, 'seed.jsonl');
    writeFileSync(seed, JSON.stringify({ id: '2611.00001', title: 'Seed', abstract: 'A first paper.' }));
    assert.equal((await runCli(['--db', db, 'ingest', seed])).code, 0);

    const spawnCli = (args: string[], extra: NodeJS.ProcessEnv) => {
      const running = startCli(['--db', db, ...args], { ...model, ...extra });
      t.after(() => running.child.kill('SIGKILL'));
      return running;
    };
    const server = spawnCli(['serve', '--port', '0', '--quiet'], {});
    const base = await until(
      'the server',
      async () => /serving .* at (http:\/\/[^/\s]+)\//.exec(server.output())?.[1] ?? null,
      180_000,
    );
    spawnCli(['worker'], {
      ...env(replay.url),
      // A slot long past: the worker runs it once on starting, and no other harvest comes while the test
      // reads what that one saw (a harvest a minute later would see nothing new, rightly).
      OPENPAPERS_CRON_HARVEST: '0 0 1 1 *',
      OPENPAPERS_CRON_EMBED: '* * * * *',
      OPENPAPERS_SMTP_URL: '',
    });

    const search = async (query: string, mode: string) => {
      const response = await fetch(`${base}/api/search?q=${encodeURIComponent(query)}&mode=${mode}`);
      return response.ok
        ? ((await response.json()) as { items: { id: string }[] }).items.map((item) => item.id)
        : [];
    };
    const byKeyword = await until(
      'keyword search to find a harvested paper',
      async () =>
        (await search('Extended Fourier analysis of signals', 'lexical')).includes('1303.2033') ? true : null,
      180_000,
    );
    assert.ok(byKeyword);
    const byMeaning = await until(
      'semantic search to find it once embedded',
      async () =>
        (await search('Extended Fourier analysis of signals', 'semantic'))[0] === '1303.2033' ? true : null,
      180_000,
    );
    assert.ok(byMeaning);
    const jobs = JSON.parse((await runCli(['--db', db, 'jobs', '--json'])).stdout) as {
      runs: { job: string; status: string; summary: string | null }[];
    };
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /openpapers_harvest_records\{set="cs",format="oai_dc",outcome="new"\} 7/);
    assert.match(metrics, /openpapers_harvest_records\{set="cs",format="oai_dc",outcome="rejected"\} 0/);
    assert.match(metrics, /openpapers_harvest_in_progress\{set="cs",format="oai_dc"\} 0/);
    const from = Date.parse('2024-01-27T00:00:00Z') / 1000;
    assert.match(
      metrics,
      new RegExp(`openpapers_harvest_checkpoint_timestamp_seconds\\{set="cs",format="oai_dc"\\} ${from}`),
    );
    const harvested = jobs.runs.find((run) => run.job === 'harvest');
    assert.equal(harvested?.status, 'done');
    assert.match(
      String(harvested?.summary),
      /cs: 7 records seen, 7 new, 0 updated, 0 deleted, 0 rejected, next from 2024-01-27/,
    );
  });
});
