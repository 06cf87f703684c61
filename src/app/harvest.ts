/**
 * Harvesting arXiv over OAI-PMH: the pages of a `ListRecords` chain go through the same ingest as files
 * (validation, merge), and a checkpoint is saved in the store after each page's records are. A harvest
 * stopped at any moment — even by SIGKILL — resumes from its checkpoint: at worst the page in flight is
 * read again, and its records merge unchanged, so nothing is lost or stored twice. An expired resumption
 * token starts the window again from its first day.
 */
import {
  checkpointName,
  dayOf,
  listRecordsUrl,
  parseCheckpoint,
  parseHarvestRecord,
  resumeUrl,
  type OaiCheckpoint,
  type OaiHarvestTarget,
} from '../core/harvest/oai-pmh.js';
import {
  apiCheckpointName,
  API_MAX_RESULTS,
  newestUrl,
  parseApiCheckpoint,
} from '../core/harvest/arxiv-api.js';
import { OpenPapersError } from '../core/errors.js';
import { addCounts, emptyCounts, ingestSource, type IngestCounts, type Rejection } from './ingest.js';
import type { HarvestHttp, PaperStore, SourceItem } from './ports.js';

export interface OaiPage {
  items: SourceItem[];
  /** Records the repository marks deleted (arXiv keeps them persistent): counted, nothing stored. */
  deleted: number;
  token: string | null;
  error: { code: string; message: string } | null;
  responseDate: string | null;
  /** Why the page could not be read at all, when it could not. */
  malformed: string | null;
}

export interface HarvestCounts extends IngestCounts {
  deleted: number;
  pages: number;
}

export interface HarvestDependencies {
  store: PaperStore;
  http: HarvestHttp;
  parsePage: (body: string) => Promise<OaiPage>;
  now: () => Date;
  onPage?: (progress: {
    target: OaiHarvestTarget;
    counts: Readonly<HarvestCounts>;
    checkpoint: OaiCheckpoint;
  }) => void;
  onRejected?: (rejection: Rejection) => void;
}

export interface HarvestRequest {
  base: string;
  target: OaiHarvestTarget;
  /** Where a first harvest of this set starts (YYYY-MM-DD); later ones start from their checkpoint. */
  firstFrom: string;
  /** Start from this day whatever the checkpoint says (the chain in progress is given up). */
  from?: string;
}

/** Expired tokens restarting one harvest more often than this mean something else is wrong. */
const MAX_RESTARTS = 3;

export async function harvestOai(
  deps: HarvestDependencies,
  request: HarvestRequest,
): Promise<{ counts: HarvestCounts; checkpoint: OaiCheckpoint }> {
  const { store, now } = deps;
  const name = checkpointName(request.target);
  const savedText = await store.getCursor(name);
  const saved = parseCheckpoint(savedText);
  let checkpoint: OaiCheckpoint = request.from
    ? { from: request.from, token: null, nextFrom: null }
    : (saved ?? { from: request.firstFrom, token: null, nextFrom: null });
  const counts: HarvestCounts = { ...emptyCounts(), deleted: 0, pages: 0 };
  // The record of the last harvest that ran to its end stays beside the checkpoint until the next one does.
  let last = savedText ? parseHarvestRecord(savedText) : null;
  const save = () => store.setCursor(name, JSON.stringify({ ...checkpoint, last }), now().toISOString());
  const finished = () => {
    const { read, new: added, updated, unchanged, deleted, rejected, pages } = counts;
    last = { at: now().toISOString(), pages, read, new: added, updated, unchanged, deleted, rejected };
  };
  let restarts = 0;

  for (;;) {
    const { token } = checkpoint;
    const url = token
      ? resumeUrl(request.base, token)
      : listRecordsUrl(request.base, request.target, checkpoint.from);
    const where = token
      ? `the page for resumption token "${token}"`
      : `the first page from ${checkpoint.from}`;
    const page = await deps.parsePage(await deps.http.get(url));
    if (page.malformed)
      throw new OpenPapersError(
        'OP_ERR_UPSTREAM',
        `OAI-PMH: ${where} (${url}) cannot be read: ${page.malformed}; ` +
          `${plural(counts.pages, 'page')} before it stored; the next harvest starts again from this one`,
      );
    if (page.error?.code === 'badResumptionToken' && token) {
      if (++restarts > MAX_RESTARTS)
        throw new OpenPapersError(
          'OP_ERR_UPSTREAM',
          `OAI-PMH: resumption tokens keep expiring (${page.error.message})`,
        );
      // Tokens expire at midnight UTC: harvest the window again; what is already stored merges unchanged.
      checkpoint = { from: checkpoint.from, token: null, nextFrom: null };
      await save();
      continue;
    }
    if (page.error?.code === 'noRecordsMatch') {
      finished();
      checkpoint = {
        from: checkpoint.nextFrom ?? dayOf(page.responseDate) ?? checkpoint.from,
        token: null,
        nextFrom: null,
      };
      await save();
      break;
    }
    if (page.error)
      throw new OpenPapersError(
        'OP_ERR_UPSTREAM',
        `OAI-PMH error "${page.error.code}" for ${where}: ${page.error.message}`,
      );

    const source = `OAI-PMH page ${counts.pages + 1} (${url})`;
    addCounts(
      counts,
      await ingestSource(store, source, page.items, {
        now: () => now().toISOString(),
        onRejected: deps.onRejected,
      }),
    );
    counts.deleted += page.deleted;
    counts.pages++;
    const nextFrom = checkpoint.nextFrom ?? dayOf(page.responseDate) ?? checkpoint.from;
    checkpoint = page.token
      ? { from: checkpoint.from, token: page.token, nextFrom }
      : { from: nextFrom, token: null, nextFrom: null };
    if (!page.token) finished();
    await save();
    deps.onPage?.({ target: request.target, counts, checkpoint });
    if (!page.token) break;
  }
  return { counts, checkpoint };
}

/** What a harvest saw, in words: for its log line and the record of the worker's run. */
export function describeHarvest(counts: HarvestCounts): string {
  return (
    `${counts.read} records seen, ${counts.new} new, ${counts.updated} updated, ` +
    `${counts.deleted} deleted, ${counts.rejected} rejected`
  );
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

export interface NewestHarvestDependencies {
  store: PaperStore;
  http: HarvestHttp;
  /** The entries of one API response, as records or rejections. */
  parseFeed: (body: string) => Promise<SourceItem[]>;
  now: () => Date;
  onPage?: (counts: Readonly<HarvestCounts>) => void;
  onRejected?: (rejection: Rejection) => void;
}

export interface NewestHarvestRequest {
  base: string;
  categories: readonly string[];
  /** Where a first harvest stops (YYYY-MM-DD): papers first submitted before it are not asked for. */
  firstFrom: string;
  pageSize?: number;
}

/**
 * The newest submissions in these categories from the arXiv API, newest first, down to the newest paper
 * the last complete harvest saw (or `firstFrom`). The checkpoint moves only when a harvest completes, so
 * one stopped part-way is done again from the top: what it stored merges unchanged.
 */
export async function harvestNewest(
  deps: NewestHarvestDependencies,
  request: NewestHarvestRequest,
): Promise<{ counts: HarvestCounts; newest: string | null }> {
  const { store, now } = deps;
  const name = apiCheckpointName(request.categories);
  const previous = parseApiCheckpoint(await store.getCursor(name));
  const stopAt = previous ?? `${request.firstFrom}T00:00:00Z`;
  const size = request.pageSize ?? 100;
  const counts: HarvestCounts = { ...emptyCounts(), deleted: 0, pages: 0 };
  let newest = previous;
  for (let start = 0; start < API_MAX_RESULTS; start += size) {
    const url = newestUrl(request.base, request.categories, start, size);
    const items = await deps.parseFeed(await deps.http.get(url));
    if (items.length === 0) break;
    const source = `arXiv API page ${counts.pages + 1} (${url})`;
    addCounts(
      counts,
      await ingestSource(store, source, items, {
        now: () => now().toISOString(),
        onRejected: deps.onRejected,
      }),
    );
    counts.pages++;
    deps.onPage?.(counts);
    const published = items.flatMap((item) =>
      item.ok && item.record.published ? [item.record.published] : [],
    );
    for (const time of published) if (newest === null || time > newest) newest = time;
    // Newest first: once a page reaches what the last harvest saw, the rest is older still.
    if (items.length < size || published.some((time) => time <= stopAt)) break;
  }
  await store.setCursor(name, JSON.stringify({ newest }), now().toISOString());
  return { counts, newest };
}
