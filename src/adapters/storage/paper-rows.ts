/** Mapping between stored rows and papers, the same in every SQL backend. */
import { paperDay, primaryCategory, type Paper } from '../../core/paper.js';

export interface PaperRow {
  id: string;
  title: string;
  abstract: string;
  authors: string;
  categories: string;
  primary_category: string | null;
  classes: string;
  comments: string | null;
  journal_ref: string | null;
  doi: string | null;
  report_no: string | null;
  license: string | null;
  versions: string;
  published: string | null;
  updated: string | null;
  announced: string | null;
  day: string | null;
  sources: string;
  first_seen: string;
}

export function toRow(paper: Paper): PaperRow {
  return {
    id: paper.id,
    title: paper.title,
    abstract: paper.abstract,
    authors: JSON.stringify(paper.authors),
    categories: JSON.stringify(paper.categories),
    primary_category: primaryCategory(paper),
    classes: JSON.stringify(paper.classes),
    comments: paper.comments,
    journal_ref: paper.journalRef,
    doi: paper.doi,
    report_no: paper.reportNo,
    license: paper.license,
    versions: JSON.stringify(paper.versions),
    published: paper.published,
    updated: paper.updated,
    announced: paper.announced,
    day: paperDay(paper),
    sources: JSON.stringify(paper.sources),
    first_seen: paper.firstSeen,
  };
}

export function fromRow(row: PaperRow): Paper {
  return {
    id: row.id,
    title: row.title,
    abstract: row.abstract,
    authors: JSON.parse(row.authors) as string[],
    categories: JSON.parse(row.categories) as string[],
    classes: JSON.parse(row.classes) as string[],
    comments: row.comments,
    journalRef: row.journal_ref,
    doi: row.doi,
    reportNo: row.report_no,
    license: row.license,
    versions: JSON.parse(row.versions) as Paper['versions'],
    published: row.published,
    updated: row.updated,
    announced: row.announced,
    sources: JSON.parse(row.sources) as string[],
    firstSeen: row.first_seen,
  };
}

export const PAPER_COLUMNS = [
  'id',
  'title',
  'abstract',
  'authors',
  'categories',
  'primary_category',
  'classes',
  'comments',
  'journal_ref',
  'doi',
  'report_no',
  'license',
  'versions',
  'published',
  'updated',
  'announced',
  'day',
  'sources',
  'first_seen',
] as const satisfies readonly (keyof PaperRow)[];
