/**
 * OAI-PMH harvesting as arXiv serves it (https://oaipmh.arxiv.org/oai): `ListRecords` requests and the
 * checkpoint that makes a harvest resumable. Day granularity; a chain of pages is followed by its
 * resumption tokens, which expire at the next midnight UTC; the next harvest starts from the date of the
 * first response of the last one that finished (datestamps are last-modification dates, so nothing
 * modified meanwhile is missed, and what is seen twice merges to the same paper).
 */

export const ARXIV_OAI = 'https://oaipmh.arxiv.org/oai';
export const METADATA_PREFIXES = ['arXiv', 'oai_dc'] as const;
export type MetadataPrefix = (typeof METADATA_PREFIXES)[number];

export interface OaiHarvestTarget {
  /** `cs`, `math`, `physics:hep-th`, `cs:cs:AI`; null for every set. */
  set: string | null;
  metadataPrefix: MetadataPrefix;
}

/** Where a harvest of one set stands, saved after each page's records are stored. */
export interface OaiCheckpoint {
  /** The first day of the window being harvested (or of the next harvest). */
  from: string;
  /** The token of the next page of the chain in progress; null between harvests. */
  token: string | null;
  /** The day of the chain's first response: the next harvest's `from` once the chain ends. */
  nextFrom: string | null;
}

export function listRecordsUrl(base: string, target: OaiHarvestTarget, from: string): string {
  const url = new URL(base);
  url.searchParams.set('verb', 'ListRecords');
  url.searchParams.set('metadataPrefix', target.metadataPrefix);
  if (target.set) url.searchParams.set('set', target.set);
  url.searchParams.set('from', from);
  return url.href;
}

export function resumeUrl(base: string, token: string): string {
  const url = new URL(base);
  url.searchParams.set('verb', 'ListRecords');
  url.searchParams.set('resumptionToken', token);
  return url.href;
}

/** What the last harvest of a set that ran to its end saw, saved beside its checkpoint. */
export interface HarvestRecord {
  at: string;
  pages: number;
  read: number;
  new: number;
  updated: number;
  unchanged: number;
  deleted: number;
  rejected: number;
}

export const CHECKPOINT_PREFIX = 'harvest:oai:';

export function checkpointName(target: OaiHarvestTarget): string {
  return `${CHECKPOINT_PREFIX}${target.set ?? '*'}:${target.metadataPrefix}`;
}

/** The set and format a checkpoint's name is for. */
export function checkpointTarget(name: string): OaiHarvestTarget | null {
  if (!name.startsWith(CHECKPOINT_PREFIX)) return null;
  const rest = name.slice(CHECKPOINT_PREFIX.length);
  const at = rest.lastIndexOf(':');
  const prefix = rest.slice(at + 1);
  if (at < 0 || !(METADATA_PREFIXES as readonly string[]).includes(prefix)) return null;
  const set = rest.slice(0, at);
  return { set: set === '*' ? null : set, metadataPrefix: prefix as MetadataPrefix };
}

/** The record of the last complete harvest saved with a checkpoint, if any. */
export function parseHarvestRecord(text: string): HarvestRecord | null {
  const value = JSON.parse(text) as { last?: HarvestRecord };
  return value.last ?? null;
}

export function parseCheckpoint(text: string | null): OaiCheckpoint | null {
  if (text === null) return null;
  const value = JSON.parse(text) as Partial<OaiCheckpoint>;
  if (typeof value.from !== 'string') return null;
  return { from: value.from, token: value.token ?? null, nextFrom: value.nextFrom ?? null };
}

/** `2024-01-27T17:53:42Z` → `2024-01-27`; null for anything that is not such a date. */
export function dayOf(responseDate: string | null): string | null {
  const match = responseDate ? /^(\d{4}-\d{2}-\d{2})/.exec(responseDate.trim()) : null;
  return match ? (match[1] as string) : null;
}

/** The day `days` before `today` (YYYY-MM-DD): how far back a first harvest goes. */
export function daysBefore(today: string, days: number): string {
  const date = new Date(`${today}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() - days);
  return date.toISOString().slice(0, 10);
}
