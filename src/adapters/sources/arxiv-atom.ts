/** arXiv API (export.arxiv.org/api/query) Atom responses, in the classic (2007–2024) and current formats. */
import { splitCategories } from '../../core/categories.js';
import { emptyRecord, type PaperRecord } from '../../core/paper.js';
import { decodeLatexAccents } from '../../core/authors.js';
import { normalizeAbstract, normalizeLine, optionalLine } from '../../core/text.js';
import { optionalDoi, requireArxivId, requireTime, versionDates } from './arxiv-fields.js';
import { RecordError } from './record-error.js';
import { child, childText, children, type XmlElement } from './xml-records.js';

export const ATOM_RECORD = 'entry';

export function atomEntryToRecord(entry: XmlElement): PaperRecord {
  const rawId = childText(entry, 'id') ?? '';
  if (rawId.includes('/api/errors')) {
    throw new RecordError(
      `the arXiv API answered with an error: ${normalizeLine(childText(entry, 'summary') ?? rawId)}`,
    );
  }
  const { id, version } = requireArxivId(rawId);
  const published = requireTime(childText(entry, 'published') ?? '', 'published');
  const updated = requireTime(childText(entry, 'updated') ?? childText(entry, 'published') ?? '', 'updated');
  const latest = version ?? 1;
  // The API gives the first and the latest version's dates; the ones between are unknown.
  const versions = [{ version: 1, date: published }];
  if (latest > 1) versions.push({ version: latest, date: updated });

  const primary = child(entry, 'primary_category')?.attrs.term;
  const terms = children(entry, 'category').map((c) => c.attrs.term ?? '');
  const { categories, classes } = splitCategories(primary ? [primary, ...terms] : terms);
  const doi = childText(entry, 'doi');
  return {
    ...emptyRecord(id),
    title: normalizeLine(childText(entry, 'title') ?? ''),
    abstract: normalizeAbstract(childText(entry, 'summary') ?? ''),
    authors: children(entry, 'author')
      .map((author) => decodeLatexAccents(normalizeLine(childText(author, 'name') ?? '')))
      .filter(Boolean),
    categories,
    classes,
    comments: optionalLine(childText(entry, 'comment')),
    journalRef: optionalLine(childText(entry, 'journal_ref')),
    doi: optionalDoi(doi),
    ...versionDates(versions),
    updated,
    sources: ['arxiv-atom'],
  };
}
