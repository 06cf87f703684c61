/**
 * Merging a newly read record into a stored paper. The same paper arrives many times: re-announcements,
 * cross-lists, new versions, other formats. The merge is idempotent, and re-reading a source in the same order
 * always ends in the same paper, which is what makes an interrupted ingest safe to run again.
 */
import { unique } from './categories.js';
import { maxDefined, minDefined } from './dates.js';
import { cleanRecord, type Paper, type PaperRecord, type PaperVersion } from './paper.js';

export type MergeOutcome = 'new' | 'updated' | 'unchanged';

export interface MergeResult {
  paper: Paper;
  outcome: MergeOutcome;
}

const OPTIONAL_TEXT = ['comments', 'journalRef', 'doi', 'reportNo', 'license'] as const;

/**
 * How recent a record's text is: its latest version number, then its latest date. Only a record at least as
 * recent as the stored paper replaces title, abstract, authors and the primary category; an older one can
 * still add what the paper lacks (categories, classes, versions, dates, a DOI).
 */
function freshness(record: PaperRecord): [number, string] {
  const latestVersion = Math.max(0, ...record.versions.map((v) => v.version));
  return [latestVersion, record.updated ?? record.announced ?? record.published ?? ''];
}

function isAtLeastAsFresh(incoming: PaperRecord, stored: PaperRecord): boolean {
  const [inVersion, inDate] = freshness(incoming);
  const [storedVersion, storedDate] = freshness(stored);
  if (inVersion !== storedVersion) return inVersion > storedVersion;
  return inDate >= storedDate;
}

function mergeVersions(a: readonly PaperVersion[], b: readonly PaperVersion[]): PaperVersion[] {
  const byNumber = new Map<number, PaperVersion>();
  for (const version of [...a, ...b]) {
    const known = byNumber.get(version.version);
    if (!known || (known.date === null && version.date !== null)) byNumber.set(version.version, version);
  }
  return [...byNumber.values()].sort((x, y) => x.version - y.version);
}

export function mergePaper(stored: Paper | null, record: PaperRecord, now: string): MergeResult {
  // Every record reaches the store through here: whatever its source, no control character is kept.
  const incoming = cleanRecord(record);
  if (stored === null) return { paper: { ...incoming, firstSeen: now }, outcome: 'new' };

  const incomingWins = isAtLeastAsFresh(incoming, stored);
  const [newer, older] = incomingWins ? [incoming, stored] : [stored, incoming];
  const pick = <T>(a: T, b: T): T => (a === '' || a === null || (Array.isArray(a) && a.length === 0) ? b : a);

  const merged: Paper = {
    id: stored.id,
    title: pick(newer.title, older.title),
    abstract: pick(newer.abstract, older.abstract),
    authors: pick(newer.authors, older.authors),
    categories: unique([...newer.categories, ...older.categories]),
    classes: unique([...stored.classes, ...incoming.classes]),
    comments: null,
    journalRef: null,
    doi: null,
    reportNo: null,
    license: null,
    versions: mergeVersions(stored.versions, incoming.versions),
    published: minDefined(stored.published, incoming.published),
    updated: maxDefined(stored.updated, incoming.updated),
    announced: minDefined(stored.announced, incoming.announced),
    sources: unique([...stored.sources, ...incoming.sources]),
    firstSeen: stored.firstSeen,
  };
  for (const field of OPTIONAL_TEXT) merged[field] = pick(newer[field], older[field]);

  return { paper: merged, outcome: samePaper(stored, merged) ? 'unchanged' : 'updated' };
}

export function samePaper(a: Paper, b: Paper): boolean {
  const keys = Object.keys(a) as (keyof Paper)[];
  return (
    keys.length === Object.keys(b).length &&
    keys.every((key) => JSON.stringify(a[key]) === JSON.stringify(b[key]))
  );
}
