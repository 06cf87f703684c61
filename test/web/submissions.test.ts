/** Submitting papers by arXiv id or URL, with arXiv replayed from recorded responses. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startArxivReplay } from './arxiv-replay.js';
import { Browser, signInByMail } from './client.js';
import { LATEST_DAY, webFixture, type WebFixture } from './fixture.js';

describe('submissions', () => {
  let fixture: WebFixture;
  let arxiv: Awaited<ReturnType<typeof startArxivReplay>>;

  before(async () => {
    arxiv = await startArxivReplay();
    fixture = await webFixture({ after: (fn) => process.on('exit', fn) }, { arxivApi: arxiv.url });
  });
  after(() => fixture.close());
  after(() => arxiv.close());

  async function submit(browser: Browser, paper: string) {
    const page = await (await browser.request('/submit')).text();
    return browser.request('/submit', { form: { paper, csrf: Browser.csrf(page) } });
  }

  test('a paper the hub lacks is fetched from arXiv and shown as a community submission, never hiding the announced papers', async () => {
    fixture.now.value = '2026-07-02T09:00:00.000Z';
    const homeBefore = (await (await fixture.app.request('/api/daily')).json()) as { total: number };
    const trendingBefore = (await (await fixture.app.request('/api/trending')).json()) as { total: number };
    const ada = new Browser(fixture);
    await signInByMail(fixture, ada, 'ada@example.org');
    assert.equal(await fixture.store.getPaper('1605.08386'), null);

    const submitted = await submit(ada, 'https://arxiv.org/abs/1605.08386v1');
    assert.equal(submitted.status, 303);
    assert.equal(submitted.headers.get('location'), '/papers/1605.08386');
    assert.deepEqual(arxiv.requests, ['/api/query?id_list=1605.08386&max_results=1']);
    const paper = await fixture.store.getPaper('1605.08386');
    assert.equal(paper?.title, 'Heat-bath random walks with Markov bases');
    assert.ok(paper?.sources.includes('submission'));

    type Daily = {
      period: { key: string };
      total: number;
      items: { id: string }[];
      submitted: { id: string; submittedOn: string; submitters: number }[];
    };
    const home = (await (await fixture.app.request('/api/daily')).json()) as Daily;
    assert.equal(home.period.key, LATEST_DAY, 'the home page stays on the newest day of announced papers');
    assert.equal(home.total, homeBefore.total);
    assert.deepEqual(
      home.submitted.map((item) => [item.id, item.submittedOn, item.submitters]),
      [['1605.08386', '2026-07-02', 1]],
      'and shows what readers submitted since',
    );
    const page = await (await ada.request('/')).text();
    assert.match(page, /<h2 id="submitted-heading">Submitted by readers<\/h2>/);
    assert.match(page, /Heat-bath random walks with Markov bases/);
    assert.match(page, /Submitted by a reader on 2 July 2026/);
    const trending = (await (await fixture.app.request('/api/trending')).json()) as {
      total: number;
      items: { id: string }[];
    };
    assert.equal(
      trending.total,
      trendingBefore.total + 1,
      'trending keeps its papers and adds the submission',
    );
    assert.equal(trending.items[0]?.id, '1605.08386', 'a fresh submission trends from the day it came');
    const day = (await (await fixture.app.request('/api/daily?date=2026-07-02')).json()) as Daily;
    assert.equal(day.total, 0, 'no paper moves to the day it was submitted');
    assert.deepEqual(
      day.submitted.map((item) => item.id),
      ['1605.08386'],
    );

    const bob = new Browser(fixture);
    await signInByMail(fixture, bob, 'bob@example.org');
    fixture.now.value = '2026-07-03T09:00:00.000Z';
    await submit(bob, '1605.08386');
    assert.equal(arxiv.requests.length, 1, 'the second submission does not fetch again');
    const later = (await (await fixture.app.request('/api/daily?date=2026-07-02')).json()) as Daily;
    assert.deepEqual(
      later.submitted.map((item) => [item.id, item.submitters]),
      [['1605.08386', 2]],
      'a resubmission counts another reader; the paper stays on its first submission day',
    );

    const known = await submit(bob, '2607.99002');
    assert.equal(known.headers.get('location'), '/papers/2607.99002');
    assert.equal(arxiv.requests.length, 1, 'papers the hub has are not fetched');
    const listed = (await (await fixture.app.request('/api/daily?date=2026-07-03')).json()) as Daily;
    assert.deepEqual(
      listed.submitted.map((item) => item.id),
      ['2607.99002'],
      'the cached list of that day follows at once',
    );
    const announced = (await (await fixture.app.request(`/api/daily?date=${LATEST_DAY}`)).json()) as Daily;
    assert.ok(
      announced.items.some((item) => item.id === '2607.99002'),
      'still on its own day',
    );
  });

  test('bad submissions: clear errors, nothing stored', async () => {
    const eve = new Browser(fixture);
    await signInByMail(fixture, eve, 'eve@example.org');
    const before = (await fixture.store.stats()).papers;
    const cases: [string, number, RegExp][] = [
      ['not a paper', 400, /give an arXiv id such as 2406.12345/],
      ['2501.99999', 404, /arXiv has no paper with id &quot;2501.99999&quot;/],
      ["1605.08386' OR 1=1 --", 400, /give an arXiv id/],
    ];
    for (const [text, status, message] of cases) {
      const response = await submit(eve, text);
      assert.equal(response.status, status, text);
      const page = await response.text();
      assert.match(page, message, text);
      assert.match(
        page,
        /<a href="\/account" title="eve@example.org">/,
        'the error page knows who is signed in',
      );
      assert.ok(!page.includes('href="/signin"'), text);
    }
    assert.equal((await fixture.store.stats()).papers, before);
    assert.equal(
      (await fixture.app.request('/submit', { method: 'POST' })).status,
      403,
      'no CSRF token, no submission',
    );
    const anonymous = await fixture.app.request('/submit');
    assert.equal(anonymous.status, 303);
    assert.equal(anonymous.headers.get('location'), '/signin?next=%2Fsubmit');
  });

  test('submissions are rate-limited per account', async () => {
    const mallory = new Browser(fixture);
    await signInByMail(fixture, mallory, 'mallory@example.org');
    const statuses = [];
    for (let i = 0; i < 11; i++) statuses.push((await submit(mallory, '2607.99001')).status);
    assert.deepEqual(statuses, [...Array(10).fill(303), 429]);
  });
});
