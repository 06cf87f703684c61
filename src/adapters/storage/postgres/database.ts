/**
 * A PostgreSQL connection pool (node-postgres) and the transactions the store runs on it. A transaction that
 * loses a serialization or deadlock race is run again from the start, a few times, before the error is let
 * through; connection and disk-full failures become one clear store error.
 */
import pg from 'pg';
import { diskFull, OpenPapersError } from '../../../core/errors.js';
import { describeLocation } from '../location.js';

export type Queryable = Pick<pg.PoolClient, 'query'>;

const RETRIED = new Set(['40001', '40P01']);
const ATTEMPTS = 5;
const INT8 = 20;

export class PgDatabase {
  readonly pool: pg.Pool;
  readonly description: string;

  constructor(url: string) {
    this.description = describeLocation(url);
    this.pool = new pg.Pool({
      connectionString: url,
      max: 8,
      // Counts and revisions are bigint; every one of them fits in a double.
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === INT8 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    // An idle connection that the server drops must not take the process with it.
    this.pool.on('error', () => undefined);
  }

  async query<R extends pg.QueryResultRow>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, params as unknown[])).rows;
    } catch (error) {
      throw this.storeError(error);
    }
  }

  async one<R extends pg.QueryResultRow>(sql: string, params: readonly unknown[] = []): Promise<R | null> {
    return (await this.query<R>(sql, params))[0] ?? null;
  }

  /** Runs `work` in one transaction on one connection; again from the start after a lost race. */
  async transaction<T>(work: (client: Queryable) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (error) {
        throw this.storeError(error);
      }
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        const code = (error as { code?: string }).code ?? '';
        if (!RETRIED.has(code) || attempt >= ATTEMPTS) throw this.storeError(error);
        await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt * Math.random()));
      } finally {
        client.release();
      }
    }
  }

  private storeError(error: unknown): unknown {
    const code = (error as { code?: string }).code ?? '';
    const full = diskFull(error, `the database ${this.description}`);
    if (full) return full;
    if (['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', '57P01', '28P01', '3D000'].includes(code)) {
      return new OpenPapersError(
        'OP_ERR_STORE',
        `cannot reach the database ${this.description}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return error;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
