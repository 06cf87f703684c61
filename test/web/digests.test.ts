/**
 * Digests through a real SMTP server: double opt-in, the mail's headers and parts, links that work when
 * followed against the app, each digest once, no paper twice, retries after 4xx, a pause after 5xx.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ParsedMail } from 'mailparser';
import type { Subscriber } from '../../src/app/ports.js';
import { Browser, signInByMail } from './client.js';
import { webFixture, type WebFixture } from './fixture.js';

const READER = 'reader@example.org';

describe('digests', () => {
  let fixture: WebFixture;

  before(async () => {
    fixture = await webFixture({ after: (fn) => process.on('exit', fn) });
  });
  after(() => fixture.close());

  const later = (minutes: number) => {
    fixture.now.value = new Date(Date.parse(fixture.now.value) + minutes * 60_000).toISOString();
  };
  const mailsTo = (email: string) =>
    fixture.smtp.received.filter((mail) => mail.to && 'text' in mail.to && mail.to.text === email);
  const path = (url: string) => {
    const parsed = new URL(url);
    return parsed.pathname + parsed.search;
  };
  const linksIn = (text: string) => [...text.matchAll(/http:\/\/localhost\/\S+/g)].map((m) => m[0]);

  async function subscribe(browser: Browser, fields: Record<string, string>) {
    const form = await (await browser.request('/subscribe')).text();
    return browser.request('/subscribe', {
      form: { csrf: Browser.csrf(form), frequency: 'daily', ...fields },
    });
  }

  test('subscribing by email alone waits for the emailed confirmation (double opt-in)', async () => {
    const stranger = new Browser(fixture);
    const sent = fixture.smtp.received.length;
    const asked = await subscribe(stranger, {
      email: READER,
      trending: 'yes',
      categories: 'cs.CL',
      searches: 'attention',
    });
    assert.equal(asked.status, 200);
    assert.match(await asked.text(), /Check your inbox/);
    const [mail] = (await fixture.smtp.waitFor(sent + 1)).slice(sent);
    assert.equal((await fixture.store.getSubscriberByEmail(READER))?.status, 'pending');
    assert.equal((await fixture.digests.sendDue('daily')).sent, 0);
    assert.equal(mailsTo(READER).length, 1, 'nothing but the confirmation before it is confirmed');

    const link = /http:\/\/localhost\/subscribe\/confirm\?token=\S+/.exec(mail?.text ?? '')?.[0] as string;
    const page = await (await stranger.request(path(link))).text();
    const token = /name="token" value="([^"]+)"/.exec(page)?.[1] as string;
    const confirmed = await stranger.request('/subscribe/confirm', {
      form: { token, csrf: Browser.csrf(page) },
    });
    assert.equal(confirmed.status, 200);
    assert.equal((await fixture.store.getSubscriberByEmail(READER))?.status, 'active');
    const again = await stranger.request('/subscribe/confirm', { form: { token, csrf: Browser.csrf(page) } });
    assert.equal(again.status, 400, 'a confirmation link works once');
  });

  let digest: ParsedMail;

  test('a digest: headers, both parts, why each paper was chosen', async () => {
    const counts = await fixture.digests.sendDue('daily');
    assert.deepEqual(counts, { sent: 1, empty: 0, skipped: 0, retrying: 0, paused: 0 });
    digest = mailsTo(READER).at(-1) as ParsedMail;
    const subscriber = await fixture.store.getSubscriberByEmail(READER);
    assert.equal(digest.messageId, `<digest.2026-07-01.${subscriber?.id}@localhost>`);
    assert.ok(digest.date instanceof Date && !Number.isNaN(digest.date.getTime()));
    // The raw header lines, unfolded: mailparser groups List-* headers by itself.
    const header = (key: string) =>
      digest.headerLines.find((line) => line.key === key)?.line.replace(/\r?\n\s*/g, ' ');
    assert.equal(header('list-unsubscribe-post'), 'List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    assert.equal(
      header('list-unsubscribe'),
      `List-Unsubscribe: <http://localhost/unsubscribe/${subscriber?.linkToken}>`,
    );
    const sent = await fixture.store.getDigest(subscriber?.id as string, '2026-07-01');
    assert.ok(sent && sent.papers.length > 0 && sent.papers.length <= 10);
    const papers = await fixture.store.getPapers(sent.papers.map((item) => item.paperId));
    for (const item of sent.papers) {
      const title = papers.get(item.paperId)?.title as string;
      assert.ok(digest.text?.includes(title), `text part: ${title}`);
      assert.ok(
        String(digest.html).includes(title.replace(/&/g, '&amp;').replace(/</g, '&lt;')),
        `html: ${title}`,
      );
      assert.match(item.reason, /^(new in cs\.CL|matches your search "attention"|trending: \d+ votes?)$/);
      assert.ok(digest.text?.includes(`Why: ${item.reason}`));
    }
    assert.ok(sent.papers.some((item) => item.reason === 'new in cs.CL'));
    assert.ok(sent.papers.some((item) => item.reason.startsWith('matches your search')));
  });

  test("the digest's links work against the app, without signing in", async () => {
    const links = linksIn(digest.text ?? '');
    const web = links.find((link) => /\/digest\/[^/]+\/2026-07-01$/.test(link)) as string;
    const webView = await fixture.app.request(path(web));
    assert.equal(webView.status, 200);
    const firstTitle = /^1\. (.+)$/m.exec(digest.text ?? '')?.[1] as string;
    assert.ok((await webView.text()).includes(firstTitle.replace(/&/g, '&amp;').replace(/</g, '&lt;')));

    const paperLink = links.find((link) => link.includes('/papers/')) as string;
    assert.equal((await fixture.app.request(path(paperLink))).status, 200);

    const down = links.find((link) => link.includes('vote=down')) as string;
    assert.equal((await fixture.app.request(path(down))).status, 200);
    const subscriber = await fixture.store.getSubscriberByEmail(READER);
    const paper = new URL(down).searchParams.get('paper');
    assert.deepEqual(await fixture.store.feedback(subscriber?.id as string), [{ paperId: paper, up: false }]);

    // A link-checking mail filter opens every link at once: the 👍 and 👎 of each paper cancel out.
    const votes = links.filter((link) => link.includes('/feedback?'));
    assert.equal(votes.length, 2 * (digest.text?.match(/^\d+\. /gm)?.length ?? 0));
    for (const link of votes) assert.equal((await fixture.app.request(path(link))).status, 200);
    const others = votes.find((link) => !link.includes(`paper=${encodeURIComponent(paper as string)}&`));
    const other = new URL(others as string).searchParams.get('paper') as string;
    assert.equal(await fixture.store.getFeedback(subscriber?.id as string, other), null, 'nothing counted');
    // A reader a few minutes later counts.
    later(3);
    const up = await fixture.app.request(
      path(
        `http://localhost/digest/${subscriber?.linkToken}/feedback?paper=${encodeURIComponent(other)}&vote=up`,
      ),
    );
    assert.match(await up.text(), /more papers like this one/);
    assert.equal((await fixture.store.getFeedback(subscriber?.id as string, other))?.up, true);

    const subscribePage = links.find((link) => link.endsWith('/subscribe')) as string;
    assert.equal((await fixture.app.request(path(subscribePage))).status, 200);
    assert.equal((await fixture.app.request('/digest/not-a-token/2026-07-01')).status, 404);
  });

  test('each digest goes once; the next one brings no paper twice; nothing new means no mail', async () => {
    assert.deepEqual(await fixture.digests.sendDue('daily'), {
      sent: 0,
      empty: 0,
      skipped: 1,
      retrying: 0,
      paused: 0,
    });
    assert.equal(mailsTo(READER).length, 2, 'the confirmation and one digest');
    const subscriber = await fixture.store.getSubscriberByEmail(READER);
    const first = new Set(
      (await fixture.store.getDigest(subscriber?.id as string, '2026-07-01'))?.papers.map((p) => p.paperId),
    );

    later(24 * 60);
    const next = await fixture.digests.sendDue('daily');
    const second = await fixture.store.getDigest(subscriber?.id as string, '2026-07-02');
    assert.ok(second, 'the next day is claimed');
    for (const item of second.papers) assert.ok(!first.has(item.paperId), `${item.paperId} came twice`);
    if (second.papers.length === 0) {
      assert.equal(next.empty, 1);
      assert.equal(mailsTo(READER).length, 2, 'no empty digest');
    } else {
      assert.equal(mailsTo(READER).length, 3);
    }
  });

  test('one-click unsubscribe (RFC 8058) works without a cookie or a CSRF token', async () => {
    const subscriber = await fixture.store.getSubscriberByEmail(READER);
    const response = await fixture.app.request(`/unsubscribe/${subscriber?.linkToken}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    assert.equal(response.status, 200);
    assert.equal((await fixture.store.getSubscriberByEmail(READER))?.status, 'unsubscribed');
    later(24 * 60);
    await fixture.digests.sendDue('daily');
    assert.equal(await fixture.store.getDigest(subscriber?.id as string, '2026-07-03'), null, 'nothing more');
  });

  test('an address refused for now (4xx) is retried with backoff and gets its digest once; 5xx pauses an address', async () => {
    const ada = new Browser(fixture);
    await signInByMail(fixture, ada, 'ada@example.org');
    await subscribe(ada, { email: 'ada@example.org', trending: 'yes', categories: 'cs.LG' });
    assert.equal(
      (await fixture.store.getSubscriberByEmail('ada@example.org'))?.status,
      'active',
      "an account's own address needs no confirmation",
    );
    const bob = new Browser(fixture);
    await signInByMail(fixture, bob, 'bob@example.org');
    await subscribe(bob, { email: 'bob@example.org', categories: 'cs.LG' });

    fixture.smtp.refuse.set('ada@example.org', 451);
    fixture.smtp.refuse.set('bob@example.org', 550);
    const first = await fixture.digests.sendDue('daily');
    assert.equal(first.retrying, 1);
    assert.equal(first.paused, 1);
    assert.equal((await fixture.store.getSubscriberByEmail('bob@example.org'))?.status, 'paused');

    later(0.5);
    assert.equal((await fixture.digests.sendDue('daily')).retrying, 1, 'not before its retry time');
    assert.equal(fixture.smtp.refused.filter((to) => to === 'ada@example.org').length, 1);
    later(2);
    await fixture.digests.sendDue('daily');
    assert.equal(
      fixture.smtp.refused.filter((to) => to === 'ada@example.org').length,
      2,
      'retried after a minute',
    );
    fixture.smtp.refuse.delete('ada@example.org');
    later(6);
    assert.equal((await fixture.digests.sendDue('daily')).sent, 1, 'delivered in the end');
    later(60);
    await fixture.digests.sendDue('daily');
    assert.equal(
      mailsTo('ada@example.org').filter((mail) => mail.subject?.startsWith('Your daily papers')).length,
      1,
    );
    assert.equal(
      fixture.smtp.refused.filter((to) => to === 'bob@example.org').length,
      1,
      'a paused address is not retried',
    );
  });

  test('"for you": papers like the ones in the reader\'s collections, never those they saved', async () => {
    const cyd = new Browser(fixture);
    await signInByMail(fixture, cyd, 'cyd@example.org');
    const [saved] = await fixture.store.listPapers({ limit: 1, category: 'cs.CL', from: '2026-06-29' });
    const csrf = Browser.csrf(await (await cyd.request(`/papers/${saved?.id}`)).text());
    await cyd.request('/collections/save', {
      form: { csrf, paper: saved?.id as string, collection: '', new_name: 'Mine' },
    });
    await subscribe(cyd, { email: 'cyd@example.org', personal: 'yes' });
    const subscriber = await fixture.store.getSubscriberByEmail('cyd@example.org');
    assert.equal(subscriber?.topics.personal, true);
    assert.equal(await fixture.digests.sendOne(subscriber as Subscriber), 'sent');
    const period = fixture.now.value.slice(0, 10);
    const digest = await fixture.store.getDigest(subscriber?.id as string, period);
    assert.ok(digest && digest.papers.length === 10);
    for (const item of digest.papers) {
      assert.notEqual(item.paperId, saved?.id);
      assert.equal(item.reason, `like "${saved?.title}" in your library`);
    }
  });
});
