/**
 * Write transactions for a SQLite file that several processes write at once (ingests, a worker, servers).
 * Each takes the write lock when it begins (BEGIN IMMEDIATE), so it waits for other writers through the
 * busy timeout instead of failing when a read lock cannot be upgraded; should the lock stay taken longer
 * than that, the transaction is tried again a few times before the error is let through.
 */
import type Database from 'better-sqlite3';
import { diskFull } from '../../../core/errors.js';

/** How long one attempt waits for another process's write to finish (the connection's busy_timeout). */
export const BUSY_TIMEOUT_MS = 30_000;
const ATTEMPTS = 4;

export function isBusy(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? '';
  return code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED';
}

export function immediate<T>(db: Database.Database, work: () => T): T {
  for (let attempt = 1; ; attempt++) {
    try {
      return db.transaction(work).immediate();
    } catch (error) {
      const full = diskFull(error, `the database ${db.name}`);
      if (full) throw full;
      if (!isBusy(error) || attempt >= ATTEMPTS) throw error;
      sleep(100 * 2 ** attempt);
    }
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
