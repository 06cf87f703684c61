/**
 * Accounts: sign-in (and sign-up) by an emailed single-use link, or by a password once the account has one;
 * sessions, sign-out, deletion, votes. Signing up and signing in are one flow, so the answer to "send me a
 * link" is the same whether or not the address has an account, and a failed password sign-in does not say
 * whether the account exists. Tokens are random, sent once, and stored only as SHA-256 hashes; passwords
 * only as argon2id hashes.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { normalizeEmail } from '../core/accounts/email.js';
import { OpenPapersError } from '../core/errors.js';
import { escapeHtml } from '../core/text.js';
import type { Mailer, PaperStore, PasswordHasher, Role, StoredSession, User } from './ports.js';
import { accountKey, emailKey, forgetRateEvents, rateLimit, type RateRule } from './rate-limit.js';

const MINUTE = 60_000;
export const SIGN_IN_LINK_MINUTES = 15;
export const SESSION_DAYS = 30;

/** Rate limits: how many events per window, per key. */
export const LIMITS = {
  signInPerEmail: { count: 5, minutes: 15 },
  signInPerAddress: { count: 20, minutes: 15 },
  linkUsesPerAddress: { count: 30, minutes: 15 },
  passwordTriesPerAddress: { count: 20, minutes: 15 },
  passwordTriesPerEmail: { count: 5, minutes: 15 },
  votesPerUser: { count: 60, minutes: 1 },
  votesPerAddress: { count: 300, minutes: 1 },
} as const;

export const PASSWORD_CHARS = { min: 10, max: 200 } as const;

export interface AccountDependencies {
  store: PaperStore;
  mailer: Mailer;
  passwords: PasswordHasher;
  now: () => string;
}

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export class AccountService {
  /** A hash to check failed sign-ins against, so that they take as long with an account as without. */
  private decoy: Promise<string> | null = null;

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
    await this.limit(emailKey('sign-in', email), LIMITS.signInPerEmail, 'sign-in requests for this address');
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
        `<p><a href="${escapeHtml(url)}">Sign in to OpenPapers</a></p>` +
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
    return this.startSession(user);
  }

  /** Signs in with an email address and the account's password. */
  async signInWithPassword(
    emailText: string,
    password: string,
    client: string,
  ): Promise<{ user: User; token: string; session: StoredSession }> {
    const email = normalizeEmail(emailText) ?? '';
    await this.limit(
      `password:address:${client}`,
      LIMITS.passwordTriesPerAddress,
      'sign-in attempts from here',
    );
    await this.limit(
      emailKey('password', email),
      LIMITS.passwordTriesPerEmail,
      'sign-in attempts for this address',
    );
    const user = email ? await this.deps.store.getUserByEmail(email) : null;
    const stored = user ? await this.deps.store.getPasswordHash(user.id) : null;
    this.decoy ??= this.deps.passwords.hash(newToken());
    const matches = await this.deps.passwords.verify(
      stored ?? (await this.decoy),
      password.slice(0, PASSWORD_CHARS.max),
    );
    if (!user || !stored || !matches) {
      throw new OpenPapersError('OP_ERR_SIGN_IN_FAILED', 'the email address or the password is wrong');
    }
    return this.startSession(user);
  }

  private async startSession(user: User): Promise<{ user: User; token: string; session: StoredSession }> {
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

  async hasPassword(user: User): Promise<boolean> {
    return (await this.deps.store.getPasswordHash(user.id)) !== null;
  }

  /** Sets or changes the password; changing one needs the current one. */
  async setPassword(user: User, password: string, current: string): Promise<void> {
    if (password.length < PASSWORD_CHARS.min || password.length > PASSWORD_CHARS.max) {
      throw new OpenPapersError(
        'OP_ERR_BAD_REQUEST',
        `password: between ${PASSWORD_CHARS.min} and ${PASSWORD_CHARS.max} characters`,
      );
    }
    if (password.trim().toLowerCase() === user.email) {
      throw new OpenPapersError('OP_ERR_BAD_REQUEST', 'password: not your email address');
    }
    await this.checkCurrentPassword(user, current);
    await this.deps.store.setPasswordHash(user.id, await this.deps.passwords.hash(password));
  }

  /** Back to signing in by email link only. */
  async removePassword(user: User, current: string): Promise<void> {
    await this.checkCurrentPassword(user, current);
    await this.deps.store.setPasswordHash(user.id, null);
  }

  private async checkCurrentPassword(user: User, current: string): Promise<void> {
    const stored = await this.deps.store.getPasswordHash(user.id);
    if (!stored) return;
    await this.limit(emailKey('password', user.email), LIMITS.passwordTriesPerEmail, 'password attempts');
    if (!(await this.deps.passwords.verify(stored, current.slice(0, PASSWORD_CHARS.max)))) {
      throw new OpenPapersError('OP_ERR_FORBIDDEN', 'current password: this is not your current password');
    }
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

  async deleteAccount(userId: string): Promise<void> {
    const user = await this.deps.store.getUser(userId);
    await this.deps.store.deleteUser(userId);
    if (user) await forgetRateEvents(this.deps.store, user);
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
    await this.limit(accountKey('vote', user.id), LIMITS.votesPerUser, 'votes');
    if (!(await this.deps.store.getPaper(paperId))) {
      throw new OpenPapersError('OP_ERR_NOT_FOUND', `no paper with id "${paperId}"`);
    }
    await this.deps.store.setVote(paperId, user.id, up, this.deps.now());
  }
}
