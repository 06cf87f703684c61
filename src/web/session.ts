/**
 * Who is asking, and may they change anything: the session cookie, and CSRF tokens on every state-changing
 * request. A signed-in form carries its session's CSRF token; a signed-out form (sign-in) carries the value
 * of a random cookie it was given (double submit). Tokens are compared in constant time.
 */
import { clientOf, type TrustedProxies } from './client-address.js';
import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { getConnInfo } from '@hono/node-server/conninfo';
import { newToken } from '../app/accounts.js';
import type { StoredSession, User } from '../app/ports.js';
import { OpenPapersError } from '../core/errors.js';
import type { WebDeps } from './queries.js';

export const SESSION_COOKIE = 'op_session';
const CSRF_COOKIE = 'op_csrf';

export interface Viewer {
  user: User;
  session: StoredSession;
  token: string;
}

export type WebEnv = { Variables: { viewer: Viewer | null; client: string } };

/** Cookies are Secure whenever the site is reached over HTTPS (always, behind a TLS proxy that says so). */
function secure(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
}

export function setSessionCookie(c: Context, token: string, maxAgeSeconds: number): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    secure: secure(c),
    sameSite: 'Lax',
    path: '/',
    maxAge: maxAgeSeconds,
  });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: secure(c) });
}

/** Reads the session cookie into `viewer` (null when signed out or the session is gone). */
export function sessions(deps: WebDeps): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    const token = getCookie(c, SESSION_COOKIE);
    const found = token ? await deps.accounts.session(token) : null;
    c.set('viewer', found && token ? { ...found, token } : null);
    await next();
  };
}

/** The CSRF token that forms on this page must send back; sets the signed-out cookie when needed. */
export function csrfToken(c: Context<WebEnv>): string {
  const viewer = c.get('viewer');
  if (viewer) return viewer.session.csrfToken;
  let token = getCookie(c, CSRF_COOKIE);
  if (!token || token.length > 100) {
    token = newToken();
    setCookie(c, CSRF_COOKIE, token, { httpOnly: true, secure: secure(c), sameSite: 'Strict', path: '/' });
  }
  return token;
}

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** On every state-changing route: the form must carry the right CSRF token in its field `csrf`. */
export function csrfCheck(): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const sent = typeof form.csrf === 'string' ? form.csrf : '';
    const viewer = c.get('viewer');
    const expected = viewer ? viewer.session.csrfToken : (getCookie(c, CSRF_COOKIE) ?? '');
    if (!sent || !expected || !sameToken(sent, expected)) {
      throw new OpenPapersError(
        'OP_ERR_CSRF',
        'this form has expired or did not come from this site; reload the page and try again',
      );
    }
    await next();
  };
}

/** The address a request came from, for rate limits (see client-address.ts); "local" for in-process requests. */
export function clientAddress(c: Context<WebEnv>): string {
  return c.get('client');
}

/** Sets each request's client address, from the peer and, behind trusted proxies, X-Forwarded-For. */
export function clientAddresses(trusted: TrustedProxies): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    let peer = 'local';
    try {
      peer = getConnInfo(c).remote.address ?? 'local';
    } catch {
      // an in-process request (tests, app.request) has no connection
    }
    c.set('client', clientOf(peer, c.req.header('x-forwarded-for'), trusted));
    await next();
  };
}

const SAME_SITE = 'http://openpapers.invalid';

/**
 * A redirect target from a request (`next`, `back`) when it is a path of this site, else the fallback.
 * It is judged as a browser reads it — after the URL parser drops tabs and newlines and takes backslashes
 * for slashes — and returned as the parser writes it out, so no `//host`, `/\\host` or header-breaking
 * character reaches the Location header.
 */
export function localPath(target: unknown, fallback: string): string {
  if (typeof target !== 'string' || target.length >= 2000 || !target.startsWith('/')) return fallback;
  let url: URL;
  try {
    url = new URL(target, SAME_SITE);
  } catch {
    return fallback;
  }
  return url.origin === SAME_SITE ? `${url.pathname}${url.search}${url.hash}` : fallback;
}
