/**
 * SQL injection: classic payloads in every query parameter of every API endpoint (read from the OpenAPI
 * document), in every page's parameters and path segments, and in every form field. None may cause a server
 * error, and none may change anything but the text it was meant to be (a comment, a collection's name).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser, signInByMail } from './client.js';
import { HOSTILE, webFixture, type WebFixture } from './fixture.js';

const PAYLOADS = [
  "' OR '1'='1",
  "'; DROP TABLE papers; --",
  '" OR 1=1 --',
  "1' UNION SELECT email, role, id, created_at FROM users --",
  "') ; UPDATE users SET role = 'admin' ; --",
  '1; DELETE FROM collections',
  "%' AND 1=0 UNION SELECT NULL --",
  "\\'; --",
];
const PAPER = HOSTILE[1]?.id as string;

interface OpenApi {
  paths: Record<string, { get: { parameters?: { name: string; in: 'query' | 'path' }[] } }>;
}

describe('SQL injection', () => {
  let fixture: WebFixture;
  let ada: Browser;
  let collection: string;
  let comment: string;

  before(async () => {
    fixture = await webFixture({ after: (fn) => process.on('exit', fn) });
    ada = new Browser(fixture);
    await signInByMail(fixture, ada, 'ada@example.org');
    const csrf = Browser.csrf(await (await ada.request('/collections')).text());
    const made = await ada.request('/collections', { form: { csrf, name: 'Mine' } });
    collection = decodeURIComponent((made.headers.get('location') ?? '').split('/')[2] as string);
    await ada.request('/collections/save', { form: { csrf, paper: PAPER, collection } });
    await ada.request(`/papers/${PAPER}/comments`, { form: { csrf, body: 'first' } });
    comment = (await fixture.store.listComments(PAPER))[0]?.id as string;
  });
  after(() => fixture.close());

  /** What an injection could change: papers, accounts and roles, collections and their papers. */
  async function snapshot() {
    const users = await Promise.all(['ada@example.org'].map((email) => fixture.store.getUserByEmail(email)));
    return {
      stats: await fixture.store.stats(),
      users,
      collections: (await fixture.store.listCollections(users[0]?.id as string)).map((c) => [c.id, c.papers]),
      paper: await fixture.store.getPaper(PAPER),
    };
  }

  const failures: string[] = [];
  const check = (what: string, response: Response) => {
    if (response.status >= 500) failures.push(`${what}: ${response.status}`);
  };

  test('every query parameter and path segment of the API and the pages', async () => {
    const before = await snapshot();
    const doc = (await (await fixture.app.request('/api/openapi.json')).json()) as OpenApi;
    const requests: string[] = [];
    for (const payload of PAYLOADS) {
      const value = encodeURIComponent(payload);
      for (const [template, item] of Object.entries(doc.paths)) {
        const parameters = item.get.parameters ?? [];
        const path = template.replace(/\{(\w+)\}/g, value);
        requests.push(`/api${path}`);
        const fill = template.replace(/\{(\w+)\}/g, PAPER);
        for (const parameter of parameters.filter((p) => p.in === 'query')) {
          requests.push(
            `/api${fill}?${parameter.name}=${value}${parameter.name === 'q' ? '' : '&q=attention'}`,
          );
        }
      }
      for (const name of ['date', 'week', 'month', 'category', 'page', 'per_page']) {
        requests.push(`/?${name}=${value}`, `/feeds/daily.rss?${name}=${value}`);
      }
      for (const name of ['q', 'mode', 'category', 'from', 'to', 'page', 'per_page']) {
        requests.push(
          `/search?q=attention&${name}=${value}`,
          `/feeds/search.atom?q=attention&${name}=${value}`,
        );
      }
      requests.push(
        `/trending?page=${value}`,
        `/papers/${value}`,
        `/collections/${value}`,
        `/collections/${value}/export.bib`,
        `/collections/${value}/feed.rss`,
        `/signin?next=${value}`,
        `/signin/verify?token=${value}`,
      );
    }
    for (const url of requests) {
      check(`GET ${url}`, await fixture.app.request(url));
      check(`GET ${url} signed in`, await ada.request(url));
    }
    assert.ok(requests.length > 200, `${requests.length} requests`);
    assert.deepEqual(failures, []);
    assert.deepEqual(await snapshot(), before);
  });

  test('every form field', async () => {
    const before = await snapshot();
    const csrf = Browser.csrf(await (await ada.request('/collections')).text());
    const forms = (payload: string): [string, Record<string, string>][] => [
      ['/papers/' + encodeURIComponent(payload) + '/vote', { up: '1' }],
      [`/papers/${PAPER}/vote`, { up: payload, back: payload }],
      ['/submit', { paper: payload }],
      [`/papers/${PAPER}/comments`, { body: payload, parent: '' }],
      [`/papers/${PAPER}/comments`, { body: 'a reply', parent: payload }],
      [`/comments/${encodeURIComponent(payload)}/edit`, { body: 'x' }],
      [`/comments/${comment}/report`, { reason: payload }],
      [`/comments/${encodeURIComponent(payload)}/hide`, { hidden: '1' }],
      ['/collections/save', { paper: payload, collection }],
      ['/collections/save', { paper: PAPER, collection: payload }],
      [`/collections/${collection}/note`, { paper: payload, note: 'x' }],
      [`/collections/${collection}/note`, { paper: PAPER, note: payload }],
      [`/collections/${collection}/remove`, { paper: payload }],
      [`/collections/${encodeURIComponent(payload)}/delete`, { confirm: 'yes' }],
      ['/account/password', { password: payload, current: payload }],
    ];
    for (const payload of PAYLOADS) {
      // Past the per-minute limits on comments, so that each payload reaches the database.
      fixture.now.value = new Date(Date.parse(fixture.now.value) + 2 * 60_000).toISOString();
      for (const [action, fields] of forms(payload)) {
        check(
          `POST ${action} ${JSON.stringify(fields)}`,
          await ada.request(action, { form: { ...fields, csrf } }),
        );
      }
      const stranger = new Browser(fixture);
      const signedOut = Browser.csrf(await (await stranger.request('/signin')).text());
      for (const [action, fields] of [
        ['/signin', { email: payload }],
        ['/signin/password', { email: payload, password: payload }],
        ['/signin/password', { email: 'ada@example.org', password: payload }],
        ['/signin/verify', { token: payload }],
      ] as const) {
        check(`POST ${action}`, await stranger.request(action, { form: { ...fields, csrf: signedOut } }));
      }
    }
    assert.deepEqual(failures, []);
    // The text fields hold the payloads as text: the comment, the note; nothing else changed.
    const comments = (await fixture.store.listComments(PAPER)).map((c) => c.body);
    for (const payload of PAYLOADS) assert.ok(comments.includes(payload), payload);
    const notes = await fixture.store.collectionPapers(collection);
    assert.equal(notes[0]?.note, PAYLOADS.at(-1));
    const after = await snapshot();
    assert.deepEqual(after.users, before.users, 'no account changed role');
    assert.deepEqual(after.collections, before.collections);
    assert.deepEqual(after.stats, before.stats);
    assert.deepEqual(after.paper, before.paper);
  });
});
