/**
 * Collections: importing BibTeX and CSL-JSON libraries (every match and non-match checked), notes, exports
 * that read back, public feeds, private collections that are 404 to everyone but their owner.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseFeed } from '@rowanmanning/feed-parser';
import { parseLibraryFile } from '../../src/adapters/formats/library-files.js';
import type { Paper } from '../../src/core/paper.js';
import { Browser, signInByMail } from './client.js';
import { webFixture, XSS, type WebFixture } from './fixture.js';

const DOI = '10.5555/OpenPapers.Demo-42';

describe('collections', () => {
  let fixture: WebFixture;
  let ada: Browser;
  let bob: Browser;
  /** Demo papers, each with a distinct title. */
  let papers: Paper[];

  before(async () => {
    fixture = await webFixture({ after: (fn) => process.on('exit', fn) });
    ada = new Browser(fixture);
    bob = new Browser(fixture);
    await signInByMail(fixture, ada, 'ada@example.org');
    await signInByMail(fixture, bob, 'bob@example.org');
    papers = (await fixture.store.listPapers({ limit: 40, from: '2026-06-01' })).filter(
      (paper) => /^\d{4}\.\d{5}$/.test(paper.id) && paper.title.split(' ').length >= 5,
    );
    assert.ok(papers.length >= 12);
    // A demo paper with a DOI, so that entries can match by DOI alone.
    const withDoi = papers[3] as Paper;
    await fixture.store.upsertPapers([{ ...withDoi, doi: DOI }], fixture.now.value);
  });
  after(() => fixture.close());

  const p = (i: number) => papers[i] as Paper;

  async function csrfOf(browser: Browser, path = '/collections'): Promise<string> {
    return Browser.csrf(await (await browser.request(path)).text());
  }

  /** Creates a collection from the reader's collections page, with a library file or without. */
  async function create(
    browser: Browser,
    fields: Record<string, string>,
    library?: { name: string; text: string },
  ) {
    const body = new FormData();
    body.set('csrf', await csrfOf(browser));
    for (const [name, value] of Object.entries(fields)) body.set(name, value);
    if (library) body.set('library', new Blob([library.text]), library.name);
    return browser.request('/collections', { multipart: body });
  }

  const collectionIds = async (email: string) => {
    const user = await fixture.store.getUserByEmail(email);
    return (await fixture.store.listCollections(user?.id as string)).map((collection) => collection.id);
  };

  const paperIdsIn = async (collectionId: string) =>
    new Set((await fixture.store.collectionPapers(collectionId)).map((row) => row.paperId));

  /** The report page's lines: `where → paper id (how)` for matches, `where` for the rest. */
  function reportLines(html: string) {
    const matched = [
      ...html.matchAll(/<li>([^<:]+): <a href="\/papers\/([^"]+)">[^]*?by ([^<]+)<\/span><\/li>/g),
    ].map((m) => `${m[1]} → ${decodeURIComponent(m[2] as string)} (${m[3]})`);
    const unmatchedBlock = /<ul class="import-unmatched">([^]*?)<\/ul>/.exec(html)?.[1] ?? '';
    const unmatched = [...unmatchedBlock.matchAll(/<li>([^<:]+):/g)].map((m) => m[1] as string);
    return { matched, unmatched };
  }

  test('a BibTeX library is matched by arXiv id, then DOI, then title; the rest is reported', async () => {
    const nearMiss = p(7).title.replace(/\b(\w{5,})\b/, 'Zyzzyva');
    const bib = [
      `@article{byEprint, title={Whatever the manager wrote}, eprint={${p(0).id}}, archivePrefix={arXiv}}`,
      `@misc{byUrl, title={Another title}, url={https://arxiv.org/abs/${p(1).id}v3}}`,
      `@article{scholar, title={${p(2).title}}, journal={arXiv preprint arXiv:${p(2).id}}, year={2026}}`,
      `@inproceedings{byDoi, title={The Proceedings Version Has Another Title}, doi={https://doi.org/${DOI.toUpperCase()}}}`,
      `@misc{arxivDoi, title={x}, doi={10.48550/arXiv.${p(4).id}}}`,
      `@article{byTitle, title={{${p(5).title.split(' ')[0]}} ${p(5).title.split(' ').slice(1).join(' ').toLowerCase()}.}, author={Someone, A.}}`,
      `@article{unknownArxiv, title={Attention Is All You Need}, eprint={1706.03762}, archivePrefix={arXiv}}`,
      `@article{nearMiss, title={${nearMiss}}}`,
      `@book{nothing, title={A Field Guide to the Birds of Nowhere}, publisher={Nobody}}`,
    ].join('\n\n');
    const created = await create(ada, { name: 'From BibTeX' }, { name: 'library.bib', text: bib });
    assert.equal(created.status, 200);
    const html = await created.text();
    assert.match(html, /6 of 9 entries matched/);
    const { matched, unmatched } = reportLines(html);
    assert.deepEqual(matched, [
      `entry 1 (byEprint) → ${p(0).id} (arXiv id)`,
      `entry 2 (byUrl) → ${p(1).id} (arXiv id)`,
      `entry 3 (scholar) → ${p(2).id} (arXiv id)`,
      `entry 4 (byDoi) → ${p(3).id} (DOI)`,
      `entry 5 (arxivDoi) → ${p(4).id} (arXiv id)`,
      `entry 6 (byTitle) → ${p(5).id} (title)`,
    ]);
    assert.deepEqual(unmatched, ['entry 7 (unknownArxiv)', 'entry 8 (nearMiss)', 'entry 9 (nothing)']);
    const [id] = await collectionIds('ada@example.org');
    assert.deepEqual(await paperIdsIn(id as string), new Set([0, 1, 2, 3, 4, 5].map((i) => p(i).id)));
  });

  test('a Zotero CSL-JSON library is matched the same way', async () => {
    const items = [
      { id: 'z1', type: 'article', title: 'Preprint', number: `arXiv:${p(6).id}`, publisher: 'arXiv' },
      { id: 'z2', type: 'article', title: 'Linked', URL: `http://arxiv.org/abs/${p(8).id}` },
      { id: 'z3', type: 'paper-conference', title: 'Published elsewhere', DOI: DOI },
      { id: 'z4', type: 'article-journal', title: p(9).title.toUpperCase() },
      { id: 'z5', type: 'article-journal', title: 'Nothing like any demo paper at all, surely' },
      { id: 'z6', type: 'article-journal', DOI: '10.1000/does-not-exist' },
    ];
    const created = await create(
      ada,
      { name: 'From Zotero' },
      { name: 'zotero.json', text: JSON.stringify(items) },
    );
    const { matched, unmatched } = reportLines(await created.text());
    assert.deepEqual(matched, [
      `item 1 (z1) → ${p(6).id} (arXiv id)`,
      `item 2 (z2) → ${p(8).id} (arXiv id)`,
      `item 3 (z3) → ${p(3).id} (DOI)`,
      `item 4 (z4) → ${p(9).id} (title)`,
    ]);
    assert.deepEqual(unmatched, ['item 5 (z5)', 'item 6 (z6)']);
  });

  test('a library that cannot be read is rejected whole, naming where, and nothing is added', async () => {
    const [id] = await collectionIds('ada@example.org');
    const before = await paperIdsIn(id as string);
    const body = new FormData();
    body.set('csrf', await csrfOf(ada, `/collections/${id}`));
    body.set(
      'library',
      new Blob([`@article{ok, eprint={${p(10).id}}}\n@article{broken, title={no end`]),
      'x.bib',
    );
    const response = await ada.request(`/collections/${id}/import`, { multipart: body });
    assert.equal(response.status, 400);
    assert.match(await response.text(), /BibTeX: [^<]*line 2/);
    assert.deepEqual(await paperIdsIn(id as string), before);

    const json = new FormData();
    json.set('csrf', await csrfOf(ada, `/collections/${id}`));
    json.set('library', new Blob(['[{"id": 1, "title": ["not", "text"]}]']), 'x.json');
    const bad = await ada.request(`/collections/${id}/import`, { multipart: json });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /CSL-JSON item 1: title/);

    for (const [name, library, message] of [
      [
        'deep.bib',
        `@misc{a,\n  title={${'{'.repeat(50_000)}`,
        /BibTeX: braces nested more than 64 deep at line 2, column 72/,
      ],
      ['deep.json', `${'['.repeat(50_000)}${']'.repeat(50_000)}`, /CSL-JSON/],
    ] as const) {
      const deep = new FormData();
      deep.set('csrf', await csrfOf(ada, `/collections/${id}`));
      deep.set('library', new Blob([library]), name);
      const refused = await ada.request(`/collections/${id}/import`, { multipart: deep });
      assert.equal(refused.status, 400, name);
      assert.match(await refused.text(), message);
    }
    assert.deepEqual(await paperIdsIn(id as string), before);
  });

  test('exports read back as the same papers, with notes; private collections are 404 to everyone else', async () => {
    const [id] = await collectionIds('ada@example.org');
    const page = `/collections/${id}`;
    const noted = await ada.request(`${page}/note`, {
      form: { csrf: await csrfOf(ada, page), paper: p(0).id, note: 'Read section 3 <b>twice</b>' },
    });
    assert.equal(noted.status, 303);
    assert.match(await (await ada.request(page)).text(), /Read section 3 &lt;b&gt;twice&lt;\/b&gt;/);

    const bib = await ada.request(`${page}/export.bib`);
    assert.equal(bib.status, 200);
    assert.match(bib.headers.get('content-disposition') ?? '', /attachment; filename="From-BibTeX\.bib"/);
    const bibText = await bib.text();
    assert.match(bibText, /annote = \{Read section 3 <b>twice<\/b>\}/);
    const fromBib = parseLibraryFile(bibText);
    const expected = [...(await paperIdsIn(id as string))].sort();
    assert.deepEqual(fromBib.map((entry) => entry.arxivId).sort(), expected);
    const csl = JSON.parse(await (await ada.request(`${page}/export.json`)).text()) as { title: string }[];
    assert.deepEqual(
      parseLibraryFile(JSON.stringify(csl))
        .map((entry) => entry.arxivId)
        .sort(),
      expected,
    );
    assert.deepEqual(
      csl.map((item) => item.title).sort(),
      expected.map((paper) => papers.find((x) => x.id === paper)?.title).sort(),
    );

    // Private: the owner sees it; Bob and strangers get the 404 of a collection that does not exist.
    for (const path of [page, `${page}/export.bib`, `${page}/export.json`, `${page}/feed.rss`]) {
      assert.equal((await bob.request(path)).status, 404, path);
      assert.equal((await fixture.app.request(path)).status, 404, path);
    }
    assert.equal((await fixture.app.request('/collections/no-such-id')).status, 404);
    // And Bob cannot change it: the same 404, nothing changed.
    const bobCsrf = await csrfOf(bob);
    for (const [action, form] of [
      ['remove', { paper: p(0).id }],
      ['note', { paper: p(0).id, note: 'mine now' }],
      ['edit', { name: 'Taken', public: 'yes' }],
      ['delete', { confirm: 'yes' }],
    ] as const) {
      const response = await bob.request(`${page}/${action}`, { form: { csrf: bobCsrf, ...form } });
      assert.equal(response.status, 404, action);
    }
    const unchanged = await fixture.store.getCollection(id as string);
    assert.equal(unchanged?.name, 'From BibTeX');
    assert.equal(unchanged?.public, false);
    assert.deepEqual([...(await paperIdsIn(id as string))].sort(), expected);
  });

  test('a public collection is visible to all, with an RSS feed; its owner alone sees the forms', async () => {
    const [, id] = await collectionIds('ada@example.org');
    const page = `/collections/${id}`;
    const made = await ada.request(`${page}/edit`, {
      form: { csrf: await csrfOf(ada, page), name: `Zotero ${XSS}`, description: 'Shared', public: 'yes' },
    });
    assert.equal(made.status, 303);
    const html = await (await fixture.app.request(page)).text();
    assert.ok(!html.includes(XSS), 'the name is escaped');
    assert.match(html, /Zotero &lt;script&gt;/);
    assert.ok(!html.includes('/remove'), 'no owner forms for a stranger');
    assert.ok((await (await ada.request(page)).text()).includes('/remove'));
    const feed = parseFeed(await (await fixture.app.request(`${page}/feed.rss`)).text());
    assert.equal(feed.title, `OpenPapers collection: Zotero ${XSS}`);
    assert.deepEqual(
      feed.items.map((item) => decodeURIComponent(item.url?.split('/papers/')[1] ?? '')).sort(),
      [p(3).id, p(6).id, p(8).id, p(9).id].sort(),
    );
  });

  test('saving from a paper page makes a collection when needed; a paper is saved once', async () => {
    const paper = p(11);
    const csrf = await csrfOf(bob, `/papers/${paper.id}`);
    const save = (collection: string) =>
      bob.request('/collections/save', { form: { csrf, paper: paper.id, collection, new_name: 'To read' } });
    assert.equal((await save('')).status, 303);
    const [id] = await collectionIds('bob@example.org');
    assert.equal((await save(id as string)).status, 303);
    assert.deepEqual(await paperIdsIn(id as string), new Set([paper.id]));
    const html = await (await bob.request(`/papers/${paper.id}`)).text();
    assert.match(html, new RegExp(`Saved in <a href="/collections/${id}">To read</a>`));
    // Ada's collections are not Bob's to save into.
    const [adas] = await collectionIds('ada@example.org');
    assert.equal((await save(adas as string)).status, 404);
  });

  test('deleting an account deletes its collections', async () => {
    const user = await fixture.store.getUserByEmail('bob@example.org');
    const [id] = await collectionIds('bob@example.org');
    const account = await (await bob.request('/account')).text();
    await bob.request('/account/delete', { form: { csrf: Browser.csrf(account), confirm: 'yes' } });
    assert.equal(await fixture.store.getUser(user?.id as string), null);
    assert.equal(await fixture.store.getCollection(id as string), null);
  });
});
