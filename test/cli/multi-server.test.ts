/**
 * Several machines on one PostgreSQL database: two `openpapers serve` processes, each with its own data
 * directory (its own search index, as on two machines), and two workers. What one server does the other
 * sees: sessions, votes on the trending page, shared rate limits, papers ingested elsewhere; and 1,000
 * digests sent by the two workers, one of them killed with SIGKILL mid-way, arrive exactly once each.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { PostgresStore } from '../../src/adapters/storage/postgres/store.js';
import {
  readerId,
  REPO_ROOT,
  runCli,
  startCli,
  subscribeReaders,
  tempDir,
  until,
  writeTodaysPapers,
  type RunningCli,
} from '../helpers.js';
import { freshDatabase, postgresUnavailable } from '../postgres.js';
import { Browser, overHttp } from '../web/client.js';
import { startSmtp } from '../web/smtp.js';

const skip = postgresUnavailable() ?? false;
const today = () => new Date().toISOString().slice(0, 10);

async function serve(env: NodeJS.ProcessEnv): Promise<RunningCli & { url: string }> {
  const running = startCli(['serve', '--port', '0', '--quiet', '--public-url', 'http://hub.example'], env);
  const url = await until('the server to listen', async () => {
    if (running.child.exitCode !== null) throw new Error(`serve exited:\n${running.output()}`);
    return /serving .* at (http:\/\/[^/\s]+)\//.exec(running.output())?.[1] ?? null;
  });
  return { ...running, url };
}

/** The CSRF token of the first form on a page. */
const csrfOf = async (browser: Browser, url: string) =>
  Browser.csrf(await (await browser.request(url)).text());

test(
  'two app servers on one PostgreSQL database share sessions, votes, rate limits and new papers',
  { skip },
  async (t) => {
    const dir = tempDir(t);
    const database = await freshDatabase();
    const smtp = await startSmtp();
    t.after(() => smtp.close());
    const env = (name: string) => ({
      OPENPAPERS_DATABASE_URL: database,
      OPENPAPERS_DATA_DIR: join(dir, name),
      OPENPAPERS_SMTP_URL: smtp.url,
    });
    const demo = gunzipSync(readFileSync(join(REPO_ROOT, 'demo', 'papers.jsonl.gz'))).toString('utf8');
    const fresh = {
      id: '2612.00042',
      title: 'Quorum Sensing Lattices for Distributed Paper Hubs',
      abstract: 'A paper announced today, voted for through one server and trending on the other.',
      authors: ['Grace Hopper'],
      categories: ['cs.DC'],
      announced: today(),
      sources: ['test'],
    };
    const corpus = join(dir, 'corpus.jsonl');
    writeFileSync(corpus, [...demo.split('\n').slice(0, 300), JSON.stringify(fresh)].join('\n'));
    const ingested = await runCli(['ingest', corpus], env('cli'));
    assert.equal(ingested.code, 0, ingested.stderr);

    const a = await serve(env('a'));
    t.after(() => a.child.kill('SIGKILL'));
    const b = await serve(env('b'));
    t.after(() => b.child.kill('SIGKILL'));

    // A session made on one server is valid on the other.
    const browser = new Browser(overHttp);
    const email = 'reader@example.org';
    const signIn = async (server: string, from = browser) =>
      from.request(`${server}/signin`, { form: { email, csrf: await csrfOf(from, `${server}/signin`) } });
    assert.equal((await signIn(a.url)).status, 200);
    const mail = (await smtp.waitFor(1))[0];
    const link = new URL(/http:\/\/\S+/.exec(mail?.text ?? '')?.[0] as string);
    const confirm = await (await browser.request(`${a.url}${link.pathname}${link.search}`)).text();
    const token = /name="token" value="([^"]+)"/.exec(confirm)?.[1] as string;
    const csrf = Browser.csrf(confirm);
    assert.equal((await browser.request(`${a.url}/signin/verify`, { form: { token, csrf } })).status, 303);
    const account = await browser.request(`${b.url}/account`);
    assert.equal(account.status, 200, 'signed in on the other server');
    assert.match(await account.text(), /reader@example\.org/);

    // A vote through B shows on A's trending page.
    const paperCsrf = await csrfOf(browser, `${b.url}/papers/${fresh.id}`);
    const voted = await browser.request(`${b.url}/papers/${fresh.id}/vote`, {
      form: { up: '1', csrf: paperCsrf },
    });
    assert.equal(voted.status, 303);
    const trending = (await (await fetch(`${a.url}/api/trending`)).json()) as {
      items: { id: string; votes: number }[];
    };
    assert.deepEqual(
      trending.items.filter((item) => item.id === fresh.id).map((item) => item.votes),
      [1],
    );
    assert.match(await (await fetch(`${a.url}/trending`)).text(), /Quorum Sensing Lattices/);

    // Rate limits are shared: five sign-in requests for one address per 15 minutes, wherever they go (from
    // a browser that is signed out, as one asking for a link is).
    const other = new Browser(overHttp);
    const statuses = [];
    for (const server of [b.url, a.url, b.url, a.url, b.url])
      statuses.push((await signIn(server, other)).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 429], 'the first request was the one on A');

    // A paper ingested from elsewhere is found by search on both servers within seconds.
    const later = { ...fresh, id: '2612.00043', title: 'Gossip Protocols for Replicated Search Indexes' };
    const file = join(dir, 'later.jsonl');
    writeFileSync(file, JSON.stringify(later));
    const added = await runCli(['ingest', file], env('cli'));
    assert.equal(added.code, 0, added.stderr);
    for (const server of [a, b]) {
      await until(
        `the new paper on ${server.url}`,
        async () => {
          const found = (await (
            await fetch(
              `${server.url}/api/search?q=${encodeURIComponent('gossip protocols replicated')}&mode=lexical`,
            )
          ).json()) as { items: { id: string }[] };
          return found.items[0]?.id === later.id ? true : null;
        },
        30_000,
      );
    }
  },
);

test(
  '1,000 digests sent by two workers on one PostgreSQL database, one killed mid-way, arrive once each',
  { skip },
  async (t) => {
    const dir = tempDir(t);
    const database = await freshDatabase();
    const papers = join(dir, 'today.jsonl');
    writeTodaysPapers(papers, 12);
    const ingested = await runCli(['ingest', papers], { OPENPAPERS_DATABASE_URL: database });
    assert.equal(ingested.code, 0, ingested.stderr);
    const store = await PostgresStore.open(database);
    t.after(() => store.close());
    await subscribeReaders(store, 1000);

    const workers: RunningCli[] = [];
    const smtp = await startSmtp({
      // The 400th message never gets its 250: the first worker is killed while it waits for the answer.
      beforeAccept: () => {
        const first = workers[0]?.child;
        if (smtp.received.length !== 400 || !first || first.exitCode !== null || first.signalCode !== null)
          return true;
        first.kill('SIGKILL');
        return false;
      },
    });
    t.after(() => smtp.close());
    const env = (name: string) => ({
      OPENPAPERS_DATABASE_URL: database,
      OPENPAPERS_DATA_DIR: join(dir, name),
      OPENPAPERS_SMTP_URL: smtp.url,
      OPENPAPERS_PUBLIC_URL: 'http://hub.example',
      OPENPAPERS_CRON_EMBED: 'off',
      OPENPAPERS_CRON_WEEKLY_DIGESTS: 'off',
      OPENPAPERS_CRON_DAILY_DIGESTS: '* * * * * *',
      OPENPAPERS_LEASE_SECONDS: '2',
    });
    workers.push(startCli(['worker'], env('a')), startCli(['worker'], env('b')));
    t.after(() => workers.forEach((worker) => worker.child.kill('SIGKILL')));
    await smtp.waitFor(1000);
    // A little longer, so that a digest sent twice would have arrived too.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal(workers[0]?.child.signalCode, 'SIGKILL', workers[0]?.output());
    const survivor = workers[1] as RunningCli;
    survivor.child.kill('SIGTERM');
    const [code] = (await once(survivor.child, 'exit')) as [number | null];
    assert.equal(code, 0, survivor.output());

    const recipients = smtp.received.map((mail) => (mail.to && 'text' in mail.to ? mail.to.text : ''));
    assert.equal(smtp.received.length, 1000);
    assert.equal(new Set(recipients).size, 1000, 'nobody got two');
    const sends = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => store.getDigest(readerId(i), today())),
    );
    assert.ok(
      sends.every((send) => send?.status === 'sent'),
      'every digest recorded as sent',
    );
    assert.ok(
      sends.some((send) => (send?.attempts ?? 0) >= 2),
      'the one interrupted was taken over and sent again',
    );
  },
);
