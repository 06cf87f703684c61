/**
 * Moving a hub from its SQLite file to PostgreSQL (`openpapers migrate-store`): every table, in foreign-key
 * order, page by page from one snapshot of the file. Resumable from the target's checkpoints; at the end,
 * every table's count in the target must equal the source's.
 */
import { resolve } from 'node:path';
import { OpenPapersError } from '../../core/errors.js';
import { PostgresTableWriter } from './postgres/table-writer.js';
import { SqliteTableReader } from './sqlite/table-reader.js';
import { STORE_TABLES, type StoreTable } from './tables.js';

export interface CopyProgress {
  table: StoreTable;
  copied: number;
  total: number;
  /** Rows copied across every table so far, and the sum of every table's count. */
  allCopied: number;
  allTotal: number;
}

export interface CopyReport {
  tables: { table: StoreTable; rows: number }[];
  resumed: boolean;
  target: string;
}

export async function copySqliteToPostgres(options: {
  from: string;
  to: string;
  pageSize?: number;
  onProgress?: (progress: CopyProgress) => void;
}): Promise<CopyReport> {
  const pageSize = options.pageSize ?? 1000;
  const source = await SqliteTableReader.open(options.from);
  let target: PostgresTableWriter | null = null;
  try {
    target = await PostgresTableWriter.open(options.to);
    const checkpoints = await target.resume(resolve(options.from));
    const totals = new Map(STORE_TABLES.map((table) => [table, source.count(table)]));
    const allTotal = [...totals.values()].reduce((sum, n) => sum + n, 0);
    let allCopied = [...checkpoints.values()].reduce((sum, progress) => sum + progress.copied, 0);
    for (const table of STORE_TABLES) {
      const total = totals.get(table) ?? 0;
      const progress = checkpoints.get(table) ?? { lastKey: null, copied: 0, done: false };
      if (progress.done) continue;
      const columns = await target.columns(table, source.columns(table));
      for (;;) {
        const page = source.page(table, progress.lastKey, pageSize);
        progress.lastKey = page.lastKey;
        progress.copied += page.rows.length;
        progress.done = page.rows.length < pageSize;
        await target.write(table, columns, page.rows, progress);
        allCopied += page.rows.length;
        options.onProgress?.({ table, copied: progress.copied, total, allCopied, allTotal });
        if (progress.done) break;
      }
    }
    const tables: CopyReport['tables'] = [];
    for (const table of STORE_TABLES) {
      const expected = totals.get(table) ?? 0;
      const copied = await target.count(table);
      if (copied !== expected) {
        throw new OpenPapersError(
          'OP_ERR_STORE',
          `${table}: ${target.description} has ${copied.toLocaleString('en-US')} rows where ${options.from} has ${expected.toLocaleString('en-US')}; was it written to during the copy?`,
        );
      }
      tables.push({ table, rows: copied });
    }
    await target.finish();
    return { tables, resumed: checkpoints.size > 0, target: target.description };
  } finally {
    source.close();
    await target?.close();
  }
}
