/**
 * Reads a SQLite store table by table, for copying a hub to another backend. Everything is read in one read
 * transaction, so the copy is one consistent snapshot however long it takes (WAL lets the file's writers go
 * on meanwhile). Pages follow the rowid where a table has one (the order rows were made in, which later
 * rows such as replies depend on) and the primary key where it has none.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { OpenPapersError } from '../../../core/errors.js';
import { quoteIdentifier as quote, type StoreTable, type TablePage } from '../tables.js';
import { SqliteStore } from './store.js';

interface TableShape {
  columns: string[];
  /** The columns a page is ordered and continued by: rowid, or the primary key. */
  key: string[];
}

export class SqliteTableReader {
  private readonly shapes = new Map<StoreTable, TableShape>();

  private constructor(private readonly db: Database.Database) {}

  /** Brings the file's schema up to date first (as any command that opens it does), then reads it. */
  static async open(path: string): Promise<SqliteTableReader> {
    if (!existsSync(path)) throw new OpenPapersError('OP_ERR_STORE', `no database at ${path}`);
    await new SqliteStore(path).close();
    const db = new Database(path, { readonly: true, fileMustExist: true });
    db.exec('BEGIN');
    // A deferred transaction takes its snapshot at its first read.
    db.prepare('SELECT count(*) FROM schema_migrations').get();
    return new SqliteTableReader(db);
  }

  columns(table: StoreTable): string[] {
    return this.shape(table).columns;
  }

  count(table: StoreTable): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM ${quote(table)}`).get() as { n: number }).n;
  }

  /** Up to `limit` rows after `afterKey` (null: from the start). */
  page(table: StoreTable, afterKey: string | null, limit: number): TablePage {
    const { columns, key } = this.shape(table);
    const keyList = key.map(quote).join(', ');
    const after = afterKey === null ? [] : (JSON.parse(afterKey) as unknown[]);
    const where = afterKey === null ? '' : `WHERE (${keyList}) > (${key.map(() => '?').join(', ')})`;
    const keyColumns = key.map((column, i) => `${quote(column)} AS "key:${i}"`).join(', ');
    const rows = this.db
      .prepare(
        `SELECT ${keyColumns}, ${columns.map(quote).join(', ')} FROM ${quote(table)} ${where} ORDER BY ${keyList} LIMIT ?`,
      )
      .all(...after, limit) as Record<string, unknown>[];
    const last = rows.at(-1);
    const lastKey = last ? JSON.stringify(key.map((_, i) => last[`key:${i}`])) : afterKey;
    for (const row of rows) for (let i = 0; i < key.length; i++) delete row[`key:${i}`];
    return { rows, lastKey };
  }

  close(): void {
    this.db.exec('ROLLBACK');
    this.db.close();
  }

  private shape(table: StoreTable): TableShape {
    let shape = this.shapes.get(table);
    if (!shape) {
      const info = this.db.pragma(`table_info(${quote(table)})`) as { name: string; pk: number }[];
      if (info.length === 0) throw new OpenPapersError('OP_ERR_STORE', `the database has no table ${table}`);
      const [list] = this.db.pragma(`table_list(${quote(table)})`) as { wr: number }[];
      const key = list?.wr
        ? info
            .filter((column) => column.pk > 0)
            .sort((a, b) => a.pk - b.pk)
            .map((column) => column.name)
        : ['rowid'];
      shape = { columns: info.map((column) => column.name), key };
      this.shapes.set(table, shape);
    }
    return shape;
  }
}
