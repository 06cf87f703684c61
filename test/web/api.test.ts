import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { paperDay } from '../../src/core/paper.js';
import { demoPapers, HOSTILE, LATEST_DAY, webFixture, type WebFixture } from './fixture.js';

type Json = Record<string, unknown> & { items?: Json[] };
type OpenApi = {
  paths: Record<
    string,
    { get: { responses: Record<string, { content?: { 'application/json': { schema: unknown } } }> } }
  >;
  components: unknown;
};

const BASE = 'https://openpapers.test/api';

describe('JSON API', () => {
  let fixture: WebFixture;
  let validateResponse: (template: string, status: number, body: unknown) => void;
  let expectedByDay: Map<string, number>;

  before(async () => {
    fixture = await webFixture({ after: (fn) => process.on('exit', fn) });
    const doc = (await (await fixture.app.request('/api/openapi.json')).json()) as OpenApi;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema({ $id: BASE, components: doc.components });
    const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
    validateResponse = (template, status, body) => {
      const key = `${template} ${status}`;
      let validate = compiled.get(key);
      if (!validate) {
        const schema =
          doc.paths[template]?.get.responses[String(status)]?.content?.['application/json'].schema;
        assert.ok(schema, `the OpenAPI document declares no ${status} response for GET ${template}`);
        validate = ajv.compile(
          JSON.parse(JSON.stringify(schema).replaceAll('"#/components', `"${BASE}#/components`)),
        );
        compiled.set(key, validate);
      }
      assert.ok(validate(body), `${key}: ${ajv.errorsText(validate.errors)}`);
    };
    expectedByDay = new Map();
    for (const paper of [...(await demoPapers()), ...HOSTILE]) {
      const day = paperDay(paper as { announced: string | null; published: string | null });
      if (day) expectedByDay.set(day, (expectedByDay.get(day) ?? 0) + 1);
    }
  });
  after(() => fixture.close());

  /** GET a URL, check its status and its body against the OpenAPI document, return the body. */
  async function get(url: string, template: string, status = 200): Promise<Json> {
    const response = await fixture.app.request(url);
    const body = (await response.json()) as Json;
    assert.equal(response.status, status, `${url}: ${JSON.stringify(body).slice(0, 300)}`);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    validateResponse(template, status, body);
    return body;
  }

  test('the OpenAPI document is 3.1 and declares every endpoint', async () => {
    const doc = (await (await fixture.app.request('/api/openapi.json')).json()) as OpenApi & {
      openapi: string;
    };
    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(Object.keys(doc.paths).sort(), [
      '/daily',
      '/monthly',
      '/papers/{id}',
      '/papers/{id}/similar',
      '/search',
      '/trending',
      '/weekly',
    ]);
  });

  test('daily, weekly and monthly lists: counts agree with the corpus, pages partition the list', async () => {
    const latest = await get('/api/daily', '/daily');
    assert.deepEqual(latest.period, { kind: 'day', key: LATEST_DAY, from: LATEST_DAY, to: LATEST_DAY });
    assert.equal(latest.total, expectedByDay.get(LATEST_DAY));
    assert.equal(latest.next, null);
    const previousDay = [...expectedByDay.keys()]
      .filter((day) => day < LATEST_DAY)
      .sort()
      .at(-1);
    assert.equal(latest.previous, previousDay);

    const day = '2026-06-24';
    const pages = [];
    const total = expectedByDay.get(day) as number;
    for (let page = 1; page <= Math.ceil(total / 100); page++) {
      pages.push(
        ...((await get(`/api/daily?date=${day}&per_page=100&page=${page}`, '/daily')).items as Json[]),
      );
    }
    assert.equal(pages.length, total);
    assert.equal(new Set(pages.map((item) => item.id)).size, total, 'no paper on two pages');
    assert.ok(pages.every((item) => item.day === day));

    const week = await get('/api/weekly?week=2026-W26', '/weekly');
    const weekDays = [
      '2026-06-22',
      '2026-06-23',
      '2026-06-24',
      '2026-06-25',
      '2026-06-26',
      '2026-06-27',
      '2026-06-28',
    ];
    assert.equal(
      week.total,
      weekDays.reduce((sum, d) => sum + (expectedByDay.get(d) ?? 0), 0),
    );
    assert.equal(week.previous, '2026-W25');
    const month = await get('/api/monthly?month=2026-06', '/monthly');
    const juneTotal = [...expectedByDay]
      .filter(([d]) => d.startsWith('2026-06'))
      .reduce((sum, [, n]) => sum + n, 0);
    assert.equal(month.total, juneTotal);
    assert.equal(month.next, '2026-07');

    const inCategory = await get(`/api/daily?date=${LATEST_DAY}&category=cs.CR&per_page=100`, '/daily');
    assert.ok((inCategory.items as Json[]).some((item) => item.id === HOSTILE[0]?.id));
    assert.ok((inCategory.items as Json[]).every((item) => (item.categories as string[]).includes('cs.CR')));
  });

  test('paper, similar and search', async () => {
    const paper = await get('/api/papers/2607.99002', '/papers/{id}');
    assert.equal(paper.title, HOSTILE[1]?.title, 'text comes back exactly as stored, LaTeX and all');
    assert.equal(paper.arxivUrl, 'https://arxiv.org/abs/2607.99002');
    const similar = await get('/api/papers/2607.99002/similar?limit=5', '/papers/{id}/similar');
    assert.equal((similar.items as Json[]).length, 5);
    assert.ok((similar.items as Json[]).every((item) => item.id !== '2607.99002'));

    const results = await get('/api/search?q=%22state+space+model%22&mode=lexical&per_page=5', '/search');
    assert.equal((results.items as Json[]).length, 5);
    assert.equal(results.hasMore, true);
    for (const item of results.items as Json[]) {
      const snippet = item.snippet as { text: string; highlights: [number, number][] };
      assert.ok(snippet.highlights.length > 0);
    }
    const second = await get(
      '/api/search?q=%22state+space+model%22&mode=lexical&per_page=5&page=2',
      '/search',
    );
    const firstIds = new Set((results.items as Json[]).map((item) => item.id));
    assert.ok((second.items as Json[]).every((item) => !firstIds.has(item.id)));

    const hybrid = await get('/api/search?q=linear+attention', '/search');
    assert.equal(hybrid.mode, 'lexical', 'hybrid falls back to keywords when there is no model');
    assert.match(String(hybrid.notice), /semantic search is off/);
    const semantic = await get('/api/search?q=linear+attention&mode=semantic', '/search', 503);
    assert.equal((semantic.error as Json).code, 'OP_ERR_SEMANTIC');
  });

  test('search: a typo is corrected from the index vocabulary (unless spelling=off); nonsense finds nothing', async () => {
    const typo = await get('/api/search?q=linear+atention+transfromer&mode=lexical', '/search');
    assert.equal(typo.correctedQuery, 'linear attention transformer');
    assert.ok((typo.items as Json[]).length > 0);
    assert.ok((typo.items as Json[]).some((item) => /attention/i.test(String(item.title))));
    const asTyped = await get(
      '/api/search?q=linear+atention+transfromer&mode=lexical&spelling=off',
      '/search',
    );
    assert.equal(asTyped.correctedQuery, null);
    const known = await get('/api/search?q=linear+attention&mode=lexical', '/search');
    assert.equal(known.correctedQuery, null);
    const nonsense = await get('/api/search?q=qwxyzzy+flurbonic', '/search');
    assert.deepEqual(nonsense.items, []);
    assert.equal(nonsense.correctedQuery, null);
    assert.equal(nonsense.hasMore, false);
  });

  test('bad input is a 4xx with a stable code and a message naming the parameter, never a 500', async () => {
    const cases: [string, number, string, RegExp][] = [
      ['/api/daily?date=2026-02-30', 400, '/daily', /date/],
      ['/api/daily?date=yesterday', 400, '/daily', /date/],
      ['/api/weekly?week=2026-W99', 400, '/weekly', /week/],
      ['/api/monthly?month=2026-13', 400, '/monthly', /month/],
      ['/api/daily?page=0', 400, '/daily', /page/],
      ['/api/daily?page=abc', 400, '/daily', /page/],
      ['/api/daily?page=1e9', 400, '/daily', /page/],
      ['/api/daily?page=999', 400, '/daily', /page 999 is past the last page/],
      ['/api/daily?per_page=100000', 400, '/daily', /per_page/],
      ['/api/trending?page=-1', 400, '/trending', /page/],
      [`/api/search?q=${'a'.repeat(10_000)}`, 400, '/search', /q \(the query\) must be at most 500/],
      ['/api/search?q=', 400, '/search', /q \(the query\) must not be empty/],
      ['/api/search?q=x&mode=psychic', 400, '/search', /mode/],
      ['/api/search?q=x&from=2026-99-01', 400, '/search', /from/],
      ["/api/daily?category='%20OR%201=1--", 400, '/daily', /category/],
      ['/api/papers/9999.99999', 404, '/papers/{id}', /no paper with id "9999.99999"/],
      ['/api/papers/9999.99999/similar', 404, '/papers/{id}/similar', /no paper/],
      ['/api/papers/2607.99002/similar?limit=0', 400, '/papers/{id}/similar', /limit/],
    ];
    for (const [url, status, template, message] of cases) {
      const body = await get(url, template, status);
      const error = body.error as { code: string; message: string };
      assert.match(error.message, message, url);
      assert.equal(error.code, status === 404 ? 'OP_ERR_NOT_FOUND' : 'OP_ERR_BAD_REQUEST', url);
    }
    const wrongMethod = await fixture.app.request('/api/daily', { method: 'POST' });
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get('allow'), 'GET, HEAD');
    assert.equal(((await wrongMethod.json()) as { error: { code: string } }).error.code, 'OP_ERR_METHOD');
    for (const url of [
      '/api/papers/2607.99002/similar',
      '/feeds/daily.rss',
      '/papers/2607.99002',
      '/healthz',
    ]) {
      assert.equal((await fixture.app.request(url, { method: 'DELETE' })).status, 405, url);
    }
    const nowhere = await fixture.app.request('/api/nothing-here');
    assert.equal(nowhere.status, 404);
    assert.equal(((await nowhere.json()) as { error: { code: string } }).error.code, 'OP_ERR_NO_ROUTE');
  });

  test('trending: newest first without votes; votes lift a paper, and the cached answer follows', async () => {
    const before = await get('/api/trending?per_page=50', '/trending');
    const items = before.items as Json[];
    assert.ok(items.length === 50 && (before.total as number) > 50);
    const days = items.map((item) => item.day as string);
    assert.deepEqual(days, [...days].sort().reverse(), 'without votes, newest first');
    const previousDay = [...expectedByDay.keys()]
      .filter((day) => day < LATEST_DAY)
      .sort()
      .at(-1) as string;
    const older = (
      (await get(`/api/daily?date=${previousDay}&per_page=1`, '/daily')).items as Json[]
    )[0] as Json;
    assert.ok(!items.some((item) => item.id === older.id));
    for (let voter = 0; voter < 30; voter++) {
      assert.equal(
        await fixture.store.setVote(older.id as string, `voter-${voter}`, true, '2026-07-01T10:00:00Z'),
        true,
      );
    }
    const after = await get('/api/trending?per_page=50', '/trending');
    const top = (after.items as Json[])[0] as Json;
    assert.equal(top.id, older.id);
    assert.equal(top.votes, 30);
    const card = await get(`/api/papers/${older.id as string}`, '/papers/{id}');
    assert.equal(card.votes, 30);
  });

  test('caching: ETags answer 304, compression when asked, health and metrics', async () => {
    const first = await fixture.app.request('/api/daily');
    const etag = first.headers.get('etag');
    assert.ok(etag);
    assert.match(first.headers.get('cache-control') ?? '', /max-age/);
    const again = await fixture.app.request('/api/daily', { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), '');
    const gzipped = await fixture.app.request('/api/daily', { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gzipped.headers.get('content-encoding'), 'gzip');
    const body = JSON.parse(gunzipSync(Buffer.from(await gzipped.arrayBuffer())).toString()) as Json;
    assert.equal(body.total, expectedByDay.get(LATEST_DAY));
    // A changed store is a new answer, with a new ETag.
    await fixture.store.setVote('2607.99002', 'someone', true, '2026-07-01T10:00:00Z');
    const changed = await fixture.app.request('/api/daily', { headers: { 'if-none-match': etag } });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.get('etag'), etag);

    const health = await fixture.app.request('/healthz');
    assert.deepEqual(await health.json(), { status: 'ok' });
    const metrics = await (await fixture.app.request('/metrics')).text();
    assert.match(
      metrics,
      /openpapers_http_requests_total\{method="GET",route="\/api\/daily",status="200"\} \d+/,
    );
    assert.match(metrics, /openpapers_http_request_duration_seconds_bucket/);
    const logged = fixture.logs.find((entry) => (entry as Json).path === '/api/daily') as Json;
    assert.equal(logged.method, 'GET');
    assert.equal(logged.route, '/api/daily');
    assert.equal(typeof logged.ms, 'number');
  });
});
