/**
 * When scheduled jobs are due. A job runs once per scheduled time ("slot") of its cron expression: the latest
 * slot at or before now that has no run yet is due, so a worker that was down at 06:00 runs the 06:00 job
 * when it comes back (once, however many slots it missed), and several workers run each slot once.
 */
import { Cron } from 'croner';
import { OpenPapersError } from './errors.js';

export interface Schedule {
  readonly expression: string;
  /** The latest scheduled time at or before `now`, if any. */
  latest(now: Date): Date | null;
  /** The first scheduled time after `now`, if any. */
  next(now: Date): Date | null;
}

/**
 * A cron expression (5 fields, or 6 with seconds first) read in `timezone` (an IANA name; UTC by default).
 * `setting` names where it came from, for the error.
 */
export function cronSchedule(expression: string, setting: string, timezone = 'UTC'): Schedule {
  let cron: Cron;
  try {
    cron = new Cron(expression, { timezone, paused: true });
  } catch (error) {
    throw new OpenPapersError(
      'OP_ERR_USAGE',
      `${setting}: "${expression}" is not a cron expression (${(error as Error).message.replace(/^CronPattern: /, '')})`,
    );
  }
  return {
    expression,
    // croner counts back from a reference it excludes, to the whole second: start just after this second.
    latest: (now) =>
      cron.previousRuns(1, new Date(Math.floor(now.getTime() / 1000) * 1000 + 1000))[0] ?? null,
    next: (now) => cron.nextRun(now),
  };
}

/** Minutes to wait before the n-th retry (n ≥ 1): 1, 5, 25, then every 2 hours. */
export function retryDelayMinutes(attempt: number): number {
  return Math.min(120, 5 ** Math.max(0, attempt - 1));
}
