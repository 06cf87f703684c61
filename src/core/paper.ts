import { withoutControls } from './text.js';

/**
 * The paper model. One paper per id: an arXiv id without version where there is one, otherwise a stable id
 * of our own (see ids.ts). Dates are ISO 8601 strings: `YYYY-MM-DD` for days, `YYYY-MM-DDTHH:MM:SSZ` for times.
 */
export interface PaperVersion {
  version: number;
  /** When this version was submitted (UTC), or null where a source names the version without its date. */
  date: string | null;
}

export interface PaperRecord {
  id: string;
  title: string;
  abstract: string;
  authors: string[];
  /** arXiv category codes, primary first. */
  categories: string[];
  /** ACM / MSC classification strings, kept apart from the categories. */
  classes: string[];
  comments: string | null;
  journalRef: string | null;
  doi: string | null;
  reportNo: string | null;
  license: string | null;
  versions: PaperVersion[];
  /** First version's submission time. */
  published: string | null;
  /** Latest version's submission time, or the latest day the paper was listed. */
  updated: string | null;
  /** The first day the paper was announced in a listing (`YYYY-MM-DD`). */
  announced: string | null;
  /** Formats the paper was read from, e.g. `arxiv-listing`, `kaggle`. */
  sources: string[];
}

/** A stored paper: a record plus what the store keeps about it. */
export interface Paper extends PaperRecord {
  /** When this installation first saw the paper; never changed by later merges. */
  firstSeen: string;
}

/** The day a paper belongs to on daily pages and in listings: its announcement, else its first version. */
export function paperDay(paper: Pick<PaperRecord, 'announced' | 'published'>): string | null {
  return paper.announced ?? paper.published?.slice(0, 10) ?? null;
}

export function primaryCategory(paper: Pick<PaperRecord, 'categories'>): string | null {
  return paper.categories[0] ?? null;
}

/** Limits on what one record may hold; far above anything real, low enough to keep memory bounded. */
export const LIMITS = {
  idChars: 200,
  titleChars: 2_000,
  abstractChars: 100_000,
  authors: 10_000,
  authorChars: 1_000,
  fieldChars: 10_000,
  /** A single input record (a JSON line, an XML entry, an .abs file) may not be larger than this. */
  recordBytes: 1024 * 1024,
} as const;

/** A record with nothing but an id and text fields; the rest filled with empty values. */
export function emptyRecord(id: string): PaperRecord {
  return {
    id,
    title: '',
    abstract: '',
    authors: [],
    categories: [],
    classes: [],
    comments: null,
    journalRef: null,
    doi: null,
    reportNo: null,
    license: null,
    versions: [],
    published: null,
    updated: null,
    announced: null,
    sources: [],
  };
}

/** The record without control characters in any of its text (they come from broken files, never from authors). */
export function cleanRecord(record: PaperRecord): PaperRecord {
  const clean = (text: string | null) => (text === null ? null : withoutControls(text));
  return {
    ...record,
    id: withoutControls(record.id),
    title: withoutControls(record.title),
    abstract: withoutControls(record.abstract),
    authors: record.authors.map(withoutControls),
    categories: record.categories.map(withoutControls),
    classes: record.classes.map(withoutControls),
    comments: clean(record.comments),
    journalRef: clean(record.journalRef),
    doi: clean(record.doi),
    reportNo: clean(record.reportNo),
    license: clean(record.license),
  };
}

/** Why a record cannot be stored, or null when it can. Checks what the type system cannot. */
export function recordProblem(record: PaperRecord): string | null {
  if (record.id === '') return 'no id';
  if (record.id.length > LIMITS.idChars) return `id is longer than ${LIMITS.idChars} characters`;
  if (record.title === '' && record.abstract === '') return 'neither a title nor an abstract';
  if (record.title.length > LIMITS.titleChars)
    return `title has ${record.title.length} characters, over the limit of ${LIMITS.titleChars}`;
  if (record.abstract.length > LIMITS.abstractChars)
    return `abstract has ${record.abstract.length} characters, over the limit of ${LIMITS.abstractChars}`;
  if (record.authors.length > LIMITS.authors)
    return `${record.authors.length} authors, over the limit of ${LIMITS.authors}`;
  if (record.authors.some((author) => author.length > LIMITS.authorChars))
    return `an author name is longer than ${LIMITS.authorChars} characters`;
  for (const field of ['comments', 'journalRef', 'doi', 'reportNo', 'license'] as const) {
    const value = record[field];
    if (value !== null && value.length > LIMITS.fieldChars)
      return `${field} is longer than ${LIMITS.fieldChars} characters`;
  }
  return null;
}

// arXiv's own wording when a paper is withdrawn: the new version's comments (and often its abstract) say so.
const WITHDRAWN_COMMENT =
  /\b(?:has been|is|was|were)\s+withdrawn\b|^\s*withdrawn\b|\bwithdrawn by (?:the )?authors?\b/i;
const WITHDRAWN_ABSTRACT =
  /^\s*(?:this (?:paper|article|submission|manuscript|work) )?(?:has been |is )?withdrawn\b/i;

/** Whether the latest version withdraws the paper; it is kept, and marked. */
export function isWithdrawn(paper: Pick<PaperRecord, 'comments' | 'abstract'>): boolean {
  return WITHDRAWN_COMMENT.test(paper.comments ?? '') || WITHDRAWN_ABSTRACT.test(paper.abstract);
}
