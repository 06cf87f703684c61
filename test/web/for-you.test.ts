/**
 * The "For you" page: for signed-in readers only; a cold start from the categories they subscribed to; then
 * papers like the ones they upvoted and saved, each saying which, never those papers themselves, and papers
 * they marked 👎 in a digest kept down.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser, signInByMail } from './client.js';
import { webFixture, type WebFixture } from './fixture.js';

const ENTITIES: Record<string, string> = {
  '&quot;': '"',
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&#39;': "'",
};
const unescape = (html: string) =>
  html.replace(/&(quot|amp|lt|gt|#39);/g, (entity) => ENTITIES[entity] as string);

describe('for you', () => {
  let fixture: WebFixture;
  let reader: Browser;

  before(async () => {
    fixture = await webFixture({ after: (fn) => process.on('exit', fn) });
    reader = new Browser(fixture);
    await signInByMail(fixture, reader, 'dana@example.org');
  });
  after(() => fixture.close());

  const cards = (page: string) =>
    [
      ...page.matchAll(
        /<h3 id="t-[^"]+"><a href="\/papers\/([^"]+)">[\s\S]*?<p class="reason">([^<]*)<\/p>/g,
      ),
    ].map((match) => ({ id: decodeURIComponent(match[1] as string), reason: unescape(match[2] as string) }));
  const page = async () => {
    const response = await reader.request('/for-you');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store', 'personal: never cached');
    return response.text();
  };

  test('signed out, it asks to sign in; signed in, the navigation links to it', async () => {
    const response = await new Browser(fixture).request('/for-you');
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/signin?next=%2Ffor-you');
    assert.match(await (await reader.request('/')).text(), /<a href="\/for-you">For you<\/a>/);
  });

  test('with nothing to go on it says how to start; with subscribed categories it shows their newest', async () => {
    const empty = await page();
    assert.equal(cards(empty).length, 0);
    assert.match(empty, /Nothing here yet\. Upvote a few papers/);

    const form = await (await reader.request('/subscribe')).text();
    await reader.request('/subscribe', {
      form: { csrf: Browser.csrf(form), email: 'dana@example.org', frequency: 'daily', categories: 'cs.CL' },
    });
    const cold = cards(await page());
    assert.ok(cold.length > 0);
    assert.ok(cold.every((card) => card.reason === 'new in cs.CL'));
    const papers = await fixture.store.getPapers(cold.map((card) => card.id));
    assert.ok([...papers.values()].every((paper) => paper.categories.includes('cs.CL')));
  });

  test('papers like the upvoted and saved ones, saying which; never those; a 👎 keeps a paper down', async () => {
    const speech = (paper: { title: string; abstract: string }) =>
      /\b(speech|speaker|audio|asr|spoken|voice)\b/i.test(`${paper.title} ${paper.abstract}`);
    const latest = (await fixture.store.latestDay()) as string;
    const window = await fixture.store.listPapers({ from: '2026-06-01', to: latest, limit: 2000 });
    const topic = window.filter(speech);
    const baseRate = topic.length / window.length;
    assert.ok(topic.length >= 3 && baseRate < 0.2, `a minority topic (${topic.length} of ${window.length})`);
    const [first, second, third] = topic;
    const csrf = Browser.csrf(await (await reader.request(`/papers/${first?.id}`)).text());
    for (const paper of [first, second]) {
      const voted = await reader.request(`/papers/${paper?.id}/vote`, {
        form: { csrf, up: '1', back: '/for-you' },
      });
      assert.equal(voted.status, 303);
    }
    await reader.request('/collections/save', {
      form: { csrf, paper: third?.id as string, collection: '', new_name: 'Speech' },
    });
    const library = new Set([first, second, third].map((paper) => paper?.id));
    const titles = new Set([first, second, third].map((paper) => `like "${paper?.title}" in your library`));

    const ranked = cards(await page());
    assert.equal(ranked.length, 30);
    assert.ok(
      ranked.every((card) => !library.has(card.id)),
      'the library itself is left out',
    );
    assert.ok(
      ranked.every((card) => titles.has(card.reason)),
      'each says which library paper it is like',
    );
    const top = await fixture.store.getPapers(ranked.slice(0, 10).map((card) => card.id));
    const onTopic = [...top.values()].filter(speech).length;
    assert.ok(
      onTopic >= 8,
      `the top 10 are on the library's topic: ${onTopic} (${(baseRate * 100).toFixed(0)}% of all)`,
    );

    // 👎 in a digest: the top paper falls.
    const best = ranked[0]?.id as string;
    const subscriber = await fixture.store.getSubscriberByEmail('dana@example.org');
    await fixture.store.putFeedback(subscriber?.id as string, best, false, fixture.now.value);
    const after = cards(await page()).map((card) => card.id);
    assert.ok(after.indexOf(best) === -1 || after.indexOf(best) > 0, 'no longer first');
  });
});
