import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Hono } from 'hono';
import { responseCache } from '../../src/web/http.js';

function app(stamp: { value: string }, maxBytes: number) {
  const renders = new Map<string, number>();
  const hono = new Hono();
  hono.use(responseCache(async () => stamp.value, maxBytes));
  hono.get('/page/:n', (c) => {
    const n = c.req.param('n');
    renders.set(n, (renders.get(n) ?? 0) + 1);
    c.header('cache-control', 'no-cache');
    return c.text('x'.repeat(400));
  });
  hono.get('/uncacheable', (c) => c.text('no cache-control header'));
  hono.get('/private', (c) => {
    c.header('cache-control', 'no-store');
    return c.text('a page for one reader');
  });
  hono.get('/cookie', (c) => {
    c.header('cache-control', 'no-cache');
    c.header('set-cookie', 'token=abc');
    return c.text('sets a cookie');
  });
  return { hono, renders };
}

test('the response cache renders once per stamp, evicts the least recently used past its byte budget', async () => {
  const stamp = { value: 'a' };
  const { hono, renders } = app(stamp, 1000);
  const cacheOf = async (url: string) => (await hono.request(url)).headers.get('x-cache');
  assert.equal(await cacheOf('/page/1'), 'miss');
  assert.equal(await cacheOf('/page/1'), 'hit');
  assert.equal(await cacheOf('/page/2'), 'miss');
  assert.equal(await cacheOf('/page/1'), 'hit', 'page 1 is now the most recently used');
  assert.equal(await cacheOf('/page/3'), 'miss', '1,200 bytes do not fit in 1,000: page 2 goes');
  assert.equal(await cacheOf('/page/1'), 'hit');
  assert.equal(await cacheOf('/page/2'), 'miss');
  stamp.value = 'b';
  assert.equal(await cacheOf('/page/1'), 'miss', 'a new stamp is a new render');
  assert.deepEqual(Object.fromEntries(renders), { 1: 2, 2: 2, 3: 1 });
  assert.equal(await cacheOf('/uncacheable'), null, 'only responses that set Cache-Control are cached');
  for (const url of ['/private', '/cookie', '/private', '/cookie']) {
    assert.equal(await cacheOf(url), null, `${url} is never cached`);
  }
});
