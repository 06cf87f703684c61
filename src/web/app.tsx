/**
 * The web application: pages, feeds, the JSON API, health and metrics, as one Hono app that speaks only
 * Web-standard Request and Response (server.ts puts it on a Node HTTP server; tests call app.request()).
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { compress } from 'hono/compress';
import { secureHeaders } from 'hono/secure-headers';
import { getCookie } from 'hono/cookie';
import { diskFull, OpenPapersError } from '../core/errors.js';
import { apiDocument, createApi } from './api.js';
import { ApiPage, type ApiDocument } from './pages/api-docs.js';
import { registerAssets } from './assets.js';
import { observe, responseCache, WebMetrics, type RequestLogEntry } from './http.js';
import { CHECKPOINT_PREFIX } from '../core/harvest/oai-pmh.js';
import { ErrorPage } from './pages/components.js';
import { registerAccountRoutes } from './pages/account-routes.js';
import { registerSubscribeRoutes } from './pages/subscribe-routes.js';
import {
  LIBRARY_UPLOAD_PATHS,
  MAX_LIBRARY_BYTES,
  registerCollectionRoutes,
} from './pages/collection-routes.js';
import { accountOf, html, registerPages } from './pages/routes.js';
import { TRUST_NO_PROXY, type TrustedProxies } from './client-address.js';
import { clientAddresses, SESSION_COOKIE, sessions, type WebEnv } from './session.js';
import type { WebDeps } from './queries.js';

export interface WebOptions {
  /** Where each request's log entry goes (default: nowhere). */
  log?: (entry: RequestLogEntry) => void;
  /** The public address (`https://papers.example.org`) for absolute links in feeds; default: the request's. */
  publicUrl?: string | null;
  /** The port the server listens on, once it does: mailed links on a laptop install use it, whatever Host says. */
  listenPort?: () => number | null;
  /** The reverse proxies whose X-Forwarded-For is believed (default: none). */
  trustedProxies?: TrustedProxies;
}

/** How long a rendered response may be reused at most, even when nothing in the store changed ("new" badges). */
const CACHE_BUCKET_MS = 10 * 60_000;

export function createWebApp(deps: WebDeps, options: WebOptions = {}): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const metrics = new WebMetrics();
  const publicOrigin = options.publicUrl?.replace(/\/$/, '') ?? null;
  const origin = (c: Context) => publicOrigin ?? new URL(c.req.url).origin;

  app.use(observe(metrics, options.log ?? (() => {})));
  app.use(
    secureHeaders({
      // No script runs on these pages at all; KaTeX's layout needs inline style attributes, nothing more.
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'none'"],
        styleSrc: ["'self'"],
        styleSrcAttr: ["'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    }),
  );
  app.use(compress());
  app.use(
    responseCache(
      async () => {
        const [papers, votes] = await Promise.all([deps.store.revision(), deps.store.communityRevision()]);
        // Search results and similar papers change when a new index generation is published.
        const index = deps.search.snapshot()?.generation ?? 0;
        return `${papers}:${votes}:${index}:${Math.floor(Date.parse(deps.now()) / CACHE_BUCKET_MS)}`;
      },
      undefined,
      (c) => getCookie(c, SESSION_COOKIE) !== undefined,
    ),
  );
  const tooLarge = (limit: string) => () => {
    throw new OpenPapersError('OP_ERR_BAD_REQUEST', `the request body is over ${limit}`);
  };
  const formBodies = bodyLimit({ maxSize: 64 * 1024, onError: tooLarge('64 KB') });
  const libraryUploads = bodyLimit({ maxSize: MAX_LIBRARY_BYTES, onError: tooLarge('5 MB') });
  // A GET has no body to limit; looking for one would make the Node adapter build a full Request.
  app.use((c, next) =>
    c.req.method === 'GET' || c.req.method === 'HEAD'
      ? next()
      : (LIBRARY_UPLOAD_PATHS.test(c.req.path) ? libraryUploads : formBodies)(c, next),
  );
  app.use(clientAddresses(options.trustedProxies ?? TRUST_NO_PROXY));
  app.use(sessions(deps));

  app.get('/healthz', async (c) => {
    c.header('cache-control', 'no-store');
    await deps.store.revision();
    return c.json({ status: 'ok' });
  });
  app.get('/metrics', async (c) => {
    await metrics.observeIndex(
      deps.search.snapshot(),
      await deps.search.indexStatus(),
      await deps.store.revision(),
    );
    metrics.observeHarvests(await deps.store.listCursors(CHECKPOINT_PREFIX));
    c.header('content-type', metrics.registry.contentType);
    c.header('cache-control', 'no-store');
    return c.body(await metrics.registry.metrics());
  });

  registerAssets(app);
  registerPages(app, deps, origin);
  // Links mailed to people must not take their host from a header the asker chooses, unless it is this
  // machine (a laptop install); a public server names its address with publicUrl.
  const linkOrigin = (c: Context) => {
    if (publicOrigin) return publicOrigin;
    const url = new URL(c.req.url);
    if (!['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) return null;
    const port = options.listenPort?.();
    return port ? `${url.protocol}//${url.hostname}:${port}` : url.origin;
  };
  registerAccountRoutes(app, deps, linkOrigin);
  registerSubscribeRoutes(app, deps, linkOrigin);
  registerCollectionRoutes(app, deps, origin);
  const api = createApi(deps);
  const document = apiDocument(api) as unknown as ApiDocument;
  for (const path of ['/api', '/api/']) {
    app.get(path, (c) => html(c, <ApiPage document={document} account={accountOf(c)} />));
  }
  app.route('/api', api);

  // Every address that answers GET answers other methods with 405 and what is allowed.
  const writable = new Set(app.routes.filter((route) => route.method === 'POST').map((route) => route.path));
  const readable = new Set(
    app.routes
      .filter((route) => route.method === 'GET' && !writable.has(route.path))
      .map((route) => route.path),
  );
  for (const path of readable) {
    app.on(['POST', 'PUT', 'PATCH', 'DELETE'], path, (c) => {
      c.header('allow', 'GET, HEAD');
      throw new OpenPapersError('OP_ERR_METHOD', `${c.req.method} is not allowed on ${c.req.path}; use GET`);
    });
  }

  app.notFound(() => {
    throw new OpenPapersError('OP_ERR_NO_ROUTE', 'there is nothing at this address');
  });
  app.onError((error, c) => {
    const known = error instanceof OpenPapersError ? error : diskFull(error, 'the database');
    if (!known) console.error(error);
    const status = (known?.httpStatus ?? 500) as 400 | 401 | 403 | 404 | 405 | 429 | 500 | 502 | 503;
    const code = known?.code ?? 'OP_ERR_INTERNAL';
    const message = known?.message ?? 'an unexpected error; it has been logged';
    if (c.req.path === '/api' || c.req.path.startsWith('/api/') || c.req.path === '/healthz') {
      c.header('cache-control', 'no-store');
      return c.json({ error: { code, message } }, status);
    }
    return html(
      c,
      <ErrorPage status={status} message={message} account={c.get('viewer')?.user.email ?? null} />,
      status,
    );
  });
  return app;
}
