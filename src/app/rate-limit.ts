/** Rate limits over the store's shared event counts, so that every app server enforces the same limit. */
import { OpenPapersError } from '../core/errors.js';
import type { PaperStore } from './ports.js';

export interface RateRule {
  count: number;
  minutes: number;
}

/** Counts one event under `key`; over the rule's limit, a 429 that says what and for how long. */
export async function rateLimit(
  store: PaperStore,
  key: string,
  rule: RateRule,
  what: string,
  now: string,
): Promise<void> {
  const windowStart = new Date(Date.parse(now) - rule.minutes * 60_000).toISOString();
  if (!(await store.takeRateLimit(key, now, windowStart, rule.count))) {
    throw new OpenPapersError(
      'OP_ERR_RATE_LIMITED',
      `too many ${what}; try again in ${rule.minutes} minute${rule.minutes === 1 ? '' : 's'}`,
    );
  }
}
