/**
 * The newest submissions in some categories from the arXiv query API (Atom), for hubs that want the day's
 * papers before OAI-PMH has them: newest first, page by page, until a paper no newer than the last
 * harvest's newest. The API gives at most 2,000 results a call and 30,000 in all, so it is for small
 * windows; OAI-PMH is for bulk.
 */

/** How far down the newest list one harvest goes at most. */
export const API_MAX_RESULTS = 2000;

export function newestUrl(base: string, categories: readonly string[], start: number, size: number): string {
  const query = categories.map((category) => `cat:${category}`).join(' OR ');
  const url = new URL(`${base.replace(/\/$/, '')}/query`);
  url.searchParams.set('search_query', query);
  url.searchParams.set('sortBy', 'submittedDate');
  url.searchParams.set('sortOrder', 'descending');
  url.searchParams.set('start', String(start));
  url.searchParams.set('max_results', String(size));
  return url.href;
}

export function apiCheckpointName(categories: readonly string[]): string {
  return `harvest:api:${[...categories].sort().join('+')}`;
}

/** The first-version time of the newest paper the last complete harvest saw, or null before the first. */
export function parseApiCheckpoint(text: string | null): string | null {
  if (text === null) return null;
  const value = JSON.parse(text) as { newest?: unknown };
  return typeof value.newest === 'string' ? value.newest : null;
}
