/** The narrow interfaces the use cases need from the outside world. Adapters implement them. */
import type { MergeOutcome } from '../core/merge.js';
import type { Paper, PaperRecord } from '../core/paper.js';

export interface ListQuery {
  /** Inclusive `YYYY-MM-DD` bounds on the paper's day (see paperDay). */
  from?: string;
  to?: string;
  /** Papers in this category, primary or cross-listed. */
  category?: string;
  limit: number;
  offset?: number;
}

export interface StoreStats {
  papers: number;
  /** `YYYY-MM` of the paper's day → papers; papers without a day are under `unknown`. */
  byMonth: Record<string, number>;
  byPrimaryCategory: Record<string, number>;
}

export interface PaperStore {
  /**
   * Merges each record into the stored paper with the same id (core/merge), in order, atomically: either the
   * whole batch is stored or none of it. Returns one outcome per record.
   */
  upsertPapers(records: readonly PaperRecord[], now: string): Promise<MergeOutcome[]>;
  getPaper(id: string): Promise<Paper | null>;
  /** Newest day first, then by id descending. */
  listPapers(query: ListQuery): Promise<Paper[]>;
  stats(): Promise<StoreStats>;
  /** Every paper, ordered by id, read in pages so that memory stays bounded. */
  exportPapers(): AsyncIterable<Paper>;
  close(): Promise<void>;
}

/** One item read from a source file: a record, or the reason a record was rejected. */
export type SourceItem =
  { ok: true; record: PaperRecord; where: string } | { ok: false; reason: string; where: string };
