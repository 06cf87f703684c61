/**
 * The tables that make up a hub, in an order that their foreign keys allow: what `migrate-store` copies,
 * table by table, from one backend to another. `rate_events` is left out on purpose: its rows are windows of
 * a few minutes, and a moved hub starts its rate limits afresh.
 */
export const STORE_TABLES = [
  'papers',
  'paper_categories',
  'store_meta',
  'embeddings',
  'similar_papers',
  'cursors',
  'users',
  'votes',
  'sessions',
  'sign_in_tokens',
  'submissions',
  'comments',
  'comment_reports',
  'collections',
  'collection_papers',
  'subscribers',
  'digest_sends',
  'digest_papers',
  'digest_feedback',
  'job_runs',
] as const;

export type StoreTable = (typeof STORE_TABLES)[number];

/** A table or column name as both SQL dialects quote it. */
export const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** A page of one table's rows, in the source's order, and where the next page starts. */
export interface TablePage {
  rows: Record<string, unknown>[];
  /** An opaque key: the next page starts after the last row of this one (null: still at the start). */
  lastKey: string | null;
}
