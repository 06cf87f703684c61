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

export function checkpointName(target: OaiHarvestTarget): string {
  return `harvest:oai:${target.set ?? '*'}:${target.metadataPrefix}`;
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
