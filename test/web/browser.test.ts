/**
 * A person's path through the site in a real browser (Debian's chromium, driven by playwright-core), against
 * the real `openpapers serve` on a corpus ingested and embedded by the real CLI. Screenshots go to
 * test-output/screenshots/ (git-ignored) for a person to look at.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseFeed } from '@rowanmanning/feed-parser';
import type { ParsedMail } from 'mailparser';
import { chromium, type Browser, type Page } from 'playwright-core';
import { parseLibraryFile } from '../../src/adapters/formats/library-files.js';
import { embeddedDemo } from '../embedded-demo.js';
import { CLI, REPO_ROOT, runCli } from '../helpers.js';
import { HOSTILE, XSS } from './fixture.js';
import { startArxivReplay } from './arxiv-replay.js';
import { startSmtp, type TestSmtp } from './smtp.js';

const CHROMIUM = process.env.OPENPAPERS_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = join(REPO_ROOT, 'test-output', 'screenshots');

describe('in the browser', () => {
  let server: ChildProcess;
  let base: string;
  let browser: Browser;
  let page: Page;
  let smtp: TestSmtp;
  let arxiv: Awaited<ReturnType<typeof startArxivReplay>>;
  const dialogs: string[] = [];
  let env: Record<string, string>;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    smtp = await startSmtp();
    arxiv = await startArxivReplay();
    const demo = await embeddedDemo({ after: (fn) => process.on('exit', fn) }, 'site.db');
    env = demo.env;
    const hostile = join(demo.dir, 'hostile.jsonl');
    writeFileSync(
      hostile,
      HOSTILE.map((paper) => JSON.stringify({ ...paper, sources: ['test'] })).join('\n'),
    );
    // As `npm run demo` does: the index is built before the server starts (else searches say it is being built).
    for (const args of [['ingest', hostile], ['embed'], ['index']]) {
      const result = await runCli(args, env);
      assert.equal(result.code, 0, result.stderr);
    }
    server = spawn(process.execPath, [CLI, 'serve', '--port', '0'], {
      env: { ...process.env, ...env, OPENPAPERS_SMTP_URL: smtp.url, OPENPAPERS_ARXIV_API: arxiv.url },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    base = await new Promise<string>((resolve, reject) => {
      let stderr = '';
      server.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk;
        const url = /at (http:\/\/[^\s]+?)\/? /.exec(stderr)?.[1];
        if (url) resolve(url);
      });
      server.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  });

  after(async () => {
    await browser?.close();
    server?.kill('SIGTERM');
    await smtp?.close();
    await arxiv?.close();
  });

  test('home → previous day → a paper → a similar paper → search a phrase → filter by category → its RSS feed', async () => {
    await page.goto(`${base}/`);
    assert.equal(await page.locator('h2.period').textContent(), 'Wednesday, 1 July 2026');
    assert.equal(await page.locator('article.card').count(), 20);
    await page.screenshot({ path: join(SHOTS, 'home.png'), fullPage: false });

    await page.getByRole('link', { name: '← Previous day' }).click();
    await page.waitForURL(/\?date=2026-06-30$/);
    assert.equal(await page.locator('h2.period').textContent(), 'Tuesday, 30 June 2026');
    const count = Number((await page.locator('p.count').textContent())?.replace(/\D/g, ''));
    assert.ok(count > 20, `${count} papers on 30 June`);
    await page.screenshot({ path: join(SHOTS, 'previous-day.png') });

    const firstCard = page.locator('article.card h3 a').first();
    const title = (await firstCard.textContent()) as string;
    await firstCard.click();
    await page.waitForURL(/\/papers\//);
    assert.equal(await page.locator('h1#paper-title').textContent(), title);
    assert.ok(((await page.locator('p.abstract.full').textContent()) ?? '').length > 100);
    const similar = page.locator('#similar ol.similar a');
    assert.ok((await similar.count()) >= 5, 'similar papers are listed');
    await page.screenshot({ path: join(SHOTS, 'paper.png'), fullPage: true });

    const paperUrl = page.url();
    const similarTitle = (await similar.first().textContent()) as string;
    await similar.first().click();
    await page.waitForURL((url) => url.href !== paperUrl && url.pathname.startsWith('/papers/'));
    assert.equal(await page.locator('h1#paper-title').textContent(), similarTitle);

    await page.getByLabel('Search papers').fill('"state space model"');
    await page.getByLabel('Search papers').press('Enter');
    await page.waitForURL(/\/search\?q=/);
    const results = page.locator('ol.cards article.card');
    assert.ok((await results.count()) > 0);
    for (const card of await results.all()) {
      const marked = (await card.locator('mark').allTextContents()).join(' ').toLowerCase();
      assert.match(marked, /state/);
    }
    await page.screenshot({ path: join(SHOTS, 'search.png') });

    await page.locator('#category').fill('cs.LG');
    await page.locator('form.search-form button[type=submit]').click();
    await page.waitForURL(/category=cs.LG/);
    const filtered = page.locator('ol.cards article.card');
    const filteredCount = await filtered.count();
    assert.ok(filteredCount > 0);
    for (const card of await filtered.all()) {
      assert.ok((await card.locator('ul.categories').textContent())?.includes('cs.LG'));
    }
    const filteredTitles = await page.locator('ol.cards article.card h3 a').allTextContents();

    const feedLink = page.getByRole('link', { name: 'RSS' });
    const feedUrl = new URL((await feedLink.getAttribute('href')) as string, base);
    assert.equal(feedUrl.pathname, '/feeds/search.rss');
    assert.equal(feedUrl.searchParams.get('category'), 'cs.LG');
    assert.equal(feedUrl.searchParams.get('q'), '"state space model"');
    const response = await page.request.get(feedUrl.href);
    assert.equal(response.status(), 200);
    const feed = parseFeed(await response.text());
    assert.deepEqual(
      feed.items.slice(0, filteredTitles.length).map((item) => item.title),
      filteredTitles,
      'the feed lists what the page lists, in the same order',
    );
  });

  test('a typo is searched as corrected, with the way back; nonsense gets the empty page, not neighbours', async () => {
    await page.goto(base);
    await page.getByLabel('Search papers').fill('grpah neural netwroks');
    await page.getByLabel('Search papers').press('Enter');
    await page.waitForURL(/\/search\?q=/);
    const status = page.locator('p.spelling');
    assert.equal(
      (await status.textContent())?.replace(/\s+/g, ' ').trim(),
      'Showing results for graph neural networks. Search instead for grpah neural netwroks.',
    );
    const titles = await page.locator('ol.cards article.card h3 a').allTextContents();
    assert.ok(titles.length > 0 && /graph/i.test(titles[0] ?? ''), titles[0]);
    await page.screenshot({ path: join(SHOTS, 'search-typo.png') });
    await status.getByRole('link', { name: 'grpah neural netwroks' }).click();
    await page.waitForURL(/spelling=off/);
    assert.equal(await page.locator('p.spelling').count(), 0);

    // The demo is embedded: without the similarity floor the semantic side would list neighbours here.
    await page.goto(`${base}/search?q=qwxyzzy+flurbonic`);
    assert.equal(await page.locator('ol.cards article.card').count(), 0);
    assert.match((await page.locator('p.empty').textContent()) ?? '', /No papers match/);
    assert.equal(await page.getByRole('heading', { name: 'Suggestions' }).count(), 1);
    await page.screenshot({ path: join(SHOTS, 'search-nothing.png') });
  });

  test('hostile titles and abstracts stay inert: no script runs, no dialog opens', async () => {
    await page.goto(`${base}/papers/${HOSTILE[0]?.id}`);
    const shown = (await page.locator('h1#paper-title').textContent()) ?? '';
    assert.ok(shown.includes(`${XSS} & "quotes" <b>bold</b>`), `the markup is shown as text: ${shown}`);
    assert.ok(((await page.locator('p.abstract.full').textContent()) ?? '').includes('<img src=x'));
    await page.goto(`${base}/search?q=hacker&mode=lexical`);
    await page.goto(`${base}/?category=cs.CR`);
    assert.equal(await page.evaluate('window.__xss'), undefined);
    assert.deepEqual(dialogs, []);
  });

  test('phone width and dark mode', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    await phone.goto(`${base}/`);
    const overflow = (await phone.evaluate(
      'document.documentElement.scrollWidth - window.innerWidth',
    )) as number;
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
    const background = await phone.evaluate('getComputedStyle(document.body).backgroundColor');
    assert.equal(background, 'rgb(21, 23, 26)');
    await phone.screenshot({ path: join(SHOTS, 'home-phone-dark.png'), fullPage: false });
    await phone.goto(`${base}/papers/${HOSTILE[1]?.id}`);
    await phone.screenshot({ path: join(SHOTS, 'paper-phone-dark.png'), fullPage: true });
    await phone.close();
  });

  test('sign up through the emailed link, upvote a paper and see it rise on trending, submit one, comment, save it to a collection, export BibTeX, sign out', async () => {
    const reader = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    reader.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await reader.goto(`${base}/trending`);
    await reader.getByRole('link', { name: 'Sign in', exact: true }).click();
    await reader.getByRole('textbox', { name: 'Email address' }).fill('reader@example.org');
    await reader.getByRole('button', { name: 'Email me a sign-in link' }).click();
    assert.match((await reader.locator('main').textContent()) ?? '', /Check your inbox/);
    const [mail] = await smtp.waitFor(1);
    const link = /http:\/\/\S+/.exec(mail?.text ?? '')?.[0] as string;
    assert.ok(link.startsWith(base), link);
    await reader.goto(link);
    await reader.getByRole('button', { name: 'Sign in' }).click();
    await reader.waitForURL(`${base}/`);
    assert.equal(await reader.getByRole('link', { name: 'Account' }).count(), 1);

    await reader.goto(`${base}/trending`);
    const titles = () => reader.locator('ol.cards article.card h3 a').allTextContents();
    const before = await titles();
    const chosen = before[9] as string;
    await reader
      .locator('ol.cards > li')
      .nth(9)
      .getByRole('button', { name: /Upvote/ })
      .click();
    await reader.waitForURL(`${base}/trending`);
    const after = await titles();
    assert.equal(after[0], chosen, 'one vote lifts it above the papers of its day');
    assert.equal(
      await reader
        .locator('ol.cards > li')
        .first()
        .getByRole('button', { name: /Take back your vote \(1 votes\)/ })
        .count(),
      1,
    );
    await reader.screenshot({ path: join(SHOTS, 'trending-after-vote.png') });

    // A paper the hub lacks, fetched from (replayed) arXiv; it is listed today, so it leads today's trending.
    await reader.getByRole('link', { name: 'Submit', exact: true }).click();
    await reader.getByLabel('arXiv id or link').fill('https://arxiv.org/abs/1605.08386');
    await reader.getByRole('button', { name: 'Submit', exact: true }).click();
    await reader.waitForURL(`${base}/papers/1605.08386`);
    assert.equal(
      await reader.locator('h1#paper-title').textContent(),
      'Heat-bath random walks with Markov bases',
    );
    await reader.getByRole('button', { name: /Upvote/ }).click();
    await reader.waitForURL(`${base}/papers/1605.08386`);
    await reader.goto(`${base}/trending`);
    assert.equal((await titles())[0], 'Heat-bath random walks with Markov bases');
    assert.match((await reader.locator('ol.cards > li').first().locator('.votes').textContent()) ?? '', /1/);

    await reader.goto(`${base}/papers/1605.08386`);
    await reader
      .getByLabel('Comment', { exact: true })
      .fill('Lovely **mixing** bounds. <img src=x onerror=alert(1)><script>alert(2)</script>');
    await reader.getByRole('button', { name: 'Comment', exact: true }).click();
    await reader.waitForURL(/\/papers\/1605\.08386#c-/);
    assert.equal(await reader.locator('.comment-body strong').textContent(), 'mixing');
    assert.match(
      (await reader.locator('.comment-body').textContent()) ?? '',
      /<img src=x onerror=alert\(1\)><script>alert\(2\)<\/script>/,
    );
    await reader.screenshot({ path: join(SHOTS, 'discussion.png'), fullPage: true });

    // Save it to a new collection whose name tries to inject a script, then export the collection as BibTeX.
    await reader.locator('#save').getByLabel('Name for a new collection').fill(`Markov ${XSS}`);
    await reader.locator('#save').getByRole('button', { name: 'Save', exact: true }).click();
    await reader.waitForURL(`${base}/papers/1605.08386#save`);
    await reader
      .locator('#save')
      .getByRole('link', { name: `Markov ${XSS}` })
      .click();
    await reader.waitForURL(/\/collections\/[0-9a-f-]{36}$/);
    assert.equal((await reader.locator('h1').textContent())?.trim(), `Markov ${XSS} private`);
    assert.equal(await reader.evaluate(() => (globalThis as { __xss?: number }).__xss), undefined);
    assert.deepEqual(await reader.locator('ol.cards article.card h3 a').allTextContents(), [
      'Heat-bath random walks with Markov bases',
    ]);
    await reader.screenshot({ path: join(SHOTS, 'collection.png'), fullPage: true });
    const download = reader.waitForEvent('download');
    await reader.getByRole('link', { name: 'BibTeX', exact: true }).click();
    const bibtex = readFileSync(await (await download).path(), 'utf8');
    assert.match(bibtex, /^@misc\{stanley2016heatbath,/);
    assert.match(bibtex, /eprint = \{1605\.08386\},\n {2}archivePrefix = \{arXiv\}/);
    assert.deepEqual(
      parseLibraryFile(bibtex).map((entry) => entry.arxivId),
      ['1605.08386'],
    );

    // Subscribe from the account (no confirmation needed for one's own address), send the digests with the
    // CLI, and look at the digest's web view at desktop and phone widths.
    await reader.goto(`${base}/subscribe`);
    await reader.getByRole('button', { name: 'Subscribe', exact: true }).click();
    assert.match(
      (await reader.locator('main').textContent()) ?? '',
      /Subscribed: daily digests go to reader@example\.org/,
    );
    const sent = await runCli(['digest', 'send', '--json'], {
      ...env,
      OPENPAPERS_SMTP_URL: smtp.url,
      OPENPAPERS_PUBLIC_URL: base,
    });
    assert.equal(sent.code, 0, sent.stderr);
    assert.equal((JSON.parse(sent.stdout) as { sent: number }).sent, 1);
    const digest = smtp.received.find((mail) => mail.subject?.startsWith('Your daily papers')) as ParsedMail;
    assert.match(
      digest.text ?? '',
      /Heat-bath random walks with Markov bases\n.*\n {3}Why: trending: 1 vote/,
    );
    const webView = new RegExp(`${base}/digest/[^/\\s]+/\\d{4}-\\d{2}-\\d{2}`).exec(
      digest.text ?? '',
    )?.[0] as string;
    await reader.goto(webView);
    assert.match((await reader.locator('h1').textContent()) ?? '', /^Your daily papers, /);
    await reader.screenshot({ path: join(SHOTS, 'digest-desktop.png'), fullPage: true });
    await reader.setViewportSize({ width: 390, height: 800 });
    const overflow = (await reader.evaluate(
      'document.documentElement.scrollWidth - window.innerWidth',
    )) as number;
    assert.ok(overflow <= 0, `the digest is ${overflow}px wider than the phone`);
    await reader.screenshot({ path: join(SHOTS, 'digest-phone.png'), fullPage: true });
    await reader.setViewportSize({ width: 1280, height: 900 });

    // The papers voted for and saved make the For you page.
    await reader.goto(`${base}/`);
    await reader.getByRole('link', { name: 'For you', exact: true }).click();
    assert.equal((await reader.locator('h1').textContent())?.trim(), 'For you');
    const reasons = await reader.locator('ol.cards .reason').allTextContents();
    assert.ok(reasons.length > 0);
    assert.ok(
      reasons.every((reason) => /^like ".+" in your library$/.test(reason)),
      reasons.join('\n'),
    );
    await reader.screenshot({ path: join(SHOTS, 'for-you.png') });

    await reader.goto(`${base}/account`);
    await reader.getByRole('button', { name: 'Sign out', exact: true }).click();
    await reader.waitForURL(`${base}/`);
    assert.equal(await reader.getByRole('link', { name: 'Sign in', exact: true }).count(), 1);
    assert.deepEqual(dialogs, [], 'no script in a comment ran');
    await reader.close();
  });
});
