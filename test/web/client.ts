/** A browser's cookie jar, enough for one site: over the in-process app, or over HTTP to real servers. */
import type { WebFixture } from './fixture.js';

/** Sends one request; redirects come back as they are, for the test to look at. */
export type Send = (path: string, init: RequestInit) => Response | Promise<Response>;

/** Over HTTP: `path` is a full URL, so one browser may ask several servers of one site. */
export const overHttp: Send = (url, init) => fetch(url, { ...init, redirect: 'manual' });

export class Browser {
  private readonly cookies = new Map<string, string>();
  private readonly send: Send;

  constructor(target: WebFixture | Send) {
    this.send = typeof target === 'function' ? target : (path, init) => target.app.request(path, init);
  }

  /** A GET, or a POST of `form` (URL-encoded) or `multipart` (with files, as a browser sends uploads). */
  async request(
    path: string,
    init: { method?: string; form?: Record<string, string>; multipart?: FormData } = {},
  ) {
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await this.send(path, {
      method: init.method ?? (init.form || init.multipart ? 'POST' : 'GET'),
      headers,
      body: init.form ? new URLSearchParams(init.form).toString() : init.multipart,
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = (pair as string).split('=') as [string, string];
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  /** The CSRF token of the first form on a page. */
  static csrf(html: string): string {
    return /name="csrf" value="([^"]+)"/.exec(html)?.[1] as string;
  }
}

/** Signs a browser in through the link mailed to the fixture's SMTP server. */
export async function signInByMail(fixture: WebFixture, browser: Browser, email: string): Promise<void> {
  const form = await (await browser.request('/signin')).text();
  const sent = fixture.smtp.received.length;
  await browser.request('/signin', { form: { email, csrf: Browser.csrf(form) } });
  const mail = (await fixture.smtp.waitFor(sent + 1))[sent];
  const link = new URL(/http:\/\/\S+/.exec(mail?.text ?? '')?.[0] as string);
  const confirm = await (await browser.request(link.pathname + link.search)).text();
  const token = /name="token" value="([^"]+)"/.exec(confirm)?.[1] as string;
  const done = await browser.request('/signin/verify', { form: { token, csrf: Browser.csrf(confirm) } });
  if (done.status !== 303) throw new Error(`sign-in failed: ${done.status}`);
}
