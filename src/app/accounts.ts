/**
 * Accounts: sign-in (and sign-up) by an emailed single-use link, sessions, sign-out, deletion, votes.
 * Signing up and signing in are one flow, so the answer to "send me a link" is the same whether or not the
 * address has an account. Tokens are random, sent once, and stored only as SHA-256 hashes.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { normalizeEmail } from '../core/accounts/email.js';
import { OpenPapersError } from '../core/errors.js';
import type { Mailer, PaperStore, Role, StoredSession, User } from './ports.js';
import { rateLimit, type RateRule } from './rate-limit.js';

const MINUTE = 60_000;
export const SIGN_IN_LINK_MINUTES = 15;
export const SESSION_DAYS = 30;

/** Rate limits: how many events per window, per key. */
export const LIMITS = {
  signInPerEmail: { count: 5, minutes: 15 },
  signInPerAddress: { count: 20, minutes: 15 },
  linkUsesPerAddress: { count: 30, minutes: 15 },
  votesPerUser: { count: 60, minutes: 1 },
  votesPerAddress: { count: 300, minutes: 1 },
} as const;

export interface AccountDependencies {
  store: PaperStore;
  mailer: Mailer;
  now: () => string;
}

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export class AccountService {
  constructor(private readonly deps: AccountDependencies) {}

  private later(minutes: number): string {
    return new Date(Date.parse(this.deps.now()) + minutes * MINUTE).toISOString();
  }

  private limit(key: string, rule: RateRule, what: string): Promise<void> {
    return rateLimit(this.deps.store, key, rule, what, this.deps.now());
  }

  /** Emails a sign-in link to the address; `link(token)` makes its URL. */
  async requestSignIn(emailText: string, client: string, link: (token: string) => string): Promise<void> {
    const email = normalizeEmail(emailText);
    if (!email) throw new OpenPapersError('OP_ERR_BAD_REQUEST', 'email: this is not an email address');
    await this.limit(`sign-in:address:${client}`, LIMITS.signInPerAddress, 'sign-in requests from here');
    await this.limit(`sign-in:email:${email}`, LIMITS.signInPerEmail, 'sign-in requests for this address');
    const token = newToken();
    await this.deps.store.putSignInToken(hashToken(token), email, this.later(SIGN_IN_LINK_MINUTES));
    const url = link(token);
    await this.deps.mailer.send({
      to: email,
      subject: 'Your OpenPapers sign-in link',
      text:
        `Sign in to OpenPapers with this link (it works once, for ${SIGN_IN_LINK_MINUTES} minutes):\n\n${url}\n\n` +
        `If you did not ask for it, ignore this message: nothing happens without the link.\n`,
      html:
        `<p>Sign in to OpenPapers with this link (it works once, for ${SIGN_IN_LINK_MINUTES} minutes):</p>` +
        `<p><a href="${escapeAttribute(url)}">Sign in to OpenPapers</a></p>` +
        `<p>If you did not ask for it, ignore this message: nothing happens without the link.</p>`,
    });
  }

  /** Uses a sign-in link: the account (made on first use) and a new session. */
  async completeSignIn(
    token: string,
    client: string,
  ): Promise<{ user: User; token: string; session: StoredSession }> {
    await this.limit(
      `sign-in-link:address:${client}`,
      LIMITS.linkUsesPerAddress,
      'sign-in attempts from here',
    );
    const email = await this.deps.store.takeSignInToken(hashToken(token), this.deps.now());
    if (!email) {
      throw new OpenPapersError(
        'OP_ERR_SIGN_IN_LINK',
        'this sign-in link has been used or has expired; ask for a new one',
      );
    }
    const user = await this.deps.store.ensureUser({
      id: randomUUID(),
      email,
      role: 'user',
      createdAt: this.deps.now(),
    });
    const sessionToken = newToken();
    const session: StoredSession = {
      tokenHash: hashToken(sessionToken),
      userId: user.id,
      csrfToken: newToken(),
      createdAt: this.deps.now(),
      expiresAt: this.later(SESSION_DAYS * 24 * 60),
    };
    await this.deps.store.putSession(session);
    return { user, token: sessionToken, session };
  }

  /** The signed-in user and session of a session cookie's token, or null. */
  async session(token: string): Promise<{ user: User; session: StoredSession } | null> {
    const session = await this.deps.store.getSession(hashToken(token), this.deps.now());
    if (!session) return null;
    const user = await this.deps.store.getUser(session.userId);
    return user ? { user, session } : null;
  }

  signOut(token: string): Promise<void> {
    return this.deps.store.deleteSession(hashToken(token));
  }

  signOutEverywhere(userId: string): Promise<void> {
    return this.deps.store.deleteSessions(userId);
  }

  deleteAccount(userId: string): Promise<void> {
    return this.deps.store.deleteUser(userId);
  }

  /** For the CLI: an account with this role, made if there is none. */
  async createUser(emailText: string, role: Role): Promise<User> {
    const email = normalizeEmail(emailText);
    if (!email) throw new OpenPapersError('OP_ERR_USAGE', `"${emailText}" is not an email address`);
    const user = await this.deps.store.ensureUser({
      id: randomUUID(),
      email,
      role,
      createdAt: this.deps.now(),
    });
    if (user.role !== role) await this.deps.store.setUserRole(user.id, role);
    return { ...user, role };
  }

  async vote(user: User, paperId: string, up: boolean, client: string): Promise<void> {
    await this.limit(`vote:address:${client}`, LIMITS.votesPerAddress, 'votes from here');
    await this.limit(`vote:${user.id}`, LIMITS.votesPerUser, 'votes');
    if (!(await this.deps.store.getPaper(paperId))) {
      throw new OpenPapersError('OP_ERR_NOT_FOUND', `no paper with id "${paperId}"`);
    }
    await this.deps.store.setVote(paperId, user.id, up, this.deps.now());
  }
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
