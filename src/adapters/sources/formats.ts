/** The file formats OpenPapers reads, how each is recognised, and how a file is read as a stream of records. */
import { promises as fs } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import type { SourceItem } from '../../app/ports.js';
import { OpenPapersError } from '../../core/errors.js';
import { LIMITS, recordProblem, type PaperRecord } from '../../core/paper.js';
import { absToRecord, decodeAbs } from './abs.js';
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
  abs: 'arXiv .abs metadata file (a directory is searched for them)',
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
    const firstLine = text.slice(0, text.indexOf('\n') === -1 ? undefined : text.indexOf('\n'));
    if (/"file_date"\s*:/.test(firstLine) && /"summary"\s*:/.test(firstLine)) return 'arxiv-listing';
    if (/"(authors_parsed|submitter|update_date|journal-ref)"\s*:/.test(firstLine)) return 'kaggle';
    if (/"_id"\s*:/.test(firstLine)) return 'beir';
    return 'openpapers';
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

const DIRECTORY_EXTENSIONS = /\.(abs|jsonl|json|xml|atom|gz)$/i;

/** Expands the paths given on the command line: a directory stands for the readable files under it. */
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
      const entries = (await fs.readdir(path, { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name))
        .sort();
      for (const file of entries) {
        if (!DIRECTORY_EXTENSIONS.test(file)) {
          skipped++;
          continue;
        }
        sources.push({
          name: join(path, relative(path, file)),
          path: file,
          size: (await fs.stat(file)).size,
          found: true,
        });
      }
    } else {
      sources.push({ name: path, path, size: info.size, found: false });
    }
  }
  return { sources, skipped };
}

/**
 * A file the user named must be readable, or nothing is ingested; a file found in a directory that cannot be
 * recognised is null, and is reported as rejected while the others are read.
 */
export async function detectFileFormat(source: InputSource): Promise<FormatName | null> {
  const head = (await readHead(source.path)).toString('utf8');
  const format = detectFormat(head);
  if (!format && !source.found) {
    throw new OpenPapersError(
      'OP_ERR_INPUT',
      `${source.name}: the format is not recognised; name it with --format (${Object.keys(FORMATS).join(', ')})`,
    );
  }
  return format;
}

/** Reads one source file as records or rejections, in file order. */
export async function* readSource(
  source: InputSource,
  format: FormatName | null,
  onBytes?: (rawBytes: number) => void,
): AsyncGenerator<SourceItem> {
  if (format === null) {
    const reason = source.size === 0 ? 'empty file' : 'the format is not recognised';
    yield { ok: false, where: 'file', reason };
    return;
  }
  if (format === 'abs') {
    yield await readAbsFile(source);
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
