/**
 * Accounts end to end in-process: sign-up by a magic link delivered over real SMTP, sessions, CSRF, votes,
 * rate limits, sign-out and deletion.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { after, before, describe, test } from 'node:test';
import { Browser } from './client.js';
import { webFixture, type WebFixture } from './fixture.js';
import type { TestSmtp } from './smtp.js';

describe('accounts', () => {
  let fixture: WebFixture;
  let smtp: TestSmtp;

  before(async () => {
    fixture = await webFixture({ after: (fn) => process.on('exit', fn) });
    smtp = fixture.smtp;
  });
  after(() => fixture.close());

  /** Asks for a link (from `requester`, a signed-out browser) and uses it in `browser`. */
  async function signIn(browser: Browser, email: string, requester = browser): Promise<Response> {
    const form = await (await requester.request('/signin?next=/trending')).text();
    const sent = smtp.received.length;
    const asked = await requester.request('/signin', {
      form: { email, csrf: Browser.csrf(form), next: '/trending' },
    });
    assert.equal(asked.status, 200);
    assert.match(await asked.text(), /Check your inbox/);
    const [mail] = (await smtp.waitFor(sent + 1)).slice(sent);
    assert.equal(mail?.to && 'text' in mail.to ? mail.to.text : '', email.toLowerCase());
    const link = new URL(/http:\/\/\S+/.exec(mail?.text ?? '')?.[0] as string);
    assert.ok(
      mail?.html && String(mail.html).includes(link.href.replace(/&/g, '&amp;')),
      'both parts carry the link',
    );
    const confirm = await (await browser.request(link.pathname + link.search)).text();
    assert.match(confirm, /<button type="submit">Sign in<\/button>/);
    const token = /name="token" value="([^"]+)"/.exec(confirm)?.[1] as string;
    return browser.request('/signin/verify', {
      form: { token, csrf: Browser.csrf(confirm), next: '/trending' },
    });
  }

  test('sign up by a link emailed over SMTP; the link works once; the session cookie is HttpOnly and SameSite', async () => {
    const browser = new Browser(fixture);
    const signedIn = await signIn(browser, 'Ada@Example.org');
    assert.equal(signedIn.status, 303);
    assert.equal(signedIn.headers.get('location'), '/trending');
    const cookie = signedIn.headers.getSetCookie().find((line) => line.startsWith('op_session='));
    assert.match(cookie ?? '', /HttpOnly/);
    assert.match(cookie ?? '', /SameSite=Lax/);
    const account = await (await browser.request('/account')).text();
    assert.match(account, /<dd>ada@example.org<\/dd>/);
    assert.equal((await fixture.store.getUserByEmail('ada@example.org'))?.role, 'user');
    assert.match(await (await browser.request('/')).text(), /<a href="\/account"/);

    const mail = smtp.received.at(-1);
    const link = new URL(/http:\/\/\S+/.exec(mail?.text ?? '')?.[0] as string);
    const stranger = new Browser(fixture);
    const confirm = await (await stranger.request(link.pathname + link.search)).text();
    const reused = await stranger.request('/signin/verify', {
      form: { token: link.searchParams.get('token') as string, csrf: Browser.csrf(confirm) },
    });
    assert.equal(reused.status, 400);
    assert.match(await reused.text(), /this sign-in link has been used or has expired/);
  });

  test('the answer is the same whether or not an address has an account', async () => {
    const pages = [];
    for (const email of ['ada@example.org', 'nobody-here@example.org']) {
      const browser = new Browser(fixture);
      const form = await (await browser.request('/signin')).text();
      const response = await browser.request('/signin', { form: { email, csrf: Browser.csrf(form) } });
      pages.push({ status: response.status, text: (await response.text()).replace(email, 'EMAIL') });
    }
    assert.deepEqual(pages[0], pages[1]);
  });

  test('votes need a session and its CSRF token; they count once, can be taken back, and move trending', async () => {
    const browser = new Browser(fixture);
    await signIn(browser, 'voter@example.org');
    const home = await (await browser.request('/')).text();
    const paperId = /<form class="vote" method="post" action="\/papers\/([^"/]+)\/vote">/.exec(
      home,
    )?.[1] as string;
    assert.ok(paperId, 'signed-in readers get vote buttons');
    const votes = async () =>
      ((await (await fixture.app.request(`/api/papers/${paperId}`)).json()) as { votes: number }).votes;
    const before = await votes();

    const forged = await browser.request(`/papers/${paperId}/vote`, { form: { up: '1' } });
    assert.equal(forged.status, 403);
    assert.match(await forged.text(), /reload the page/);
    const wrong = await browser.request(`/papers/${paperId}/vote`, {
      form: { up: '1', csrf: 'x'.repeat(43) },
    });
    assert.equal(wrong.status, 403);
    assert.equal(await votes(), before, 'a refused vote changes nothing');

    const csrf = Browser.csrf(home);
    const voted = await browser.request(`/papers/${paperId}/vote`, { form: { up: '1', csrf, back: '/' } });
    assert.equal(voted.status, 303);
    assert.equal(voted.headers.get('location'), '/');
    await browser.request(`/papers/${paperId}/vote`, { form: { up: '1', csrf } });
    assert.equal(await votes(), before + 1, 'one vote per account');
    assert.match(await (await browser.request('/')).text(), /aria-pressed="true"/);
    await browser.request(`/papers/${paperId}/vote`, { form: { up: '0', csrf } });
    assert.equal(await votes(), before);

    const anonymous = await fixture.app.request(`/papers/${paperId}/vote`, { method: 'POST' });
    assert.equal(anonymous.status, 403, 'no token, no state change');
    const offsite = await browser.request(`/papers/${paperId}/vote`, {
      form: { up: '0', csrf, back: '//evil.example' },
    });
    assert.equal(offsite.headers.get('location'), `/papers/${paperId}`, 'never redirected off the site');
  });

  test('a sign-in link is never built from a forged Host header', async () => {
    const form = await fixture.app.request('http://attacker.example/signin');
    const cookie = (form.headers.getSetCookie()[0] ?? '').split(';')[0] as string;
    const sent = smtp.received.length;
    const response = await fixture.app.request('http://attacker.example/signin', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        email: 'victim@example.org',
        csrf: Browser.csrf(await form.text()),
      }).toString(),
    });
    assert.equal(response.status, 503);
    assert.match(await response.text(), /needs the server started with --public-url/);
    assert.equal(smtp.received.length, sent, 'no mail went out');
  });

  test('sign-in requests are rate-limited per address', async () => {
    const browser = new Browser(fixture);
    const form = await (await browser.request('/signin')).text();
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      const response = await browser.request('/signin', {
        form: { email: 'limited@example.org', csrf: Browser.csrf(form) },
      });
      statuses.push(response.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
  });

  test('a new session at each sign-in; sign out, sign out everywhere, delete the account', async () => {
    const laptop = new Browser(fixture);
    const phone = new Browser(fixture);
    await signIn(laptop, 'grace@example.org');
    const first = laptop.cookie('op_session');
    await signIn(laptop, 'grace@example.org', new Browser(fixture));
    assert.notEqual(laptop.cookie('op_session'), first, 'rotated at sign-in');
    assert.equal(
      (await fixture.app.request('/account', { headers: { cookie: `op_session=${first}` } })).status,
      303,
      'the session it replaced has ended',
    );
    await signIn(phone, 'grace@example.org');

    const account = await (await laptop.request('/account')).text();
    await laptop.request('/signout/everywhere', { form: { csrf: Browser.csrf(account) } });
    assert.equal((await laptop.request('/account')).status, 303);
    assert.equal((await phone.request('/account')).status, 303, 'the other device is signed out too');

    await signIn(laptop, 'grace@example.org');
    const page = await (await laptop.request('/account')).text();
    const csrf = /action="\/account\/delete"><input type="hidden" name="csrf" value="([^"]+)"/.exec(
      page,
    )?.[1] as string;
    const unconfirmed = await laptop.request('/account/delete', { form: { csrf } });
    assert.equal(unconfirmed.status, 400);
    const paper = /href="\/papers\/([^"#]+)"/.exec(await (await laptop.request('/')).text())?.[1] as string;
    await laptop.request(`/papers/${paper}/vote`, { form: { up: '1', csrf } });
    const events = () => {
      const db = new Database(fixture.dbPath, { readonly: true });
      try {
        return db.prepare('SELECT key FROM rate_events').all() as { key: string }[];
      } finally {
        db.close();
      }
    };
    const user = await fixture.store.getUserByEmail('grace@example.org');
    const grace = ['sign-in:email:grace@example.org', `vote:${user?.id}`].map((key) =>
      createHash('sha256').update(key).digest('base64url'),
    );
    assert.ok(events().some(({ key }) => grace.includes(key)));
    assert.ok(events().length > 0);
    assert.ok(
      events().every(({ key }) => !key.includes('grace')),
      'keys are stored as hashes',
    );
    const deleted = await laptop.request('/account/delete', { form: { csrf, confirm: 'yes' } });
    assert.equal(deleted.status, 303);
    assert.equal(await fixture.store.getUserByEmail('grace@example.org'), null);
    assert.equal((await fixture.store.voteCounts([paper])).get(paper), 0, 'votes go with the account');
    const left = new Set(events().map(({ key }) => key));
    assert.ok(!grace.some((key) => left.has(key)), "the account's rate-limit events go with it");
  });

  test('passwords: set on the account page as argon2id, sign in with them, wrong ones refused alike, changed only with the current one', async () => {
    const browser = new Browser(fixture);
    await signIn(browser, 'hedy@example.org');
    const csrf = async (b = browser, path = '/account') => Browser.csrf(await (await b.request(path)).text());
    assert.equal(
      (await browser.request('/account/password', { form: { csrf: await csrf(), password: 'short' } }))
        .status,
      400,
    );
    const set = await browser.request('/account/password', {
      form: { csrf: await csrf(), password: 'correct horse battery' },
    });
    assert.equal(set.status, 303);
    const user = await fixture.store.getUserByEmail('hedy@example.org');
    const stored = await fixture.store.getPasswordHash(user?.id as string);
    assert.match(stored ?? '', /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.ok(!stored?.includes('correct horse'));

    const signInWith = async (email: string, password: string) => {
      const stranger = new Browser(fixture);
      const response = await stranger.request('/signin/password', {
        form: { csrf: await csrf(stranger, '/signin'), email, password, next: '/collections' },
      });
      return { response, stranger };
    };
    const ok = await signInWith('HEDY@example.org', 'correct horse battery');
    assert.equal(ok.response.status, 303);
    assert.equal(ok.response.headers.get('location'), '/collections');
    assert.match(await (await ok.stranger.request('/account')).text(), /hedy@example\.org/);

    const wrong = await signInWith('hedy@example.org', 'wrong horse battery');
    const unknown = await signInWith('nobody@example.org', 'correct horse battery');
    assert.equal(wrong.response.status, 401);
    assert.equal(unknown.response.status, 401);
    const message = (html: string) => /<p class="error">([^<]*)<\/p>/.exec(html)?.[1];
    assert.equal(message(await wrong.response.text()), message(await unknown.response.text()));
    assert.equal(wrong.stranger.cookie('op_session'), undefined);

    // Changing or removing the password needs the current one.
    const change = await browser.request('/account/password', {
      form: { csrf: await csrf(), current: 'not it at all', password: 'another long one' },
    });
    assert.equal(change.status, 403);
    assert.equal(await fixture.store.getPasswordHash(user?.id as string), stored);
    const removed = await browser.request('/account/password/remove', {
      form: { csrf: await csrf(), current: 'correct horse battery' },
    });
    assert.equal(removed.status, 303);
    assert.equal((await signInWith('hedy@example.org', 'correct horse battery')).response.status, 401);
  });

  test('repeated failed password sign-ins for one email address are rate-limited, even with the right password', async () => {
    const browser = new Browser(fixture);
    await signIn(browser, 'ida@example.org');
    const account = await (await browser.request('/account')).text();
    await browser.request('/account/password', {
      form: { csrf: Browser.csrf(account), password: 'the right one!' },
    });
    const stranger = new Browser(fixture);
    const csrf = Browser.csrf(await (await stranger.request('/signin')).text());
    const attempt = (password: string) =>
      stranger.request('/signin/password', { form: { csrf, email: 'ida@example.org', password } });
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await attempt(`guess number ${i}`)).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
    assert.equal((await attempt('the right one!')).status, 429, 'locked for the window');
    fixture.now.value = new Date(Date.parse(fixture.now.value) + 16 * 60_000).toISOString();
    assert.equal((await attempt('the right one!')).status, 303, 'open again after the window');
  });
});
