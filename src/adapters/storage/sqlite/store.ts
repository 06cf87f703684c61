/** The embedded default store: one SQLite file in WAL mode, through better-sqlite3. */
import Database from 'better-sqlite3';
import { mergePaper, type MergeOutcome } from '../../../core/merge.js';
import type { Paper, PaperRecord } from '../../../core/paper.js';
import type { ListQuery, PaperStore, StoreStats } from '../../../app/ports.js';
import { migrate } from './migrations.js';
import { fromRow, PAPER_COLUMNS, toRow, type PaperRow } from './rows.js';

const EXPORT_PAGE = 500;

export class SqliteStore implements PaperStore {
  private readonly db: Database.Database;
  private readonly statements;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // NORMAL is durable across process crashes in WAL mode; only a power loss can drop the last commits.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);

    const columns = PAPER_COLUMNS.join(', ');
    const updates = PAPER_COLUMNS.filter((c) => c !== 'id')
      .map((c) => `${c} = excluded.${c}`)
      .join(', ');
    this.statements = {
      get: this.db.prepare<[string], PaperRow>('SELECT * FROM papers WHERE id = ?'),
      upsert: this.db.prepare<PaperRow>(
        `INSERT INTO papers (${columns}) VALUES (${PAPER_COLUMNS.map((c) => `@${c}`).join(', ')})
         ON CONFLICT (id) DO UPDATE SET ${updates}`,
      ),
      deleteCategories: this.db.prepare<[string]>('DELETE FROM paper_categories WHERE paper_id = ?'),
      insertCategory: this.db.prepare<[string, string]>(
        'INSERT OR IGNORE INTO paper_categories (category, paper_id) VALUES (?, ?)',
      ),
      exportPage: this.db.prepare<[string, number], PaperRow>(
        'SELECT * FROM papers WHERE id > ? ORDER BY id LIMIT ?',
      ),
    };
  }

  async upsertPapers(records: readonly PaperRecord[], now: string): Promise<MergeOutcome[]> {
    return this.db.transaction(() => records.map((record) => this.upsertOne(record, now)))();
  }

  private upsertOne(record: PaperRecord, now: string): MergeOutcome {
    const row = this.statements.get.get(record.id);
    const stored = row ? fromRow(row) : null;
    const { paper, outcome } = mergePaper(stored, record, now);
    if (outcome === 'unchanged') return outcome;
    this.statements.upsert.run(toRow(paper));
    if (stored === null || stored.categories.join(' ') !== paper.categories.join(' ')) {
      this.statements.deleteCategories.run(paper.id);
      for (const category of paper.categories) this.statements.insertCategory.run(category, paper.id);
    }
    return outcome;
  }

  async getPaper(id: string): Promise<Paper | null> {
    const row = this.statements.get.get(id);
    return row ? fromRow(row) : null;
  }

  async listPapers(query: ListQuery): Promise<Paper[]> {
    const where: string[] = [];
    const params: Record<string, string | number> = { limit: query.limit, offset: query.offset ?? 0 };
    if (query.from) {
      where.push('p.day >= @from');
      params.from = query.from;
    }
    if (query.to) {
      where.push('p.day <= @to');
      params.to = query.to;
    }
    if (query.category) {
      where.push('p.id IN (SELECT paper_id FROM paper_categories WHERE category = @category)');
      params.category = query.category;
    }
    const sql = `SELECT p.* FROM papers p ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY p.day DESC, p.id DESC LIMIT @limit OFFSET @offset`;
    return this.db.prepare<Record<string, string | number>, PaperRow>(sql).all(params).map(fromRow);
  }

  async stats(): Promise<StoreStats> {
    const papers = (this.db.prepare('SELECT count(*) AS n FROM papers').get() as { n: number }).n;
    const byMonth = this.db
      .prepare(
        "SELECT coalesce(substr(day, 1, 7), 'unknown') AS k, count(*) AS n FROM papers GROUP BY k ORDER BY k",
      )
      .all() as { k: string; n: number }[];
    const byPrimary = this.db
      .prepare(
        "SELECT coalesce(primary_category, 'none') AS k, count(*) AS n FROM papers GROUP BY k ORDER BY n DESC, k",
      )
      .all() as { k: string; n: number }[];
    const toObject = (rows: { k: string; n: number }[]) => Object.fromEntries(rows.map((r) => [r.k, r.n]));
    return { papers, byMonth: toObject(byMonth), byPrimaryCategory: toObject(byPrimary) };
  }

  async *exportPapers(): AsyncIterable<Paper> {
    let after = '';
    for (;;) {
      const rows = this.statements.exportPage.all(after, EXPORT_PAGE);
      for (const row of rows) yield fromRow(row);
      if (rows.length < EXPORT_PAGE) return;
      after = (rows.at(-1) as PaperRow).id;
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
