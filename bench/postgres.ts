/**
 * The PostgreSQL the benchmarks measure beside SQLite: the empty database of `--postgres URL`, nothing with
 * `--postgres off`, else a throwaway server started for the run (scripts/throwaway-postgres.ts).
 */
import { isPostgresUrl } from '../src/adapters/storage/location.js';
import { postgresBinDir, startThrowawayPostgres } from '../scripts/throwaway-postgres.js';
import { option } from './args.js';

/** New databases to measure in, or why PostgreSQL is skipped. */
export type BenchPostgres = { database(name: string): Promise<string> } | { skipped: string };

export async function benchPostgres(): Promise<BenchPostgres> {
  const setting = option('--postgres', '');
  if (setting === 'off') return { skipped: '--postgres off' };
  if (setting) {
    if (!isPostgresUrl(setting)) throw new Error('--postgres must be a postgres:// URL or "off"');
    let used = false;
    return {
      database: async (name) => {
        if (used) {
          throw new Error(
            `--postgres gives one database, and this run asks for a second (${name}): run fewer phases, or without --postgres`,
          );
        }
        used = true;
        return setting;
      },
    };
  }
  if (!postgresBinDir()) return { skipped: 'PostgreSQL is not installed' };
  const server = await startThrowawayPostgres({ durable: true });
  return { database: (name) => server.createDatabase(name) };
}
