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

/** UTF-16 from its byte-order mark, or from the zero bytes of mostly-ASCII text; null for anything else. */
export function sniffUtf16(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  const sample = bytes.subarray(0, Math.min(bytes.length, 1024) & ~1);
  if (sample.length < 16) return null;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < sample.length; i += 2) {
    if (sample[i] === 0) evenZeros++;
    if (sample[i + 1] === 0) oddZeros++;
  }
  const pairs = sample.length / 2;
  if (oddZeros > pairs * 0.4 && evenZeros < pairs * 0.05) return 'utf-16le';
  if (evenZeros > pairs * 0.4 && oddZeros < pairs * 0.05) return 'utf-16be';
  return null;
}

/**
 * Newer .abs files are UTF-8; old ones were written in Windows-1252 (of which ISO-8859-1 is a part), so
 * bytes that are not UTF-8 are read as Windows-1252: curly quotes and dashes stay what they were, where
 * ISO-8859-1 would make them invisible C1 controls. UTF-16 (with or without its byte-order mark) is read too.
 */
export function decodeAbs(bytes: Buffer): string {
  const utf16 = sniffUtf16(bytes);
  if (utf16) return new TextDecoder(utf16).decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return decodeWindows1252(bytes);
  }
}

/** Windows-1252's characters at 0x80–0x9F (Node's decoder of that name reads them as ISO-8859-1's C1 controls). */
const WINDOWS_1252 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

export function decodeWindows1252(bytes: Buffer): string {
  return bytes
    .toString('latin1')
    .replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252[c.charCodeAt(0) - 0x80] as string);
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
