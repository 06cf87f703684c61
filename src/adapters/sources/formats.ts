/** The file formats OpenPapers reads, how each is recognised, and how a file is read as a stream of records. */
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { SourceItem } from '../../app/ports.js';
import { OpenPapersError } from '../../core/errors.js';
import { LIMITS, recordProblem, type PaperRecord } from '../../core/paper.js';
import { absToRecord, decodeAbs, sniffUtf16 } from './abs.js';
import { isTarHeader, readTarEntries } from './archives.js';
import { arxivListing } from './arxiv-listing.js';
import { ATOM_RECORD, atomEntryToRecord } from './arxiv-atom.js';
import { beirCorpus } from './beir.js';
import { openInput, readHead } from './input.js';
import { readJsonLines, withId } from './json-lines.js';
import { kaggleSnapshot } from './kaggle.js';
import { formatBytes } from './lines.js';
import { OAI_RECORD, oaiRecordToRecord } from './oai-pmh.js';
import { openpapersJsonl } from './openpapers-jsonl.js';
import { RecordError } from './record-error.js';
import { readXmlRecords, type XmlElement } from './xml-records.js';

export const FORMATS = {
  kaggle: 'arXiv Kaggle metadata snapshot (JSON lines)',
  'arxiv-listing': 'arXiv daily listing JSON lines (id, title, summary, authors, categories, file_date)',
  'arxiv-atom': 'arXiv API Atom response (export.arxiv.org/api/query)',
  'oai-pmh': 'arXiv OAI-PMH response, metadata format arXiv or oai_dc',
  abs: 'arXiv .abs metadata files: one file, a tar or tar.gz archive of them, or a directory',
  beir: 'BEIR corpus.jsonl (ids become beir:<corpus folder>:<_id>)',
  openpapers: "OpenPapers JSON lines (the paper model's fields; title and abstract at least)",
} as const;

export type FormatName = keyof typeof FORMATS;

export function isFormatName(name: string): name is FormatName {
  return Object.hasOwn(FORMATS, name);
}

/** Recognises a format from a file's first bytes. */
export function detectFormat(head: string): FormatName | null {
  const text = head.replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('{')) {
    const end = text.indexOf('\n');
    const firstLine = text.slice(0, end === -1 ? undefined : end);
    // JSON lines begin with one whole object on the first line (a pretty-printed .json file does not).
    if (end !== -1 || text.length < 60_000) {
      try {
        const first = JSON.parse(firstLine) as unknown;
        if (typeof first !== 'object' || first === null || Array.isArray(first)) return null;
      } catch {
        return null;
      }
    }
    if (/"file_date"\s*:/.test(firstLine) && /"summary"\s*:/.test(firstLine)) return 'arxiv-listing';
    if (/"(authors_parsed|submitter|update_date|journal-ref)"\s*:/.test(firstLine)) return 'kaggle';
    if (/"_id"\s*:/.test(firstLine)) return 'beir';
    return /"(id|title|abstract)"\s*:/.test(firstLine) ? 'openpapers' : null;
  }
  if (text.startsWith('<')) {
    if (/<(\w+:)?feed[\s>]/.test(text)) return 'arxiv-atom';
    if (/<OAI-PMH[\s>]/.test(text)) return 'oai-pmh';
    return null;
  }
  if (/^\\\\\s*$/m.test(text) && /^(arXiv|Paper):/m.test(text)) return 'abs';
  return null;
}

export interface InputSource {
  /** How the source is named in messages: the path as given, or a file inside a given directory. */
  name: string;
  path: string;
  size: number;
  /** Found by searching a directory rather than named by the user. */
  found: boolean;
}

const DIRECTORY_EXTENSIONS = /\.(abs|jsonl|json|xml|atom|gz|tgz|tar)$/i;

/** What a directory search never enters: hidden folders, installed packages, and OpenPapers' own files. */
function ignoredInDirectory(name: string, isDirectory: boolean): boolean {
  if (name.startsWith('.') || name === 'node_modules') return true;
  // Search indexes (`<database>.search/`) and the database files themselves.
  return isDirectory ? name.endsWith('.search') : /\.db(-wal|-shm|-journal)?$/i.test(name);
}

async function filesUnder(
  dir: string,
  shown: string,
  out: { path: string; name: string }[],
): Promise<number> {
  let skipped = 0;
  const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    if (ignoredInDirectory(entry.name, entry.isDirectory())) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) skipped += await filesUnder(path, join(shown, entry.name), out);
    else if (entry.isFile() && DIRECTORY_EXTENSIONS.test(entry.name))
      out.push({ path, name: join(shown, entry.name) });
    else if (entry.isFile()) skipped++;
  }
  return skipped;
}

/**
 * Expands the paths given on the command line: a directory stands for the readable files under it (not
 * its hidden folders, installed packages, search indexes or database files).
 */
export async function expandInputs(
  paths: readonly string[],
): Promise<{ sources: InputSource[]; skipped: number }> {
  const sources: InputSource[] = [];
  let skipped = 0;
  for (const path of paths) {
    const info = await fs.stat(path).catch(() => {
      throw new OpenPapersError('OP_ERR_INPUT', `cannot read ${path}: no such file or directory`);
    });
    if (info.isDirectory()) {
      const files: { path: string; name: string }[] = [];
      skipped += await filesUnder(path, path, files);
      for (const file of files) {
        sources.push({
          name: file.name,
          path: file.path,
          size: (await fs.stat(file.path)).size,
          found: true,
        });
      }
    } else {
      sources.push({ name: path, path, size: info.size, found: false });
    }
  }
  return { sources, skipped };
}

export type Recognised = { format: FormatName; skip: null } | { format: null; skip: string };

/**
 * A file's format from its first bytes. A file the user named must be readable, or nothing is ingested; a
 * file found in a directory that is none of the formats is skipped, and says why.
 */
export async function recogniseFile(source: InputSource): Promise<Recognised> {
  const bytes = await readHead(source.path);
  let format: FormatName | null;
  let why = 'it is none of the formats OpenPapers reads';
  if (isTarHeader(bytes)) format = 'abs';
  else {
    const utf16 = sniffUtf16(bytes);
    const head = utf16 ? new TextDecoder(utf16).decode(bytes) : bytes.toString('utf8');
    format = detectFormat(head);
    if (utf16 && format !== 'abs') {
      format = null;
      why = `it is ${utf16.toUpperCase()} text; OpenPapers reads UTF-8 (convert it with: iconv -f UTF-16 -t UTF-8)`;
    }
  }
  if (format) return { format, skip: null };
  if (source.size === 0) why = 'it is empty';
  if (!source.found) {
    throw new OpenPapersError(
      'OP_ERR_INPUT',
      `${source.name}: the format is not recognised (${why}); name it with --format (${Object.keys(FORMATS).join(', ')})`,
    );
  }
  return { format: null, skip: why };
}

/** The format of a file, or null for a file found in a directory that is none of them. */
export async function detectFileFormat(source: InputSource): Promise<FormatName | null> {
  return (await recogniseFile(source)).format;
}

export interface ReadOptions {
  /** How many raw bytes have been read so far. */
  onBytes?: (rawBytes: number) => void;
  /** An archive entry that is not a record (a listing file beside the .abs files). */
  onSkipped?: (where: string) => void;
}

/** Reads one source file as records or rejections, in file order. */
export async function* readSource(
  source: InputSource,
  format: FormatName,
  options: ReadOptions = {},
): AsyncGenerator<SourceItem> {
  const { onBytes } = options;
  if (format === 'abs') {
    if (isTarHeader(await readHead(source.path, 512))) yield* readAbsArchive(source, options);
    else yield await readAbsFile(source);
    onBytes?.(source.size);
    return;
  }
  const { stream } = await openInput(source.path, onBytes);
  try {
    switch (format) {
      case 'kaggle':
        yield* readJsonLines(stream, kaggleSnapshot);
        break;
      case 'arxiv-listing':
        yield* readJsonLines(stream, arxivListing);
        break;
      case 'openpapers':
        yield* readJsonLines(stream, openpapersJsonl);
        break;
      case 'beir':
        yield* readJsonLines(stream, beirCorpus(beirCorpusName(source.path)));
        break;
      case 'arxiv-atom':
        yield* readXml(stream, ATOM_RECORD, atomEntryToRecord);
        break;
      case 'oai-pmh':
        yield* readXml(stream, OAI_RECORD, oaiRecordToRecord);
        break;
    }
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code === 'Z_DATA_ERROR' ||
      (error as Error).message?.includes('unexpected end')
    ) {
      yield {
        ok: false,
        where: 'end of file',
        reason: `the compressed file is damaged or truncated (${(error as Error).message})`,
      };
      return;
    }
    throw error;
  } finally {
    stream.destroy();
  }
}

/** `…/beir-scifact/corpus.jsonl` → `scifact`. */
export function beirCorpusName(path: string): string {
  return basename(dirname(path)).replace(/^beir[-_]/, '') || 'corpus';
}

/** The records of an OAI-PMH or arXiv API response (a harvested page), as readSource reads those files. */
export function readXmlResponse(
  stream: NodeJS.ReadableStream,
  format: 'oai-pmh' | 'arxiv-atom',
): AsyncGenerator<SourceItem> {
  return format === 'oai-pmh'
    ? readXml(stream, OAI_RECORD, oaiRecordToRecord)
    : readXml(stream, ATOM_RECORD, atomEntryToRecord);
}

async function* readXml(
  stream: NodeJS.ReadableStream,
  recordName: string,
  convert: (element: XmlElement) => PaperRecord | null,
): AsyncGenerator<SourceItem> {
  for await (const item of readXmlRecords(stream as never, recordName)) {
    if (!item.ok) {
      yield item;
      continue;
    }
    const converted = convertChecked(() => convert(item.element), item.where);
    if (converted) yield converted;
  }
}

function convertChecked(convert: () => PaperRecord | null, where: string): SourceItem | null {
  try {
    const record = convert();
    if (record === null) return null;
    const problem = recordProblem(record);
    return problem
      ? { ok: false, where: withId(where, record.id), reason: problem }
      : { ok: true, where, record };
  } catch (error) {
    if (error instanceof RecordError) return { ok: false, where, reason: error.message };
    throw error;
  }
}

/** The .abs files of a tar archive, each a record; other entries are skipped. */
async function* readAbsArchive(source: InputSource, options: ReadOptions): AsyncGenerator<SourceItem> {
  const { stream } = await openInput(source.path, options.onBytes);
  for await (const entry of readTarEntries(stream, LIMITS.recordBytes)) {
    if (!entry.name.endsWith('.abs') || entry.size === 0) {
      options.onSkipped?.(entry.name);
      continue;
    }
    if (entry.bytes === null) {
      yield {
        ok: false,
        where: entry.name,
        reason: `file is ${formatBytes(entry.size)}, over the limit of ${formatBytes(LIMITS.recordBytes)}`,
      };
      continue;
    }
    const bytes = entry.bytes;
    yield convertChecked(() => absToRecord(decodeAbs(bytes)), entry.name) as SourceItem;
  }
}

async function readAbsFile(source: InputSource): Promise<SourceItem> {
  if (source.size > LIMITS.recordBytes) {
    return {
      ok: false,
      where: 'file',
      reason: `file is ${formatBytes(source.size)}, over the limit of ${formatBytes(LIMITS.recordBytes)}`,
    };
  }
  const text = decodeAbs(await fs.readFile(source.path));
  return convertChecked(() => absToRecord(text), 'file') as SourceItem;
}
