/** The ingest use case: records from sources go into the store in batched, atomic merges. */
import type { MergeOutcome } from '../core/merge.js';
import type { PaperRecord } from '../core/paper.js';
import type { PaperStore, SourceItem } from './ports.js';

export interface IngestCounts {
  read: number;
  new: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

export interface Rejection {
  source: string;
  where: string;
  reason: string;
}

export interface IngestOptions {
  batchSize?: number;
  now: () => string;
  onRejected?: (rejection: Rejection) => void;
  onBatch?: (counts: Readonly<IngestCounts>) => void;
}

export function emptyCounts(): IngestCounts {
  return { read: 0, new: 0, updated: 0, unchanged: 0, rejected: 0 };
}

export function addCounts(total: IngestCounts, part: IngestCounts): void {
  for (const key of Object.keys(emptyCounts()) as (keyof IngestCounts)[]) total[key] += part[key];
}

/** Reads one source to its end (a stream of records, or a page already read), storing its valid records and reporting the rest. */
export async function ingestSource(
  store: PaperStore,
  sourceName: string,
  items: AsyncIterable<SourceItem> | Iterable<SourceItem>,
  options: IngestOptions,
): Promise<IngestCounts> {
  const batchSize = options.batchSize ?? 1000;
  const counts = emptyCounts();
  let batch: PaperRecord[] = [];

  const flush = async () => {
    if (batch.length === 0) return;
    const outcomes: MergeOutcome[] = await store.upsertPapers(batch, options.now());
    for (const outcome of outcomes) counts[outcome]++;
    batch = [];
    options.onBatch?.(counts);
  };

  for await (const item of items) {
    counts.read++;
    if (item.ok) {
      batch.push(item.record);
      if (batch.length >= batchSize) await flush();
    } else {
      counts.rejected++;
      options.onRejected?.({ source: sourceName, where: item.where, reason: item.reason });
    }
  }
  await flush();
  return counts;
}
