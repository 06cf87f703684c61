/**
 * PostgreSQL for the tests of one test file: one throwaway server (scripts/throwaway-postgres.ts) per test
 * process, with a fresh database for each caller. Without PostgreSQL the PostgreSQL tests are skipped with
 * that reason, unless OPENPAPERS_TEST_POSTGRES=required (as in CI), which makes a missing server a failure.
 */
import {
  postgresBinDir,
  startThrowawayPostgres,
  type ThrowawayPostgres,
} from '../scripts/throwaway-postgres.js';

export const POSTGRES_REQUIRED = process.env.OPENPAPERS_TEST_POSTGRES === 'required';

/** Why PostgreSQL tests cannot run here, or null when they can. */
export function postgresUnavailable(): string | null {
  if (postgresBinDir()) return null;
  const reason = 'PostgreSQL is not installed (apt-get install postgresql, or set OPENPAPERS_PG_BIN)';
  if (POSTGRES_REQUIRED) throw new Error(`${reason}, and OPENPAPERS_TEST_POSTGRES=required`);
  return reason;
}

let server: Promise<ThrowawayPostgres> | null = null;
let databases = 0;

/** The URL of a new, empty database on this process's throwaway server. */
export async function freshDatabase(): Promise<string> {
  server ??= startThrowawayPostgres({ durable: false });
  return (await server).createDatabase(`openpapers_${process.pid}_${++databases}`);
}
