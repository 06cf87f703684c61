/** Rate limits over the store's shared event counts, so that every app server enforces the same limit. */
import { createHash } from 'node:crypto';
import { OpenPapersError } from '../core/errors.js';
import type { RateLimitStore } from './ports.js';

export interface RateRule {
  count: number;
  minutes: number;
}

/** Limits counted per email address, and per account. */
export const EMAIL_LIMITS = ['sign-in', 'password', 'subscribe'] as const;
export const ACCOUNT_LIMITS = ['vote', 'comment', 'report', 'import', 'submit'] as const;
export const emailKey = (kind: (typeof EMAIL_LIMITS)[number], email: string) => `${kind}:email:${email}`;
export const accountKey = (kind: (typeof ACCOUNT_LIMITS)[number], userId: string) => `${kind}:${userId}`;

/** Keys are stored as hashes: the events table holds no email or client address in the clear. */
const stored = (key: string) => createHash('sha256').update(key).digest('base64url');

/** Events are kept a day, well past the longest window (an hour); older ones are removed as new ones come. */
const KEEP_MS = 24 * 60 * 60_000;

/** Counts one event under `key`; over the rule's limit, a 429 that says what and for how long. */
export async function rateLimit(
  store: RateLimitStore,
  key: string,
  rule: RateRule,
  what: string,
  now: string,
): Promise<void> {
  const time = Date.parse(now);
  const windowStart = new Date(time - rule.minutes * 60_000).toISOString();
  const expired = new Date(time - KEEP_MS).toISOString();
  if (!(await store.takeRateLimit(stored(key), now, windowStart, rule.count, expired))) {
    throw new OpenPapersError(
      'OP_ERR_RATE_LIMITED',
      `too many ${what}; try again in ${rule.minutes} minute${rule.minutes === 1 ? '' : 's'}`,
    );
  }
}

/** Forgets the events counted under an account's email address and id (when the account is deleted). */
export async function forgetRateEvents(
  store: RateLimitStore,
  user: { id: string; email: string },
): Promise<void> {
  await store.deleteRateEvents([
    ...EMAIL_LIMITS.map((kind) => stored(emailKey(kind, user.email))),
    ...ACCOUNT_LIMITS.map((kind) => stored(accountKey(kind, user.id))),
  ]);
}
