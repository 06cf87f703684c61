/** The PostgreSQL side of the worker: runs of scheduled jobs, leased to one worker at a time. */
import type { JobLease, JobOutcome, JobRun } from '../../../app/ports.js';
import type { PgDatabase } from './database.js';
import { toJobRun, type JobRunRow } from '../records.js';

export class PgJobs {
  constructor(private readonly db: PgDatabase) {}

  /**
   * A run due again is taken with SKIP LOCKED, so racing workers each take a different one (or none). A new
   * slot is inserted under the job's advisory lock: "no run for this slot or a later one" is a check over
   * rows that do not exist yet, which no row lock can guard.
   */
  async claim(job: string, dueSlot: string | null, lease: JobLease): Promise<JobRun | null> {
    return this.db.transaction(async (client) => {
      const again = await client.query<JobRunRow>(
        `UPDATE job_runs SET status = 'running', worker = $1, lease_until = $2, attempts = attempts + 1
         WHERE id = (SELECT id FROM job_runs WHERE job = $3 AND status IN ('running', 'retry')
                     AND lease_until <= $4 ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [lease.worker, lease.until, job, lease.now],
      );
      if (again.rows[0]) return toJobRun(again.rows[0]);
      if (dueSlot === null) return null;
      await client.query("SELECT pg_advisory_xact_lock(hashtext('openpapers job ' || $1))", [job]);
      const inserted = await client.query<JobRunRow>(
        `INSERT INTO job_runs (job, slot, status, attempts, worker, lease_until, started_at)
         SELECT $1, $2, 'running', 1, $3, $4, $5
         WHERE NOT EXISTS (SELECT 1 FROM job_runs WHERE job = $1 AND slot >= $2)
         RETURNING *`,
        [job, dueSlot, lease.worker, lease.until, lease.now],
      );
      return inserted.rows[0] ? toJobRun(inserted.rows[0]) : null;
    });
  }

  async renew(id: number, lease: JobLease): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE job_runs SET lease_until = $1 WHERE id = $2 AND worker = $3 AND status = 'running' RETURNING id`,
      [lease.until, id, lease.worker],
    );
    return rows.length === 1;
  }

  async finish(id: number, worker: string, outcome: JobOutcome): Promise<boolean> {
    const [status, leaseUntil, finishedAt, summary, error] =
      outcome.status === 'done'
        ? ['done', null, outcome.at, outcome.summary, null]
        : outcome.status === 'retry'
          ? ['retry', outcome.retryAt, null, null, outcome.error]
          : ['failed', null, outcome.at, null, outcome.error];
    const rows = await this.db.query(
      `UPDATE job_runs SET status = $1, lease_until = $2, finished_at = $3, summary = $4, last_error = $5
       WHERE id = $6 AND worker = $7 AND status = 'running' RETURNING id`,
      [status, leaseUntil, finishedAt, summary, error, id, worker],
    );
    return rows.length === 1;
  }

  async recent(options: { job?: string; limit: number }): Promise<JobRun[]> {
    const rows = await this.db.query<JobRunRow>(
      `SELECT * FROM job_runs WHERE ($1::text IS NULL OR job = $1) ORDER BY slot DESC, id DESC LIMIT $2`,
      [options.job ?? null, options.limit],
    );
    return rows.map(toJobRun);
  }
}
