/** Signing in (and up) by email link, and the account page. */
import type { User } from '../../app/ports.js';
import { PASSWORD_CHARS, SIGN_IN_LINK_MINUTES } from '../../app/accounts.js';
import { CsrfField, Layout } from './components.js';

export function SignInPage(props: { csrf: string; next: string }) {
  return (
    <Layout title="Sign in">
      <h1>Sign in or create an account</h1>
      <p>
        We email you a link that signs you in; the first time, it creates your account. No password needed.
      </p>
      <form class="stacked" method="post" action="/signin">
        <CsrfField token={props.csrf} />
        <input type="hidden" name="next" value={props.next} />
        <label for="email">Email address</label>
        <input id="email" type="email" name="email" required maxlength={254} autocomplete="email" />
        <button type="submit">Email me a sign-in link</button>
      </form>
      <details class="password-sign-in">
        <summary>Sign in with a password instead</summary>
        <p>For accounts that have set one on their account page.</p>
        <form class="stacked" method="post" action="/signin/password">
          <CsrfField token={props.csrf} />
          <input type="hidden" name="next" value={props.next} />
          <label for="password-email">Email address</label>
          <input
            id="password-email"
            type="email"
            name="email"
            required
            maxlength={254}
            autocomplete="username"
          />
          <label for="password">Password</label>
          <input
            id="password"
            type="password"
            name="password"
            required
            maxlength={PASSWORD_CHARS.max}
            autocomplete="current-password"
          />
          <button type="submit">Sign in</button>
        </form>
      </details>
    </Layout>
  );
}

export function CheckInboxPage(props: { email: string }) {
  return (
    <Layout title="Check your inbox">
      <h1>Check your inbox</h1>
      <p role="status">
        If <strong>{props.email}</strong> can receive mail, a sign-in link is on its way. It works once, for{' '}
        {SIGN_IN_LINK_MINUTES} minutes.
      </p>
    </Layout>
  );
}

/** Opening the link shows a button rather than signing in at once, so mail scanners that open links do not use it up. */
export function ConfirmSignInPage(props: { token: string; csrf: string; next: string }) {
  return (
    <Layout title="Sign in">
      <h1>Sign in to OpenPapers</h1>
      <form method="post" action="/signin/verify">
        <CsrfField token={props.csrf} />
        <input type="hidden" name="token" value={props.token} />
        <input type="hidden" name="next" value={props.next} />
        <button type="submit">Sign in</button>
      </form>
    </Layout>
  );
}

export function AccountPage(props: { user: User; csrf: string; hasPassword: boolean }) {
  const { user } = props;
  return (
    <Layout title="Your account" account={user.email}>
      <h1>Your account</h1>
      <dl class="details">
        <dt>Email</dt>
        <dd>{user.email}</dd>
        <dt>Role</dt>
        <dd>{user.role}</dd>
        <dt>Since</dt>
        <dd>{user.createdAt.slice(0, 10)}</dd>
      </dl>
      {user.role === 'moderator' || user.role === 'admin' ? (
        <p>
          <a href="/moderation">Reported comments</a>
        </p>
      ) : null}
      <form method="post" action="/signout">
        <CsrfField token={props.csrf} />
        <button type="submit">Sign out</button>
      </form>
      <form method="post" action="/signout/everywhere">
        <CsrfField token={props.csrf} />
        <button type="submit">Sign out on every device</button>
      </form>
      <section aria-labelledby="password-title">
        <h2 id="password-title">Password</h2>
        <p>
          {props.hasPassword
            ? 'You can sign in with your password or with an emailed link.'
            : 'You sign in with an emailed link. Set a password to sign in without waiting for mail.'}
        </p>
        <form class="stacked" method="post" action="/account/password">
          <CsrfField token={props.csrf} />
          <input type="hidden" name="username" value={user.email} autocomplete="username" />
          {props.hasPassword ? (
            <>
              <label for="current-password">Current password</label>
              <input
                id="current-password"
                type="password"
                name="current"
                required
                maxlength={PASSWORD_CHARS.max}
                autocomplete="current-password"
              />
            </>
          ) : null}
          <label for="new-password">
            New password ({PASSWORD_CHARS.min} to {PASSWORD_CHARS.max} characters)
          </label>
          <input
            id="new-password"
            type="password"
            name="password"
            required
            minlength={PASSWORD_CHARS.min}
            maxlength={PASSWORD_CHARS.max}
            autocomplete="new-password"
          />
          <button type="submit">{props.hasPassword ? 'Change password' : 'Set password'}</button>
        </form>
        {props.hasPassword ? (
          <form class="stacked" method="post" action="/account/password/remove">
            <CsrfField token={props.csrf} />
            <label for="remove-current">Current password</label>
            <input
              id="remove-current"
              type="password"
              name="current"
              required
              maxlength={PASSWORD_CHARS.max}
              autocomplete="current-password"
            />
            <button type="submit">Remove password (sign in by email only)</button>
          </form>
        ) : null}
      </section>
      <section aria-labelledby="delete-title">
        <h2 id="delete-title">Delete your account</h2>
        <p>This removes your account, your sessions, votes, comments and collections. It cannot be undone.</p>
        <form method="post" action="/account/delete">
          <CsrfField token={props.csrf} />
          <label>
            <input type="checkbox" name="confirm" value="yes" required /> I want to delete my account
          </label>
          <button type="submit">Delete my account</button>
        </form>
      </section>
    </Layout>
  );
}

export function SubmitPage(props: { csrf: string; account: string }) {
  return (
    <Layout title="Submit a paper" account={props.account}>
      <h1>Submit a paper</h1>
      <p>
        Share a paper with the community: it appears on today's daily page, where others can vote for it.
        Papers this hub does not have yet are fetched from arXiv.
      </p>
      <form class="stacked" method="post" action="/submit">
        <CsrfField token={props.csrf} />
        <label for="paper">arXiv id or link</label>
        <input
          id="paper"
          name="paper"
          required
          maxlength={300}
          placeholder="2406.12345 or https://arxiv.org/abs/2406.12345"
        />
        <button type="submit">Submit</button>
      </form>
    </Layout>
  );
}
