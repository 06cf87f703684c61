import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseFeed } from '@rowanmanning/feed-parser';
import { HOSTILE, LATEST_DAY, webFixture, XSS, type WebFixture } from './fixture.js';

describe('pages and feeds', () => {
  let fixture: WebFixture;
  const page = async (url: string, status = 200) => {
    const response = await fixture.app.request(url);
    const html = await response.text();
    assert.equal(response.status, status, `${url}: ${html.slice(0, 200)}`);
    if (status >= 400 || url.startsWith('/assets')) return html;
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.ok(html.startsWith('<!doctype html>'));
    return html;
  };

  before(async () => {
    fixture = await webFixture({ after: (fn) => process.on('exit', fn) });
  });
  after(() => fixture.close());

  test('every page has landmarks, the subscription invitation and labelled search', async () => {
    for (const url of [
      '/',
      '/trending',
      '/search',
      `/papers/${HOSTILE[1]?.id}`,
      '/subscribe',
      '/about/trending',
    ]) {
      const html = await page(url);
      assert.match(html, /<header class="site">/);
      assert.match(html, /<main id="main">/);
      assert.match(html, /<nav aria-label="Main">/);
      assert.match(html, /<a href="\/subscribe"[^>]*>Get trending papers in your email inbox!<\/a>/);
      assert.match(html, /<label for="site-q"[^>]*>Search papers<\/label>/);
    }
    assert.match(
      await page('/subscribe'),
      /<form class="stacked" method="post" action="\/subscribe">[^]*name="email"/,
    );
  });

  test('a Content-Security-Policy that lets no script run, and the usual security headers', async () => {
    const response = await fixture.app.request('/');
    const policy = response.headers.get('content-security-policy') ?? '';
    assert.match(policy, /script-src 'none'/);
    assert.match(policy, /frame-ancestors 'none'/);
    assert.match(policy, /form-action 'self'/);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  });

  test('hostile text is escaped everywhere it is shown; LaTeX is typeset', async () => {
    for (const url of [
      '/',
      `/papers/${HOSTILE[0]?.id}`,
      '/search?q=hacker&mode=lexical',
      '/?category=cs.CR',
    ]) {
      const html = await page(url);
      assert.ok(!html.includes(XSS), `${url} has the raw script tag`);
      assert.ok(!html.includes('<img src=x'), `${url} has the raw img tag`);
      assert.ok(!html.includes('<b>bold</b>'), url);
    }
    const paper = await page(`/papers/${HOSTILE[0]?.id}`);
    assert.ok(paper.includes('&lt;script&gt;window.__xss = 1&lt;/script&gt;'));
    assert.ok(paper.includes('Eve &lt;Hacker&gt;'));
    assert.ok(paper.includes('costs $5 &amp; more'), 'an escaped dollar is a dollar sign, not math');
    const latex = await page(`/papers/${HOSTILE[1]?.id}`);
    assert.match(latex, /class="katex"/);
    assert.ok(!latex.includes('$\\sum_'), 'math is typeset, not shown as source');
    assert.ok(latex.includes('96% recall'), 'text-mode escapes are undone');
    assert.match(latex, /<link rel="stylesheet" href="\/assets\/katex\/katex.min.css"/);

    // Search results typeset titles and snippets too, and still mark the query's words.
    const found = await page('/search?q=attention+cost+recall&mode=lexical');
    const result = /<article class="card"[^]*?<\/article>/.exec(
      found.slice(found.indexOf(`/papers/${HOSTILE[1]?.id}`) - 400),
    )?.[0];
    assert.ok(result, 'the LaTeX paper is found');
    assert.match(result, /<mark>Attention<\/mark> with <span class="katex">/);
    assert.match(result, /<mark>cost<\/mark>/);
    assert.ok(!result.includes('$\\mathcal'), 'the title is typeset, not shown as source');
    assert.ok(!result.includes('$\\sum_'), 'the snippet is typeset, not shown as source');
    assert.match(found, /<link rel="stylesheet" href="\/assets\/katex\/katex.min.css"/);
  });

  test('the home page: the latest day, its neighbours, tabs, the date picker and the count', async () => {
    const html = await page('/');
    assert.match(html, /<h2 class="period">Wednesday, 1 July 2026<\/h2>/);
    assert.match(html, /<a rel="prev" href="\/\?date=2026-06-30">/);
    assert.match(html, /<span class="disabled">Next day →<\/span>/);
    assert.match(html, /<a href="\/\?week=2026-W27">Week<\/a>/);
    assert.match(html, /<input type="date" id="date" name="date" value="2026-07-01"\/>/);
    const count = Number(/<p class="count">([\d,]+) papers/.exec(html)?.[1]?.replace(/,/g, ''));
    const api = (await (await fixture.app.request(`/api/daily?date=${LATEST_DAY}`)).json()) as {
      total: number;
    };
    assert.equal(count, api.total);
    assert.equal((html.match(/<article class="card"/g) ?? []).length, 20);
    assert.match(html, /<a rel="next" href="\/\?date=2026-07-01&amp;page=2">Next page →<\/a>/);
    const week = await page('/?week=2026-W26');
    assert.match(week, /Week 26 of 2026: 22 Jun – 28 Jun 2026/);
    assert.match(await page('/?month=2026-06'), /<h2 class="period">June 2026<\/h2>/);
    assert.match(await page('/?date=2026-05-01'), /No papers on this day/);
  });

  test('"new" badges mark the papers of the last 24 hours only', async () => {
    fixture.now.value = '2026-07-01T15:00:00.000Z';
    assert.match(await page('/'), /<span class="badge">new<\/span>/);
    fixture.now.value = '2026-07-03T15:00:00.000Z';
    assert.doesNotMatch(await page('/?date=2026-07-01'), /class="badge"/);
    fixture.now.value = '2026-07-01T15:00:00.000Z';
  });

  test('search: highlights, filters kept in the form, help when nothing matches, similar links', async () => {
    const html = await page('/search?q=%22state+space+model%22&mode=lexical&category=cs.LG&from=&to=');
    assert.match(html, /<mark>[Ss]tate<\/mark> <mark>[Ss]pace<\/mark> <mark>[Mm]odel/);
    assert.match(html, /<option value="lexical" selected="">Keywords only<\/option>/);
    assert.match(html, /<input id="category" name="category" value="cs.LG"/);
    assert.match(html, /<a href="\/papers\/[^"]+#similar">Similar papers<\/a>/);
    assert.match(
      html,
      /href="\/feeds\/search.rss\?q=%22state\+space\+model%22&amp;mode=lexical&amp;category=cs.LG"/,
    );
    const none = await page('/search?q=zzqxjv+plorbnik');
    assert.match(none, /No papers match <strong>zzqxjv plorbnik<\/strong>/);
    assert.match(none, /Suggestions/);
    assert.match(none, /<a href="\/trending">what is trending<\/a>/);
    assert.match(none, /Search tips/);
    const filtered = await page('/search?q=zzqxjv+plorbnik+blorf&category=cs.CL');
    assert.match(
      filtered,
      /href="\/search\?q=zzqxjv\+plorbnik&amp;category=cs.CL">zzqxjv plorbnik<\/a>/,
      'fewer words',
    );
    assert.match(filtered, /href="\/search\?q=zzqxjv\+plorbnik\+blorf">Search without the filters/);
    const typo = await page('/search?q=transfromer&mode=lexical');
    assert.match(
      typo,
      /Showing results for <a href="\/search\?q=transformer&amp;mode=lexical"><strong>transformer<\/strong><\/a>/,
    );
    assert.match(
      typo,
      /Search instead for <a href="\/search\?q=transfromer&amp;mode=lexical&amp;spelling=off">transfromer<\/a>/,
    );
    assert.match(typo, /<mark>[Tt]ransformer/);
    assert.match(await page('/search?q=transfromer&mode=lexical&spelling=off'), /No papers match/);
    assert.match(await page('/search?q=attention'), /semantic search is off/);
  });

  test('/api lists the endpoints from the OpenAPI document; everything under it answers JSON; a favicon', async () => {
    const listing = await fixture.app.request('/api');
    assert.equal(listing.status, 200);
    assert.match(listing.headers.get('content-type') ?? '', /text\/html/);
    const html = await listing.text();
    const spec = (await (await fixture.app.request('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, { summary: string }>>;
    };
    for (const [path, methods] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        assert.ok(html.includes(`${method.toUpperCase()} `), method);
        assert.ok(html.includes(`/api${path}`), path);
        assert.ok(
          html.includes(operation.summary.replace(/&/g, '&amp;').replace(/'/g, '&#39;').slice(0, 30)),
          path,
        );
      }
    }
    assert.ok(!html.includes('<script'), 'no client JavaScript');
    for (const path of ['/api/nothing-here', '/api/papers/x/nothing', '/api/search']) {
      const response = await fixture.app.request(path);
      assert.ok(response.status >= 400, path);
      assert.match(response.headers.get('content-type') ?? '', /application\/json/, path);
      assert.ok(((await response.json()) as { error?: { code: string } }).error?.code, path);
    }
    const posted = await fixture.app.request('/api', { method: 'POST' });
    assert.equal(posted.status, 405);
    assert.match(posted.headers.get('content-type') ?? '', /application\/json/);
    const icon = await fixture.app.request('/favicon.ico');
    assert.equal(icon.status, 200);
    assert.equal(icon.headers.get('content-type'), 'image/svg+xml');
    assert.match(await page('/'), /<link rel="icon" href="\/favicon.svg" type="image\/svg\+xml"\/>/);
  });

  test('bad input: clear 4xx pages, never a 500', async () => {
    assert.match(await page('/?date=2026-02-30', 400), /date must be a real day as YYYY-MM-DD/);
    assert.match(await page('/?page=0', 400), /page/);
    assert.match(await page('/?page=500', 400), /page 500 is past the last page/);
    assert.match(await page(`/search?q=${'x'.repeat(10_000)}`, 400), /at most 500 characters/);
    assert.match(await page('/search?q=%22unclosed', 200), /unclosed|No papers match|<article/);
    assert.match(await page('/papers/0000.00000', 404), /no paper with id &quot;0000.00000&quot;/);
    assert.match(await page(`/papers/${encodeURIComponent(XSS)}`, 404), /&lt;script&gt;/);
    assert.match(await page('/no/such/page', 404), /there is nothing at this address/);
    const post = await fixture.app.request('/search', { method: 'POST' });
    assert.equal(post.status, 405);
    const versioned = await fixture.app.request(`/papers/${HOSTILE[1]?.id}v2`);
    assert.equal(versioned.status, 301);
    assert.equal(versioned.headers.get('location'), `/papers/${HOSTILE[1]?.id}`);
  });

  test('no dead links: every internal link on the main pages leads somewhere', async () => {
    const seen = new Set<string>();
    for (const start of [
      '/',
      '/trending',
      '/search?q=diffusion',
      `/papers/${HOSTILE[1]?.id}`,
      '/subscribe',
    ]) {
      const html = await page(start);
      for (const [, href] of html.matchAll(/href="(\/[^"#]*)/g)) {
        const url = (href as string).replace(/&amp;/g, '&');
        if (seen.has(url)) continue;
        seen.add(url);
        const response = await fixture.app.request(url);
        const toSignIn =
          response.status === 303 && response.headers.get('location')?.startsWith('/signin?next=');
        assert.ok(
          response.status === 200 || response.status === 301 || toSignIn,
          `${url} from ${start}: ${response.status}`,
        );
      }
    }
    assert.ok(seen.size > 50, `followed ${seen.size} links`);
  });

  test('feeds: RSS 2.0 and Atom parse with a real feed parser and list what the pages list', async () => {
    for (const format of ['rss', 'atom'] as const) {
      const response = await fixture.app.request(`/feeds/daily.${format}?date=${LATEST_DAY}`);
      assert.match(response.headers.get('content-type') ?? '', format === 'rss' ? /rss\+xml/ : /atom\+xml/);
      const feed = parseFeed(await response.text());
      const api = (await (
        await fixture.app.request(`/api/daily?date=${LATEST_DAY}&per_page=100`)
      ).json()) as {
        items: { id: string; title: string }[];
      };
      assert.equal(feed.items.length, 100);
      assert.deepEqual(
        feed.items.map((item) => item.title),
        api.items.map((item) => item.title),
      );
      assert.ok(feed.items.every((item) => item.url?.startsWith('http://localhost/papers/')));
      const hostile = feed.items.find((item) => item.title === HOSTILE[0]?.title);
      assert.ok(hostile, 'markup in a title comes through as text');

      const search = parseFeed(
        await (await fixture.app.request(`/feeds/search.${format}?q=%22state+space%22&mode=lexical`)).text(),
      );
      assert.match(search.title ?? '', /state space/);
      assert.ok(search.items.length > 0 && search.items.length <= 50);
      const trending = parseFeed(await (await fixture.app.request(`/feeds/trending.${format}`)).text());
      assert.equal(trending.items.length, 50);
    }
    const home = await page('/');
    assert.match(
      home,
      /<link rel="alternate" type="application\/rss\+xml" title="Daily papers" href="\/feeds\/daily.rss\?date=2026-07-01"\/>/,
    );
  });

  // Last: it changes a paper that earlier tests list.
  test('a withdrawn paper is kept and marked, on its card, its page and in the API; a new version is marked updated', async () => {
    const before = await page(`/?date=${LATEST_DAY}`);
    const id = /<article class="card"[^>]*><h3[^>]*><a href="\/papers\/([^"]+)"/.exec(before)?.[1];
    const paper = await fixture.store.getPaper(decodeURIComponent(id ?? ''));
    assert.ok(paper, 'the first card of the day');
    await fixture.store.upsertPapers(
      [{ ...paper, comments: 'This paper has been withdrawn by the authors due to an error in Section 3.' }],
      fixture.now.value,
    );
    assert.match(await page(`/papers/${paper.id}`), /<p class="notice withdrawn" role="status">Withdrawn: /);
    const day = await page(`/?date=${LATEST_DAY}`);
    const card = day.slice(day.indexOf(`href="/papers/${paper.id}"`));
    assert.match(card.slice(0, card.indexOf('</h3>')), /<span class="badge withdrawn">withdrawn<\/span>/);
    assert.equal((day.match(/badge withdrawn/g) ?? []).length, 1, 'and no other paper');
    const api = (await (await fixture.app.request(`/api/papers/${paper.id}`)).json()) as {
      withdrawn: boolean;
    };
    assert.equal(api.withdrawn, true);
    assert.doesNotMatch(
      card.slice(0, card.indexOf('</h3>')),
      /badge updated/,
      'its first version is its latest',
    );

    // A new version this week: marked "updated" on its card, on the day it always had.
    const updated = new Date(Date.parse(fixture.now.value) - 86_400_000).toISOString();
    await fixture.store.upsertPapers(
      [{ ...paper, versions: [...paper.versions, { version: 9, date: updated }], updated }],
      fixture.now.value,
    );
    const again = await page(`/?date=${LATEST_DAY}`);
    const revised = again.slice(again.indexOf(`href="/papers/${paper.id}"`));
    assert.match(
      revised.slice(0, revised.indexOf('</h3>')),
      /<span class="badge updated" title="new version of /,
    );
  });
});
