/**
 * The routes that change state: sign-in by email link, sign-out, the account, and where signed-in readers
 * take part (votes, submissions, discussion). Every POST checks its CSRF token first.
 */
import type { Context, Hono } from 'hono';
import { SESSION_DAYS } from '../../app/accounts.js';
import { OpenPapersError } from '../../core/errors.js';
import { formFields, signedIn } from '../forms.js';
import type { WebDeps } from '../queries.js';
import {
  clearSessionCookie,
  clientAddress,
  csrfCheck,
  csrfToken,
  localPath,
  setSessionCookie,
  type WebEnv,
} from '../session.js';
import { paperPath, withQuery } from '../urls.js';
import { AccountPage, CheckInboxPage, ConfirmSignInPage, SignInPage, SubmitPage } from './account.js';
import { ModerationPage } from './moderation.js';
import { html } from './routes.js';

export function registerAccountRoutes(
  app: Hono<WebEnv>,
  deps: WebDeps,
  /** Where links in mails point, or null when this server does not know its public address. */
  linkOrigin: (c: Context) => string | null,
): void {
  app.get('/signin', (c) => {
    const next = localPath(c.req.query('next'), '/');
    if (c.get('viewer')) return c.redirect(next, 303);
    return html(c, <SignInPage csrf={csrfToken(c)} next={next} />, 200, true);
  });

  app.post('/signin', csrfCheck(), async (c) => {
    const fields = await formFields(c);
    const next = localPath(fields.next, '/');
    const base = linkOrigin(c);
    if (!base) {
      throw new OpenPapersError(
        'OP_ERR_NOT_CONFIGURED',
        'sign-in by email needs the server started with --public-url (its address as people reach it)',
      );
    }
    await deps.accounts.requestSignIn(
      fields.email ?? '',
      clientAddress(c),
      (token) => base + withQuery('/signin/verify', { token, next: next === '/' ? undefined : next }),
    );
    return html(c, <CheckInboxPage email={(fields.email ?? '').trim()} />, 200, true);
  });

  app.get('/signin/verify', (c) => {
    const token = c.req.query('token') ?? '';
    if (!token || token.length > 200) {
      throw new OpenPapersError('OP_ERR_SIGN_IN_LINK', 'this sign-in link is incomplete; ask for a new one');
    }
    const next = localPath(c.req.query('next'), '/');
    return html(c, <ConfirmSignInPage token={token} csrf={csrfToken(c)} next={next} />, 200, true);
  });

  /** A new session at every sign-in; the one this browser had before (if any) ends. */
  const startSession = async (c: Context<WebEnv>, token: string, next: string | undefined) => {
    const previous = c.get('viewer');
    if (previous) await deps.accounts.signOut(previous.token);
    setSessionCookie(c, token, SESSION_DAYS * 86_400);
    return c.redirect(localPath(next, '/'), 303);
  };

  app.post('/signin/verify', csrfCheck(), async (c) => {
    const fields = await formFields(c);
    const { token } = await deps.accounts.completeSignIn(fields.token ?? '', clientAddress(c));
    return startSession(c, token, fields.next);
  });

  app.post('/signin/password', csrfCheck(), async (c) => {
    const fields = await formFields(c);
    const { token } = await deps.accounts.signInWithPassword(
      fields.email ?? '',
      fields.password ?? '',
      clientAddress(c),
    );
    return startSession(c, token, fields.next);
  });

  app.post('/account/password', csrfCheck(), async (c) => {
    const fields = await formFields(c);
    await deps.accounts.setPassword(signedIn(c).user, fields.password ?? '', fields.current ?? '');
    return c.redirect('/account', 303);
  });

  app.post('/account/password/remove', csrfCheck(), async (c) => {
    await deps.accounts.removePassword(signedIn(c).user, (await formFields(c)).current ?? '');
    return c.redirect('/account', 303);
  });

  app.get('/account', async (c) => {
    const viewer = c.get('viewer');
    if (!viewer) return c.redirect(withQuery('/signin', { next: '/account' }), 303);
    const hasPassword = await deps.accounts.hasPassword(viewer.user);
    return html(
      c,
      <AccountPage user={viewer.user} csrf={csrfToken(c)} hasPassword={hasPassword} />,
      200,
      true,
    );
  });

  app.post('/signout', csrfCheck(), async (c) => {
    await deps.accounts.signOut(signedIn(c).token);
    clearSessionCookie(c);
    return c.redirect('/', 303);
  });

  app.post('/signout/everywhere', csrfCheck(), async (c) => {
    await deps.accounts.signOutEverywhere(signedIn(c).user.id);
    clearSessionCookie(c);
    return c.redirect('/', 303);
  });

  app.post('/account/delete', csrfCheck(), async (c) => {
    const viewer = signedIn(c);
    if ((await formFields(c)).confirm !== 'yes') {
      throw new OpenPapersError('OP_ERR_BAD_REQUEST', 'confirm: tick the box to delete your account');
    }
    await deps.accounts.deleteAccount(viewer.user.id);
    clearSessionCookie(c);
    return c.redirect('/', 303);
  });

  app.post('/papers/:id/vote', csrfCheck(), async (c) => {
    const viewer = signedIn(c);
    const id = c.req.param('id');
    const fields = await formFields(c);
    await deps.accounts.vote(viewer.user, id, fields.up !== '0', clientAddress(c));
    return c.redirect(localPath(fields.back, paperPath(id)), 303);
  });

  app.get('/submit', (c) => {
    const viewer = c.get('viewer');
    if (!viewer) return c.redirect(withQuery('/signin', { next: '/submit' }), 303);
    return html(c, <SubmitPage csrf={csrfToken(c)} account={viewer.user.email} />, 200, true);
  });

  app.post('/submit', csrfCheck(), async (c) => {
    const viewer = signedIn(c);
    const result = await deps.submissions.submit(viewer.user, (await formFields(c)).paper ?? '');
    return c.redirect(paperPath(result.paperId), 303);
  });

  // Discussion: every change comes back to the comment on the paper page.
  const backTo = (c: Context, paperId: string, commentId: string) =>
    c.redirect(`${paperPath(paperId)}#c-${commentId}`, 303);

  app.post('/papers/:id/comments', csrfCheck(), async (c) => {
    const viewer = signedIn(c);
    const fields = await formFields(c);
    const comment = await deps.comments.post(
      viewer.user,
      c.req.param('id'),
      fields.body ?? '',
      fields.parent || null,
    );
    return backTo(c, comment.paperId, comment.id);
  });

  app.post('/comments/:id/edit', csrfCheck(), async (c) => {
    const comment = await deps.comments.edit(
      signedIn(c).user,
      c.req.param('id'),
      (await formFields(c)).body ?? '',
    );
    return backTo(c, comment.paperId, comment.id);
  });

  app.post('/comments/:id/delete', csrfCheck(), async (c) => {
    const fields = await formFields(c);
    const comment = await deps.comments.delete(signedIn(c).user, c.req.param('id'));
    return fields.back
      ? c.redirect(localPath(fields.back, '/'), 303)
      : backTo(c, comment.paperId, comment.id);
  });

  app.post('/comments/:id/hide', csrfCheck(), async (c) => {
    const fields = await formFields(c);
    const comment = await deps.comments.hide(signedIn(c).user, c.req.param('id'), fields.hidden !== '0');
    return fields.back
      ? c.redirect(localPath(fields.back, '/'), 303)
      : backTo(c, comment.paperId, comment.id);
  });

  app.get('/moderation', async (c) => {
    const viewer = c.get('viewer');
    if (!viewer) return c.redirect(withQuery('/signin', { next: '/moderation' }), 303);
    const reported = await deps.comments.reported(viewer.user);
    return html(
      c,
      <ModerationPage reported={reported} csrf={csrfToken(c)} account={viewer.user.email} />,
      200,
      true,
    );
  });

  app.post('/comments/:id/report', csrfCheck(), async (c) => {
    const comment = await deps.comments.report(
      signedIn(c).user,
      c.req.param('id'),
      (await formFields(c)).reason ?? '',
    );
    return backTo(c, comment.paperId, comment.id);
  });
}
