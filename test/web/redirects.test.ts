/**
 * Redirect targets from requests (`next` after signing in, `back` after a vote or a moderator's action) stay
 * on this site however they are spelled, and never break the Location header.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser, signInByMail } from './client.js';
import { webFixture, type WebFixture } from './fixture.js';

/** What an attacker puts in `next` or `back`: each resolves to another host in some browser or parser. */
const HOSTILE_TARGETS = [
  '//evil.example',
  '/\\evil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r\n/evil.example',
  '\\\\evil.example',
  '/\\/evil.example',
  ' //evil.example',
  'https://evil.example/',
  'http:evil.example',
  '/%2F%2Fevil.example',
  '/%5Cevil.example',
  '/\u0000/evil.example',
  '/a\r\nSet-Cookie: op_session=stolen',
  `/${'a'.repeat(3000)}`,
];

const ORIGIN = 'http://localhost';

function assertSameSite(response: Response, target: string): void {
  assert.ok(response.status < 500, `${JSON.stringify(target)}: status ${response.status}`);
  const location = response.headers.get('location');
  if (location === null) return;
  const resolved = new URL(location, ORIGIN);
  assert.equal(resolved.origin, ORIGIN, `${JSON.stringify(target)} redirected to ${location}`);
  assert.ok(!/[\r\n\t\\]/.test(location), `${JSON.stringify(target)}: ${JSON.stringify(location)}`);
  assert.ok(!location.startsWith('//'), `${JSON.stringify(target)}: ${location}`);
}

describe('redirects', () => {
  let fixture: WebFixture;
  let reader: Browser;
  let paperId: string;

  before(async () => {
    fixture = await webFixture({ after: (fn) => process.on('exit', fn) });
    reader = new Browser(fixture);
    await signInByMail(fixture, reader, 'reader@example.org');
    paperId = (await fixture.store.listPapers({ limit: 1 }))[0]?.id as string;
  });
  after(() => fixture.close());

  test('next on the sign-in page, when signed in already, stays on this site', async () => {
    for (const target of HOSTILE_TARGETS) {
      const response = await reader.request(`/signin?next=${encodeURIComponent(target)}`);
      assert.equal(response.status, 303, JSON.stringify(target));
      assertSameSite(response, target);
    }
    const fine = await reader.request(`/signin?next=${encodeURIComponent('/papers/x?y=1#z')}`);
    assert.equal(fine.headers.get('location'), '/papers/x?y=1#z', 'a path of this site is kept');
  });

  test('back after a vote stays on this site, and the vote counts', async () => {
    const page = await (await reader.request(`/papers/${encodeURIComponent(paperId)}`)).text();
    const csrf = Browser.csrf(page);
    for (const target of HOSTILE_TARGETS) {
      const response = await reader.request(`/papers/${encodeURIComponent(paperId)}/vote`, {
        form: { csrf, up: '1', back: target },
      });
      assert.equal(response.status, 303, JSON.stringify(target));
      assertSameSite(response, target);
    }
    assert.equal((await fixture.store.voteCounts([paperId])).get(paperId), 1);
  });

  test('a signed-out reader is sent to the sign-in page with next kept only when it is of this site', async () => {
    const stranger = new Browser(fixture);
    for (const target of HOSTILE_TARGETS) {
      const response = await stranger.request(`/signin?next=${encodeURIComponent(target)}`);
      assert.equal(response.status, 200, JSON.stringify(target));
      const next = /name="next" value="([^"]*)"/.exec(await response.text())?.[1] ?? '/';
      assert.equal(new URL(next.replace(/&amp;/g, '&'), ORIGIN).origin, ORIGIN, JSON.stringify(target));
    }
  });
});

describe('mailed links', () => {
  test('take the port the server listens on, not the one the Host header names', async (t) => {
    const fixture = await webFixture(t, { listenPort: 4321 });
    t.after(() => fixture.close());
    const browser = new Browser(fixture);
    const form = await (await browser.request('http://localhost:1234/signin')).text();
    const sent = fixture.smtp.received.length;
    const asked = await browser.request('http://localhost:1234/signin', {
      form: { email: 'porter@example.org', csrf: Browser.csrf(form) },
    });
    assert.equal(asked.status, 200);
    const mail = (await fixture.smtp.waitFor(sent + 1))[sent];
    const link = new URL(/http:\/\/\S+/.exec(mail?.text ?? '')?.[0] as string);
    assert.equal(link.host, 'localhost:4321');
  });
});
