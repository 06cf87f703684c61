/**
 * The worker: runs scheduled jobs (embedding the backlog, sending digests) when their cron expressions say.
 * Each run is leased from the store, so that several workers run each scheduled time once, and one that
 * dies (even by SIGKILL) leaves its run to be taken over when the lease runs out. A failed run is tried
 * again with backoff, up to `maxAttempts`; every run is recorded with its outcome. Jobs must be safe to run
 * again after an interruption: embedding skips what is done, and the digest send log sends each digest once.
 */
import { retryDelayMinutes, type Schedule } from '../core/schedule.js';
import type { JobRun, JobStore } from './ports.js';

export interface ScheduledJob {
  name: string;
  schedule: Schedule;
  /** Does the work; returns a one-line summary for the record. */
  run: () => Promise<string>;
}

export type WorkerEvent =
  | { type: 'started'; run: JobRun }
  | { type: 'done'; run: JobRun; summary: string; seconds: number }
  | { type: 'failed'; run: JobRun; error: Error; retryAt: string | null }
  /** Another worker took the run over while this one was still on it (its lease ran out). */
  | { type: 'lost'; run: JobRun };

export interface WorkerDependencies {
  store: JobStore;
  jobs: readonly ScheduledJob[];
  /** This worker's name in the record (host and process id). */
  workerId: string;
  /** How long a run stays leased without a sign of life; renewed every third of it while running. */
  leaseSeconds: number;
  now: () => Date;
  onEvent?: (event: WorkerEvent) => void;
  maxAttempts?: number;
}

export class Worker {
  constructor(private readonly deps: WorkerDependencies) {}

  /** Runs each job that is due now, one after another; returns how many ran. */
  async runDue(): Promise<number> {
    let ran = 0;
    for (const job of this.deps.jobs) {
      const now = this.deps.now();
      const slot = job.schedule.latest(now)?.toISOString() ?? null;
      const run = await this.deps.store.claimJobRun(job.name, slot, this.lease(now));
      if (!run) continue;
      await this.execute(job, run);
      ran++;
    }
    return ran;
  }

  /** Runs due jobs until `signal` aborts; the job in progress is finished first. */
  async runUntil(signal: AbortSignal): Promise<void> {
    const pollMs = Math.min(5000, (this.deps.leaseSeconds * 1000) / 3);
    while (!signal.aborted) {
      if ((await this.runDue()) > 0) continue;
      const now = this.deps.now();
      const nextSlot = Math.min(
        ...this.deps.jobs.map((job) => job.schedule.next(now)?.getTime() ?? Number.POSITIVE_INFINITY),
      );
      await sleep(Math.max(0, Math.min(pollMs, nextSlot - now.getTime())), signal);
    }
  }

  private lease(now: Date) {
    return {
      worker: this.deps.workerId,
      now: now.toISOString(),
      until: new Date(now.getTime() + this.deps.leaseSeconds * 1000).toISOString(),
    };
  }

  private async execute(job: ScheduledJob, run: JobRun): Promise<void> {
    const { store, onEvent } = this.deps;
    onEvent?.({ type: 'started', run });
    const started = performance.now();
    let lost = false;
    const heartbeat = setInterval(
      () => {
        void store.renewJobRun(run.id, this.lease(this.deps.now())).then((held) => {
          lost ||= !held;
        });
      },
      (this.deps.leaseSeconds * 1000) / 3,
    );
    let outcome: Parameters<JobStore['finishJobRun']>[2];
    try {
      const summary = await job.run();
      outcome = { status: 'done', summary, at: this.deps.now().toISOString() };
    } catch (caught) {
      const error = caught instanceof Error ? caught : new Error(String(caught));
      const retry = run.attempts < (this.deps.maxAttempts ?? 5);
      const at = this.deps.now();
      outcome = retry
        ? {
            status: 'retry',
            error: error.message,
            retryAt: new Date(at.getTime() + retryDelayMinutes(run.attempts) * 60_000).toISOString(),
          }
        : { status: 'failed', error: error.message, at: at.toISOString() };
      onEvent?.({ type: 'failed', run, error, retryAt: outcome.status === 'retry' ? outcome.retryAt : null });
    } finally {
      clearInterval(heartbeat);
    }
    const recorded = await store.finishJobRun(run.id, this.deps.workerId, outcome);
    if (!recorded || lost) onEvent?.({ type: 'lost', run });
    else if (outcome.status === 'done') {
      onEvent?.({
        type: 'done',
        run,
        summary: outcome.summary,
        seconds: (performance.now() - started) / 1000,
      });
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
