/**
 * arXiv's own `.abs` metadata files: a header block between `\\` lines (`Key: value`, continuation lines
 * indented), then the abstract, then `\\`. One file is one version of one paper.
 */
import { splitAuthors } from '../../core/authors.js';
import { splitCategories, splitClasses, unique } from '../../core/categories.js';
import { emptyRecord, type PaperRecord } from '../../core/paper.js';
import { normalizeAbstract, normalizeLine, optionalLine } from '../../core/text.js';
import { optionalDoi, requireArxivId, requireTime, versionDates } from './arxiv-fields.js';
import { RecordError } from './record-error.js';

/**
 * Old .abs files are ISO-8859-1; newer ones UTF-8. Bytes that are not valid UTF-8 are read as ISO-8859-1,
 * which is what arXiv itself does for these files.
 */
export function decodeAbs(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

function parseHeader(block: string): Map<string, string> {
  const fields = new Map<string, string>();
  let key: string | null = null;
  for (const line of block.split('\n')) {
    const match = /^([A-Za-z][A-Za-z -]*(?:\(revised v\d+\))?):\s?(.*)$/.exec(line);
    if (match && !/^\s/.test(line)) {
      key = match[1] as string;
      // Several "Date (revised vN)" lines have distinct keys; a repeated plain key keeps its first value.
      if (!fields.has(key)) fields.set(key, match[2] as string);
    } else if (key && /^\s/.test(line)) {
      fields.set(key, `${fields.get(key)}\n${line}`);
    }
  }
  return fields;
}

/** `Mon, 2 Apr 2007 19:18:42 GMT   (443kb)` → the time, without the size. */
function dateOf(value: string): string {
  return requireTime(value.replace(/\s*\([^)]*\)\s*$/, ''), 'Date');
}

export function absToRecord(text: string): PaperRecord {
  const sections = text.replace(/\r\n?/g, '\n').split(/^\\\\\s*$/m);
  if (sections.length < 3) throw new RecordError('not an .abs file (no \\\\ separators around the header)');
  const header = parseHeader(sections[1] as string);
  const abstract = sections[2] as string;

  const { id } = requireArxivId(header.get('arXiv') ?? header.get('Paper'));
  const versions: { version: number; date: string }[] = [];
  const first = header.get('Date');
  if (!first) throw new RecordError('no Date line');
  versions.push({ version: 1, date: dateOf(first) });
  for (const [key, value] of header) {
    const revised = /^Date \(revised v(\d+)\)$/.exec(key);
    if (revised) versions.push({ version: Number(revised[1]), date: dateOf(value) });
  }
  const { categories, classes } = splitCategories(header.get('Categories') ?? '');
  return {
    ...emptyRecord(id),
    title: normalizeLine(header.get('Title') ?? ''),
    abstract: normalizeAbstract(abstract),
    authors: splitAuthors(header.get('Authors') ?? ''),
    categories,
    classes: unique([
      ...classes,
      ...splitClasses(header.get('MSC-class')),
      ...splitClasses(header.get('ACM-class')),
    ]),
    comments: optionalLine(header.get('Comments')),
    journalRef: optionalLine(header.get('Journal-ref')),
    doi: optionalDoi(header.get('DOI')),
    reportNo: optionalLine(header.get('Report-no')),
    license: optionalLine(header.get('License')),
    ...versionDates(versions),
    sources: ['abs'],
  };
}
