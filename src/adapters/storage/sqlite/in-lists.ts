/** Reads by a list of ids, shared by the store and its paper reader thread. */
import type Database from 'better-sqlite3';

/** Ids per statement in reads by a list of ids. */
const IN_LIST_CHUNK = 500;
/** Prepared statements kept for reads by a list of ids (one per query and list length). */
const IN_LIST_STATEMENTS = 256;

export class InListReads {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  /**
   * The rows of `sql` (which ends in `IN`) for all of `ids`, `IN_LIST_CHUNK` ids per statement; `params` bind
   * before the ids, `rest` follows the list. Each shape is prepared once: these reads come on requests, where
   * preparing costs more than the query.
   */
  rows<Row>(sql: string, ids: readonly string[], params: string[] = [], rest = ''): Row[] {
    const rows: Row[] = [];
    for (let start = 0; start < ids.length; start += IN_LIST_CHUNK) {
      const chunk = ids.slice(start, start + IN_LIST_CHUNK);
      const key = `${sql}\u0000${chunk.length}\u0000${rest}`;
      let statement = this.statements.get(key);
      if (!statement) {
        if (this.statements.size >= IN_LIST_STATEMENTS) this.statements.clear();
        statement = this.db.prepare(`${sql} (${chunk.map(() => '?').join(', ')}) ${rest}`);
        this.statements.set(key, statement);
      }
      rows.push(...(statement.all(...params, ...chunk) as Row[]));
    }
    return rows;
  }
}

/** The statement that reads papers by id, on either thread. */
export const PAPERS_BY_ID = 'SELECT * FROM papers WHERE id IN';
