/** arXiv OAI-PMH responses (export.arxiv.org/oai2), metadata formats `arXiv` and `oai_dc`. */
import { decodeLatexAccents } from '../../core/authors.js';
import { splitCategories, splitClasses, unique } from '../../core/categories.js';
import { emptyRecord, type PaperRecord } from '../../core/paper.js';
import { categoryCodeForName } from '../../core/taxonomy.js';
import { normalizeAbstract, normalizeLine, optionalLine } from '../../core/text.js';
import { optionalDoi, requireArxivId, requireTime, versionDates } from './arxiv-fields.js';
import { RecordError } from './record-error.js';
import { child, childText, children, type XmlElement } from './xml-records.js';

export const OAI_RECORD = 'record';

/** Null for records the repository marks deleted: there is nothing to store. */
export function oaiRecordToRecord(record: XmlElement): PaperRecord | null {
  const header = child(record, 'header');
  if (header?.attrs.status === 'deleted') return null;
  const metadata = child(record, 'metadata');
  const arxiv = metadata && child(metadata, 'arXiv');
  if (arxiv) return fromArxivFormat(arxiv);
  const dc = metadata && child(metadata, 'dc');
  if (dc) return fromDublinCore(dc, childText(header ?? record, 'identifier'));
  throw new RecordError('no <arXiv> or <oai_dc:dc> metadata');
}

function fromArxivFormat(meta: XmlElement): PaperRecord {
  const { id } = requireArxivId(childText(meta, 'id'));
  const createdText = childText(meta, 'created');
  if (!createdText) throw new RecordError('no <created> date');
  const created = requireTime(createdText, 'created');
  const updatedText = childText(meta, 'updated');
  const updated = updatedText ? requireTime(updatedText, 'updated') : created;
  const authorsElement = child(meta, 'authors');
  const authors = authorsElement
    ? children(authorsElement, 'author').map((author) =>
        decodeLatexAccents(
          normalizeLine(
            [childText(author, 'forenames'), childText(author, 'keyname'), childText(author, 'suffix')]
              .filter(Boolean)
              .join(' '),
          ),
        ),
      )
    : [];
  const { categories, classes } = splitCategories(childText(meta, 'categories') ?? '');
  return {
    ...emptyRecord(id),
    title: normalizeLine(childText(meta, 'title') ?? ''),
    abstract: normalizeAbstract(childText(meta, 'abstract') ?? ''),
    authors: authors.filter(Boolean),
    categories,
    classes: unique([
      ...classes,
      ...splitClasses(childText(meta, 'msc-class')),
      ...splitClasses(childText(meta, 'acm-class')),
    ]),
    comments: optionalLine(childText(meta, 'comments')),
    journalRef: optionalLine(childText(meta, 'journal-ref')),
    doi: optionalDoi(childText(meta, 'doi')),
    reportNo: optionalLine(childText(meta, 'report-no')),
    license: optionalLine(childText(meta, 'license')),
    // The arXiv format dates the first and the latest version without numbering the latest.
    ...versionDates([{ version: 1, date: created }]),
    updated,
    sources: ['oai-pmh'],
  };
}

function fromDublinCore(dc: XmlElement, headerIdentifier: string | null): PaperRecord {
  const identifiers = children(dc, 'identifier').map((i) => i.text.trim());
  const arxivUrl = identifiers.find((i) => /arxiv\.org\/abs\//i.test(i));
  const { id } = requireArxivId(arxivUrl ?? headerIdentifier);
  const doi = identifiers.find((i) => /^doi:/i.test(i))?.replace(/^doi:/i, '') ?? null;
  const descriptions = children(dc, 'description').map((d) => d.text);
  const comment = descriptions.find((d) => /^\s*Comment:/.test(d));
  const abstract = descriptions.find((d) => d !== comment) ?? '';
  const dates = children(dc, 'date').map((d, index) => ({
    version: index + 1,
    date: requireTime(d.text, 'date'),
  }));
  const subjects = children(dc, 'subject').map((s) => categoryCodeForName(s.text) ?? s.text);
  const { categories, classes } = splitCategories(subjects.filter((s) => !/\s/.test(s)));
  return {
    ...emptyRecord(id),
    title: normalizeLine(childText(dc, 'title') ?? ''),
    abstract: normalizeAbstract(abstract),
    // Dublin Core writes "Last, First", one creator each.
    authors: children(dc, 'creator')
      .map((c) => {
        const [last, first] = c.text.split(/,\s*/, 2);
        return decodeLatexAccents(normalizeLine(first ? `${first} ${last}` : (last ?? '')));
      })
      .filter(Boolean),
    categories,
    classes,
    comments: optionalLine(comment?.replace(/^\s*Comment:\s*/, '')),
    doi: optionalDoi(doi),
    ...versionDates(dates),
    sources: ['oai-pmh'],
  };
}
