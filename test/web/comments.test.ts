/** Discussion: threads, safe Markdown, edit and delete your own, moderators hide, anyone reports. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser, signInByMail } from './client.js';
import { HOSTILE, webFixture, type WebFixture } from './fixture.js';

const PAPER = HOSTILE[1]?.id as string;

describe('comments', () => {
  let fixture: WebFixture;
  let ada: Browser;
  let bob: Browser;

  before(async () => {
    fixture = await webFixture({ after: (fn) => process.on('exit', fn) });
    ada = new Browser(fixture);
    bob = new Browser(fixture);
    await signInByMail(fixture, ada, 'ada@example.org');
    await signInByMail(fixture, bob, 'bob@example.org');
  });
  after(() => fixture.close());

  const paperPage = async (browser?: Browser) =>
    (await (browser ? browser.request(`/papers/${PAPER}`) : fixture.app.request(`/papers/${PAPER}`))).text();

  async function post(browser: Browser, action: string, fields: Record<string, string>) {
    const csrf = Browser.csrf(await paperPage(browser));
    return browser.request(action, { form: { ...fields, csrf } });
  }

  test('comments render a safe Markdown subset; raw HTML and script links stay inert', async () => {
    const before = await paperPage();
    const body = [
      '**Nice** result, see [the code](https://example.org/code) and `O(n log n)`.',
      '<script>window.__xss = 3</script> <img src=x onerror="window.__xss = 4">',
      '[click](javascript:alert(1)) ![tracker](https://example.org/pixel.png)',
    ].join('\n\n');
    const posted = await post(ada, `/papers/${PAPER}/comments`, { body });
    assert.equal(posted.status, 303);
    assert.match(posted.headers.get('location') ?? '', new RegExp(`^/papers/${PAPER}#c-`));
    const html = await paperPage();
    assert.notEqual(html, before, 'the cached page follows the new comment');
    assert.match(html, /<strong>Nice<\/strong>/);
    assert.match(html, /<a href="https:\/\/example.org\/code" rel="nofollow ugc noopener">the code<\/a>/);
    assert.match(html, /<code>O\(n log n\)<\/code>/);
    assert.match(html, /&lt;script&gt;window.__xss = 3&lt;\/script&gt;/);
    assert.ok(!html.includes('<script>window.__xss'));
    assert.ok(!html.includes('<img src=x'));
    assert.ok(!/href="javascript:/i.test(html));
    assert.ok(!html.includes('<img src="https://example.org/pixel.png"'), 'no images: no tracking pixels');
    assert.ok(!html.includes('ada@example.org'), 'authors are shown by handle, never by email');
  });

  test('replies nest; only authors edit; authors and moderators delete; moderators hide; anyone reports', async () => {
    const first = /id="c-([0-9a-f-]{36})"/.exec(await paperPage())?.[1] as string;
    const replied = await post(bob, `/papers/${PAPER}/comments`, { body: 'A reply.', parent: first });
    assert.equal(replied.status, 303);
    assert.match(
      await paperPage(),
      new RegExp(`id="c-${first}"[^]*<ol class="replies"><li id="c-[^"]+" class="comment">[^]*A reply\\.`),
    );

    const forbidden = await post(bob, `/comments/${first}/edit`, { body: 'hijacked' });
    assert.equal(forbidden.status, 403);
    assert.match(await forbidden.text(), /only its author can edit a comment/);
    assert.equal((await post(bob, `/comments/${first}/hide`, {})).status, 403, 'hiding is for moderators');
    const edited = await post(ada, `/comments/${first}/edit`, { body: 'Edited: **better** now.' });
    assert.equal(edited.status, 303);
    const afterEdit = await paperPage();
    assert.match(afterEdit, /Edited: <strong>better<\/strong> now\./);
    assert.match(afterEdit, / · edited/);

    const reported = await post(bob, `/comments/${first}/report`, { reason: 'spam' });
    assert.equal(reported.status, 303);
    const bobId = (await fixture.store.getUserByEmail('bob@example.org'))?.id as string;
    assert.equal(await fixture.store.reportComment(first, bobId, 'again', 'now'), 1, 'one report per reader');

    const grace = new Browser(fixture);
    await signInByMail(fixture, grace, 'grace@example.org');
    const graceUser = await fixture.store.getUserByEmail('grace@example.org');
    assert.equal((await grace.request('/moderation')).status, 403, 'the queue is for moderators');
    await fixture.store.setUserRole(graceUser?.id as string, 'moderator');
    // The moderators' queue shows the reported comment, with its reason, and hides it from there.
    const queue = await (await grace.request('/moderation')).text();
    assert.match(
      queue,
      new RegExp(`id="r-${first}"[^]*1 report,[^]*Edited: <strong>better[^]*Reasons: spam`),
    );
    const hiddenFromQueue = await grace.request(`/comments/${first}/hide`, {
      form: { hidden: '1', back: '/moderation', csrf: Browser.csrf(queue) },
    });
    assert.equal(hiddenFromQueue.headers.get('location'), '/moderation');
    const hidden = await paperPage();
    assert.match(hidden, /\[hidden by a moderator\]/);
    assert.ok(!hidden.includes('Edited: <strong>better'));
    assert.match(await paperPage(grace), /hidden from readers[^]*Edited: <strong>better/);
    await post(grace, `/comments/${first}/hide`, { hidden: '0' });

    assert.equal((await post(ada, `/comments/${first}/delete`, {})).status, 303);
    const afterDelete = await paperPage();
    assert.match(afterDelete, /\[deleted\]/);
    assert.match(afterDelete, /A reply\./, 'replies stay readable');
    assert.equal((await post(ada, `/comments/${first}/edit`, { body: 'undead' })).status, 404);
  });

  test('bad comments: clear errors, nothing stored', async () => {
    const count = async () => (await fixture.store.listComments(PAPER)).length;
    const before = await count();
    const cases: [Record<string, string>, number, RegExp][] = [
      [{ body: '   ' }, 400, /write something first/],
      [{ body: 'x'.repeat(10_001) }, 400, /at most 10,000 characters/],
      [{ body: 'hello', parent: 'no-such-comment' }, 404, /no such comment to reply to/],
    ];
    for (const [fields, status, message] of cases) {
      const response = await post(ada, `/papers/${PAPER}/comments`, fields);
      assert.equal(response.status, status);
      assert.match(await response.text(), message);
    }
    const noToken = await ada.request(`/papers/${PAPER}/comments`, { form: { body: 'forged' } });
    assert.equal(noToken.status, 403);
    const anonymous = await fixture.app.request(`/papers/${PAPER}/comments`, { method: 'POST' });
    assert.equal(anonymous.status, 403);
    assert.equal(await count(), before);
  });
});
