/**
 * Writes a hub's tables into a PostgreSQL store, page by page, for `migrate-store`. Each page goes in one
 * transaction together with its checkpoint (the source key of its last row), so a copy stopped at any
 * point — even by SIGKILL — resumes at the next page with nothing doubled or missed. One copy at a time:
 * the writer holds an advisory lock on its own connection until it closes.
 */
import type pg from 'pg';
import { OpenPapersError } from '../../../core/errors.js';
import { quoteIdentifier as quote, STORE_TABLES, type StoreTable } from '../tables.js';
import { PgDatabase } from './database.js';
import { migrate } from './migrations.js';

const COPY_LOCK = 0x6f70_6370; // "opcp"

export interface TableProgress {
  lastKey: string | null;
  copied: number;
  done: boolean;
}

interface TargetColumns {
  names: Set<string>;
  /** Identity columns: their values are copied as they are, and their sequences moved past them. */
  identity: Set<string>;
}

export class PostgresTableWriter {
  private readonly columnsByTable = new Map<StoreTable, TargetColumns>();

  private constructor(
    private readonly db: PgDatabase,
    private readonly lock: pg.PoolClient,
  ) {}

  static async open(url: string): Promise<PostgresTableWriter> {
    const db = new PgDatabase(url);
    try {
      await db.transaction((client) => migrate(client));
      const lock = await db.pool.connect();
      const [row] = (await lock.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [COPY_LOCK]))
        .rows;
      if (!row?.ok) {
        lock.release();
        throw new OpenPapersError(
          'OP_ERR_STORE',
          `another migrate-store is copying into ${db.description}; wait for it to finish`,
        );
      }
      await db.query(`CREATE TABLE IF NOT EXISTS migrate_store_progress (
        table_name text PRIMARY KEY, source text NOT NULL, last_key text,
        copied bigint NOT NULL DEFAULT 0, done boolean NOT NULL DEFAULT false)`);
      return new PostgresTableWriter(db, lock);
    } catch (error) {
      await db.close();
      throw error;
    }
  }

  get description(): string {
    return this.db.description;
  }

  /** The checkpoints of an interrupted copy from `source`, or an empty map for a new one. */
  async resume(source: string): Promise<Map<StoreTable, TableProgress>> {
    const rows = await this.db.query<{
      table_name: StoreTable;
      source: string;
      last_key: string | null;
      copied: number;
      done: boolean;
    }>('SELECT table_name, source, last_key, copied, done FROM migrate_store_progress');
    const other = rows.find((row) => row.source !== source);
    if (other) {
      throw new OpenPapersError(
        'OP_ERR_STORE',
        `${this.description} holds an unfinished copy from ${other.source}, not from ${source}; finish that one, or start again on an empty database`,
      );
    }
    if (rows.length === 0) {
      const held = await this.rowsHeld();
      if (held) {
        throw new OpenPapersError(
          'OP_ERR_STORE',
          `${this.description} already holds ${held.count.toLocaleString('en-US')} rows in ${held.table}; migrate-store copies into an empty database`,
        );
      }
      await this.db.query(
        'INSERT INTO migrate_store_progress (table_name, source) SELECT unnest($1::text[]), $2',
        [STORE_TABLES, source],
      );
    }
    return new Map(
      rows.map((row) => [row.table_name, { lastKey: row.last_key, copied: row.copied, done: row.done }]),
    );
  }

  /** The columns of `table` that the target has, among `wanted`. */
  async columns(table: StoreTable, wanted: readonly string[]): Promise<string[]> {
    const target = await this.targetColumns(table);
    return wanted.filter((name) => target.names.has(name));
  }

  /** Writes one page of rows and its checkpoint in one transaction. */
  async write(
    table: StoreTable,
    columns: readonly string[],
    rows: readonly Record<string, unknown>[],
    progress: TableProgress,
  ): Promise<void> {
    const target = await this.targetColumns(table);
    const list = columns.map(quote).join(', ');
    const overriding = columns.some((name) => target.identity.has(name)) ? 'OVERRIDING SYSTEM VALUE' : '';
    // store_meta already has the counters a new schema starts with: the copy's values win when higher.
    const conflict =
      table === 'store_meta'
        ? 'ON CONFLICT (key) DO UPDATE SET value = GREATEST(store_meta.value, EXCLUDED.value)'
        : '';
    const json = JSON.stringify(rows.map(jsonRow));
    await this.db.transaction(async (client) => {
      if (rows.length > 0) {
        try {
          await client.query(
            `INSERT INTO ${quote(table)} (${list}) ${overriding}
             SELECT ${list} FROM json_populate_recordset(NULL::${quote(table)}, $1::json) ${conflict}`,
            [json],
          );
        } catch (error) {
          throw new OpenPapersError(
            'OP_ERR_STORE',
            `cannot copy ${table} (a page of ${rows.length} rows that ends at source key ${progress.lastKey ?? 'none'}): ${(error as Error).message}`,
            { cause: error },
          );
        }
      }
      await client.query(
        'UPDATE migrate_store_progress SET last_key = $2, copied = $3, done = $4 WHERE table_name = $1',
        [table, progress.lastKey, progress.copied, progress.done],
      );
    });
  }

  async count(table: StoreTable): Promise<number> {
    const row = await this.db.one<{ n: number }>(`SELECT count(*) AS n FROM ${quote(table)}`);
    return row?.n ?? 0;
  }

  /** After the last table: identity sequences go past the copied values, and the checkpoints go. */
  async finish(): Promise<void> {
    for (const table of STORE_TABLES) {
      for (const column of (await this.targetColumns(table)).identity) {
        await this.db.query(
          `SELECT setval(pg_get_serial_sequence($1, $2), max_id, max_id IS NOT NULL)
           FROM (SELECT max(${quote(column)}) AS max_id FROM ${quote(table)}) AS copied`,
          [table, column],
        );
      }
    }
    await this.db.query('DROP TABLE migrate_store_progress');
  }

  async close(): Promise<void> {
    await this.lock.query('SELECT pg_advisory_unlock($1)', [COPY_LOCK]).catch(() => undefined);
    this.lock.release();
    await this.db.close();
  }

  private async rowsHeld(): Promise<{ table: StoreTable; count: number } | null> {
    for (const table of STORE_TABLES) {
      if (table === 'store_meta') continue;
      const count = await this.count(table);
      if (count > 0) return { table, count };
    }
    return null;
  }

  private async targetColumns(table: StoreTable): Promise<TargetColumns> {
    let columns = this.columnsByTable.get(table);
    if (!columns) {
      const rows = await this.db.query<{ column_name: string; is_identity: string }>(
        `SELECT column_name, is_identity FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = $1`,
        [table],
      );
      columns = {
        names: new Set(rows.map((row) => row.column_name)),
        identity: new Set(rows.filter((row) => row.is_identity === 'YES').map((row) => row.column_name)),
      };
      this.columnsByTable.set(table, columns);
    }
    return columns;
  }
}

/** A row as json_populate_recordset reads it: bytes as bytea's hex form; 0 and 1 read as booleans too. */
function jsonRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) {
    out[name] = Buffer.isBuffer(value) ? `\\x${value.toString('hex')}` : value;
  }
  return out;
}
