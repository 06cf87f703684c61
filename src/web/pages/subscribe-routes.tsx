/**
 * Digests on the web: the subscribe form, the confirmation link, and what every digest links to — its web
 * view, 👍 / 👎 feedback and unsubscribing — which work without signing in: the link's token is the key.
 * Unsubscribing answers RFC 8058's one-click POST, which carries no CSRF token (the URL's token is secret).
 */
import type { Context, Hono } from 'hono';
import type { DigestTopics, Frequency } from '../../app/ports.js';
import { OpenPapersError } from '../../core/errors.js';
import { formFields } from '../forms.js';
import type { WebDeps } from '../queries.js';
import { clientAddress, csrfCheck, csrfToken, type WebEnv } from '../session.js';
import { paperPath, withQuery } from '../urls.js';
import { accountOf, html } from './routes.js';
import { ConfirmPage, MessagePage, SubscribePage } from './subscribe.js';

function topicsOf(form: Record<string, string>): DigestTopics {
  return {
    trending: form.trending === 'yes',
    personal: form.personal === 'yes',
    categories: (form.categories ?? '').split(/[\s,]+/).filter(Boolean),
    searches: (form.searches ?? '').split(/\r?\n/).filter((line) => line.trim()),
  };
}

export function registerSubscribeRoutes(
  app: Hono<WebEnv>,
  deps: WebDeps,
  linkOrigin: (c: Context) => string | null,
): void {
  app.get('/subscribe', async (c) => {
    const viewer = c.get('viewer');
    const current = viewer ? await deps.store.getSubscriberByEmail(viewer.user.email) : null;
    return html(c, <SubscribePage csrf={csrfToken(c)} account={accountOf(c)} current={current} />, 200, true);
  });

  app.post('/subscribe', csrfCheck(), async (c) => {
    const form = await formFields(c);
    const frequency: Frequency = form.frequency === 'weekly' ? 'weekly' : 'daily';
    const base = linkOrigin(c);
    const outcome = await deps.subscriptions.subscribe(
      { email: form.email ?? '', frequency, topics: topicsOf(form) },
      c.get('viewer')?.user ?? null,
      clientAddress(c),
      (token) => {
        if (!base) {
          throw new OpenPapersError(
            'OP_ERR_NOT_CONFIGURED',
            'confirmation links need the server started with --public-url (its address as people reach it)',
          );
        }
        return base + withQuery('/subscribe/confirm', { token });
      },
    );
    const message =
      outcome === 'active'
        ? `Subscribed: ${frequency} digests go to ${(form.email ?? '').trim()}.`
        : `If ${(form.email ?? '').trim()} can receive mail, a link to confirm the subscription is on its way. Nothing is sent until it is used.`;
    return html(
      c,
      <MessagePage
        title={outcome === 'active' ? 'Subscribed' : 'Check your inbox'}
        message={message}
        account={accountOf(c)}
      />,
      200,
      true,
    );
  });

  app.get('/subscribe/confirm', (c) => {
    const token = c.req.query('token') ?? '';
    return html(
      c,
      <ConfirmPage
        title="Confirm your subscription"
        text="One more step: confirm that you want OpenPapers digests at this address."
        action="/subscribe/confirm"
        button="Confirm"
        csrf={csrfToken(c)}
        token={token}
      />,
      200,
      true,
    );
  });

  app.post('/subscribe/confirm', csrfCheck(), async (c) => {
    const subscriber = await deps.subscriptions.confirm((await formFields(c)).token ?? '');
    return html(
      c,
      <MessagePage
        title="Subscribed"
        message={`Confirmed: ${subscriber.frequency} digests go to ${subscriber.email}.`}
        account={accountOf(c)}
      />,
      200,
      true,
    );
  });

  app.get('/unsubscribe/:token', async (c) => {
    const subscriber = await deps.subscriptions.byLinkToken(c.req.param('token'));
    return html(
      c,
      <ConfirmPage
        title="Unsubscribe"
        text={`Stop sending OpenPapers digests to ${subscriber.email}?`}
        action={`/unsubscribe/${encodeURIComponent(c.req.param('token'))}`}
        button="Unsubscribe"
      />,
      200,
      true,
    );
  });

  app.post('/unsubscribe/:token', async (c) => {
    const subscriber = await deps.subscriptions.unsubscribe(c.req.param('token'));
    return html(
      c,
      <MessagePage
        title="Unsubscribed"
        message={`No more digests go to ${subscriber.email}.`}
        link={{ href: '/subscribe', text: 'Subscribe again' }}
      />,
      200,
      true,
    );
  });

  app.get('/digest/:token/feedback', async (c) => {
    const paperId = c.req.query('paper') ?? '';
    const up = c.req.query('vote') !== 'down';
    const outcome = await deps.subscriptions.feedback(c.req.param('token'), paperId, up);
    return html(
      c,
      <MessagePage
        title={outcome === 'recorded' ? 'Thanks' : 'Not counted'}
        message={
          outcome === 'dropped'
            ? 'Both 👍 and 👎 arrived for this paper within a minute, the way link-checking mail filters open every link, so neither counts. If it was you, choose again in a minute.'
            : up
              ? 'Noted: more papers like this one.'
              : 'Noted: fewer papers like this one.'
        }
        link={{ href: paperPath(paperId), text: 'Open the paper' }}
      />,
      200,
      true,
    );
  });

  app.get('/digest/:token/:period', async (c) => {
    const subscriber = await deps.subscriptions.byLinkToken(c.req.param('token'));
    const send = await deps.store.getDigest(subscriber.id, c.req.param('period'));
    if (!send || send.status === 'empty') {
      throw new OpenPapersError('OP_ERR_NOT_FOUND', 'no digest was sent for that period');
    }
    const mail = await deps.digests.render(subscriber, send);
    c.header('cache-control', 'no-store');
    return c.html(mail.html);
  });
}
