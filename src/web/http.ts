/** HTTP concerns shared by every route: the response cache with ETags, request logs and metrics. */
import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { IndexSnapshot, IndexStatus } from '../app/ports.js';
import { checkpointTarget, parseCheckpoint, parseHarvestRecord } from '../core/harvest/oai-pmh.js';

interface CachedResponse {
  stamp: string;
  etag: string;
  /** A Uint8Array, not an ArrayBuffer: the Node adapter writes those without going through a stream. */
  body: Uint8Array;
  headers: [string, string][];
}

/** Pages rendered to a string, by their response: the cache takes the text without reading a stream. */
const renderedText = new WeakMap<Response, string>();

/** An HTML response of a page rendered to a string. */
export function renderedHtml(c: Context, text: string, status: ContentfulStatusCode): Response {
  const response = c.html(text, status);
  renderedText.set(response, text);
  return response;
}

/**
 * Caches successful GET responses by URL until `stamp` changes (the store's revisions and a time bucket), so
 * that a popular page is rendered once per change rather than once per request, and answers conditional
 * requests with 304. Only responses whose Cache-Control allows shared storing are cached, never one that sets
 * a cookie: a route opts in by saying how clients may cache it.
 */
export function responseCache(
  stamp: () => Promise<string>,
  maxBytes = 64 * 1024 * 1024,
  /** Requests answered personally (a signed-in reader's), never from or into the cache. */
  personal: (c: Context) => boolean = () => false,
): MiddlewareHandler {
  const cache = new Map<string, CachedResponse>();
  // Bounded by bytes, not entries: anyone can ask for endless distinct URLs, and feeds are large.
  let bytes = 0;
  const evict = (key: string) => {
    bytes -= cache.get(key)?.body.byteLength ?? 0;
    cache.delete(key);
  };
  return async (c, next) => {
    if ((c.req.method !== 'GET' && c.req.method !== 'HEAD') || personal(c)) return next();
    const url = new URL(c.req.url);
    const key = url.pathname + url.search;
    const current = await stamp();
    const hit = cache.get(key);
    if (hit && hit.stamp === current) {
      // Most recently used last, so that eviction takes the least recently used.
      cache.delete(key);
      cache.set(key, hit);
      c.res = fromCache(hit, c.req.header('if-none-match'));
      c.header('x-cache', 'hit');
      return;
    }
    await next();
    const response = c.res;
    // Only what a route marks as shareable: a Cache-Control that allows storing, and no cookie of anyone's.
    const control = response.headers.get('cache-control') ?? '';
    if (
      response.status !== 200 ||
      !control ||
      /no-store|private/.test(control) ||
      response.headers.has('set-cookie')
    ) {
      return;
    }
    const text = renderedText.get(response);
    const body = text === undefined ? new Uint8Array(await response.arrayBuffer()) : Buffer.from(text);
    const etag = `W/"${createHash('sha1').update(current).update(body).digest('base64url').slice(0, 22)}"`;
    const headers = [...response.headers.entries()].filter(([name]) => name !== 'content-length');
    const entry: CachedResponse = { stamp: current, etag, body, headers };
    evict(key);
    while (cache.size > 0 && bytes + body.byteLength > maxBytes) evict(cache.keys().next().value as string);
    if (body.byteLength <= maxBytes) {
      cache.set(key, entry);
      bytes += body.byteLength;
    }
    c.res = undefined;
    c.res = fromCache(entry, c.req.header('if-none-match'));
    c.header('x-cache', 'miss');
  };
}

function fromCache(entry: CachedResponse, ifNoneMatch: string | undefined): Response {
  const headers = new Headers(entry.headers);
  headers.set('etag', entry.etag);
  if (ifNoneMatch && ifNoneMatch.split(/\s*,\s*/).includes(entry.etag)) {
    return new Response(null, { status: 304, headers });
  }
  return new Response(entry.body, { status: 200, headers });
}

export interface RequestLogEntry {
  time: string;
  method: string;
  path: string;
  route: string;
  status: number;
  ms: number;
  cache: string | null;
}

/** One structured log entry per request, and Prometheus metrics, labelled by route pattern. */
export function observe(metrics: WebMetrics, log: (entry: RequestLogEntry) => void): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = routeOf(c);
    const status = c.res.status;
    metrics.requests.inc({ method: c.req.method, route, status: String(status) });
    metrics.duration.observe({ method: c.req.method, route }, seconds);
    log({
      time: new Date().toISOString(),
      method: c.req.method,
      path: c.req.path,
      route,
      status,
      ms: Math.round(seconds * 10_000) / 10,
      cache: c.res.headers.get('x-cache'),
    });
  };
}

function routeOf(c: Context): string {
  // Unmatched requests would otherwise each be their own label.
  return c.res.status === 404 && c.req.routePath === '*' ? 'unmatched' : c.req.routePath;
}

export class WebMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'openpapers_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'openpapers_http_request_duration_seconds',
    help: 'HTTP request duration by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly index = {
    generation: this.gauge('openpapers_index_generation', 'The search index generation being served'),
    papers: this.gauge('openpapers_index_papers', 'Papers in the search index being served'),
    segments: this.gauge('openpapers_index_segments', 'Lexical segments of the search index being served'),
    lag: this.gauge(
      'openpapers_index_lag_revisions',
      'How many store revisions the served search index is behind the database',
    ),
    working: new Gauge({
      name: 'openpapers_index_work_in_progress',
      help: 'Index work in progress (1) by kind: indexing new changes, merging segments',
      labelNames: ['kind'] as const,
      registers: [this.registry],
    }),
    progress: this.gauge('openpapers_index_work_done', 'Items done of the index work in progress'),
  };

  readonly harvest = {
    records: this.setGauge(
      'openpapers_harvest_records',
      'Records the last complete OAI-PMH harvest of a set saw, by outcome',
      'outcome',
    ),
    completed: this.setGauge(
      'openpapers_harvest_last_completed_timestamp_seconds',
      'When the last OAI-PMH harvest of a set ran to its end',
    ),
    from: this.setGauge(
      'openpapers_harvest_checkpoint_timestamp_seconds',
      'The day the next (or current) harvest of a set starts from',
    ),
    inProgress: this.setGauge(
      'openpapers_harvest_in_progress',
      'Whether a chain of pages is part-way (1: a resumption token is saved)',
    ),
  };

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'openpapers_' });
  }

  /** Sets the harvest gauges from the checkpoints in the store (what every worker's harvests saved). */
  observeHarvests(checkpoints: readonly { name: string; value: string }[]): void {
    for (const { name, value } of checkpoints) {
      const target = checkpointTarget(name);
      const checkpoint = parseCheckpoint(value);
      if (!target || !checkpoint) continue;
      const labels = { set: target.set ?? '*', format: target.metadataPrefix };
      this.harvest.from.set(labels, Date.parse(`${checkpoint.from}T00:00:00Z`) / 1000);
      this.harvest.inProgress.set(labels, checkpoint.token ? 1 : 0);
      const last = parseHarvestRecord(value);
      if (!last) continue;
      this.harvest.completed.set(labels, Date.parse(last.at) / 1000);
      for (const outcome of ['read', 'new', 'updated', 'unchanged', 'deleted', 'rejected'] as const)
        this.harvest.records.set(
          { ...labels, outcome: outcome === 'read' ? 'seen' : outcome },
          last[outcome],
        );
    }
  }

  private gauge(name: string, help: string): Gauge {
    return new Gauge({ name, help, registers: [this.registry] });
  }

  /** A gauge per harvested set and metadata format (and `extra`, when given). */
  private setGauge(name: string, help: string, extra?: string): Gauge<string> {
    const labelNames = extra ? ['set', 'format', extra] : ['set', 'format'];
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  /** Sets the index gauges from what is served and what the index writer last said it was doing. */
  observeIndex(snapshot: IndexSnapshot | null, status: IndexStatus | null, storeRevision: number): void {
    this.index.generation.set(snapshot?.generation ?? 0);
    this.index.papers.set(snapshot?.lexical.docCount ?? 0);
    this.index.segments.set(snapshot?.lexical.segments.length ?? 0);
    this.index.lag.set(Math.max(0, storeRevision - (snapshot?.storeRevision ?? 0)));
    // A writer that stopped updating its status for a minute is not working any more.
    const fresh = status !== null && Date.now() - Date.parse(status.updatedAt) < 60_000;
    this.index.working.set({ kind: 'indexing' }, fresh && status.state === 'indexing' ? 1 : 0);
    this.index.working.set({ kind: 'merging' }, fresh && status.state === 'merging' ? 1 : 0);
    this.index.progress.set(fresh && status.state !== 'idle' ? status.done : 0);
  }
}
