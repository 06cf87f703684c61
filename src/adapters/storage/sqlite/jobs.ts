/** The SQLite side of the worker: runs of scheduled jobs, leased to one worker at a time. */
import type Database from 'better-sqlite3';
import { immediate } from './write.js';
import type { JobLease, JobOutcome, JobRun } from '../../../app/ports.js';
import { toJobRun, type JobRunRow } from '../records.js';

export class SqliteJobs {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    this.statements = {
      dueAgain: db.prepare<[string, string], JobRunRow>(
        `SELECT * FROM job_runs WHERE job = ? AND status IN ('running', 'retry') AND lease_until <= ?
         ORDER BY slot LIMIT 1`,
      ),
      takeOver: db.prepare<[string, string, number], JobRunRow>(
        `UPDATE job_runs SET status = 'running', worker = ?, lease_until = ?, attempts = attempts + 1
         WHERE id = ? RETURNING *`,
      ),
      insert: db.prepare<[string, string, string, string, string, string, string], JobRunRow>(
        `INSERT INTO job_runs (job, slot, status, attempts, worker, lease_until, started_at)
         SELECT ?, ?, 'running', 1, ?, ?, ?
         WHERE NOT EXISTS (SELECT 1 FROM job_runs WHERE job = ? AND slot >= ?)
         RETURNING *`,
      ),
      renew: db.prepare<[string, number, string]>(
        `UPDATE job_runs SET lease_until = ? WHERE id = ? AND worker = ? AND status = 'running'`,
      ),
      finish: db.prepare<
        [JobRun['status'], string | null, string | null, string | null, string | null, number, string]
      >(
        `UPDATE job_runs SET status = ?, lease_until = ?, finished_at = ?, summary = ?, last_error = ?
         WHERE id = ? AND worker = ? AND status = 'running'`,
      ),
      recent: db.prepare<[number], JobRunRow>('SELECT * FROM job_runs ORDER BY slot DESC, id DESC LIMIT ?'),
      recentOf: db.prepare<[string, number], JobRunRow>(
        'SELECT * FROM job_runs WHERE job = ? ORDER BY slot DESC, id DESC LIMIT ?',
      ),
    };
  }

  claim(job: string, dueSlot: string | null, lease: JobLease): JobRun | null {
    return immediate(this.db, () => {
      const again = this.statements.dueAgain.get(job, lease.now);
      if (again)
        return toJobRun(this.statements.takeOver.get(lease.worker, lease.until, again.id) as JobRunRow);
      if (dueSlot === null) return null;
      const row = this.statements.insert.get(
        job,
        dueSlot,
        lease.worker,
        lease.until,
        lease.now,
        job,
        dueSlot,
      );
      return row ? toJobRun(row) : null;
    });
  }

  renew(id: number, lease: JobLease): boolean {
    return this.statements.renew.run(lease.until, id, lease.worker).changes === 1;
  }

  finish(id: number, worker: string, outcome: JobOutcome): boolean {
    const result =
      outcome.status === 'done'
        ? this.statements.finish.run('done', null, outcome.at, outcome.summary, null, id, worker)
        : outcome.status === 'retry'
          ? this.statements.finish.run('retry', outcome.retryAt, null, null, outcome.error, id, worker)
          : this.statements.finish.run('failed', null, outcome.at, null, outcome.error, id, worker);
    return result.changes === 1;
  }

  recent(options: { job?: string; limit: number }): JobRun[] {
    const rows = options.job
      ? this.statements.recentOf.all(options.job, options.limit)
      : this.statements.recent.all(options.limit);
    return rows.map(toJobRun);
  }
}
