/**
 * Lexical segments on disk. Segment N is four immutable files:
 *
 * - `seg-N.lex`: the term dictionary, per-term document frequencies, bounds and posting offsets, and the
 *   per-document keys, days, norms and paper ids — what a reader holds in memory;
 * - `seg-N.post`: the posting lists (postings-codec.ts), read one list at a time when a query needs it and
 *   kept decoded in a shared cache of bounded size, so serving memory does not grow with the corpus;
 * - `seg-N.fwi` and `seg-N.fwd`: the forward index (each document's terms and exact field lengths), which
 *   only the writer reads, when a document of the segment dies.
 *
 * Merging streams: term by term over the inputs' dictionaries, one posting list in memory at a time.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync, fsyncSync, renameSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIELD_COUNT, normFactors, pseudoTf, type LexicalParams } from '../../core/search/bm25.js';
import { encodePostings, PostingList } from '../../core/search/postings-codec.js';
import {
  decodeForward,
  encodeForward,
  segmentAverages,
  type ForwardEntry,
  type Segment,
  type SegmentParts,
} from '../../core/search/segment.js';
import type { SegmentDeletions } from '../../core/search/snapshot.js';
import { TermDictionary } from '../../core/search/term-dictionary.js';
import { readContainer, readFullyAt, temporaryPath, writeContainer, writeFileAtomic } from './container.js';

export const segmentFiles = (id: number) =>
  ['lex', 'post', 'fwi', 'fwd'].map((ext) => `seg-${String(id).padStart(6, '0')}.${ext}`);

const fileOf = (dir: string, id: number, ext: 'lex' | 'post' | 'fwi' | 'fwd') =>
  join(dir, `seg-${String(id).padStart(6, '0')}.${ext}`);

/** Posting lists (their bytes) of every open segment, least recently used evicted past a byte budget. */
export class PostingCache {
  private readonly entries = new Map<string, { postings: PostingList; bytes: number }>();
  private bytes = 0;

  constructor(readonly budget = 256 * 1024 * 1024) {}

  get(key: string): PostingList | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.postings;
  }

  set(key: string, postings: PostingList): void {
    const bytes = postings.bytes.byteLength + 64;
    if (bytes > this.budget / 4) return;
    this.drop(key);
    this.entries.set(key, { postings, bytes });
    this.bytes += bytes;
    while (this.bytes > this.budget) this.drop(this.entries.keys().next().value as string);
  }

  /** Forgets the lists of a segment that is closed. */
  forget(prefix: string): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.drop(key);
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.bytes -= entry.bytes;
    this.entries.delete(key);
  }
}

/** Posting files up to this size are read whole when the segment opens; larger ones list by list. */
const RESIDENT_POSTINGS = 16 * 1024 * 1024;
const decoder = new TextDecoder();

export class FileSegment implements Segment {
  readonly docCount: number;
  readonly keys: Uint32Array;
  readonly days: Int32Array;
  readonly norms: Uint8Array;
  readonly lengthSums: Float64Array;
  readonly buildAverages: Float64Array;
  readonly tfTable: Uint32Array;
  private readonly terms: TermDictionary;
  private readonly dfs: Uint32Array;
  private readonly maxPseudos: Float64Array;
  private readonly postingOffsets: Float64Array;
  private readonly idBytes: Uint8Array;
  private readonly idOffsets: Uint32Array;
  private readonly idOrder: Uint32Array;
  private fd: number | null = null;
  private resident: Buffer | null = null;

  private constructor(
    readonly id: number,
    private readonly dir: string,
    header: Record<string, unknown>,
    sections: Record<string, Uint8Array | Uint32Array | Int32Array | Float64Array>,
    private readonly cache: PostingCache,
  ) {
    this.docCount = header.docCount as number;
    this.lengthSums = Float64Array.from(header.lengthSums as number[]);
    this.buildAverages = Float64Array.from(header.buildAverages as number[]);
    this.keys = sections.keys as Uint32Array;
    this.days = sections.days as Int32Array;
    this.norms = sections.norms as Uint8Array;
    this.tfTable = sections.tfTable as Uint32Array;
    this.terms = new TermDictionary(sections.terms as Uint8Array);
    this.dfs = sections.df as Uint32Array;
    this.maxPseudos = sections.maxPseudo as Float64Array;
    this.postingOffsets = sections.postingOffsets as Float64Array;
    this.idBytes = sections.idBytes as Uint8Array;
    this.idOffsets = sections.idOffsets as Uint32Array;
    this.idOrder = sections.idOrder as Uint32Array;
  }

  static async open(
    dir: string,
    id: number,
    cache: PostingCache,
    residentBytes = RESIDENT_POSTINGS,
  ): Promise<FileSegment> {
    const path = fileOf(dir, id, 'lex');
    const { header, sections } = readContainer(await readFile(path), path);
    const segment = new FileSegment(id, dir, header, sections as never, cache);
    const postPath = fileOf(dir, id, 'post');
    const fd = openSync(postPath, 'r');
    if (fstatSync(fd).size <= residentBytes) {
      closeSync(fd);
      segment.resident = await readFile(postPath);
    } else segment.fd = fd;
    return segment;
  }

  get termCount(): number {
    return this.terms.count;
  }

  ordinal(term: string): number {
    return this.terms.ordinal(term);
  }

  term(ordinal: number): string {
    return this.terms.term(ordinal);
  }

  df(ordinal: number): number {
    return this.dfs[ordinal] as number;
  }

  maxPseudo(ordinal: number): number {
    return this.maxPseudos[ordinal] as number;
  }

  /** The list's bytes, read from disk unless the segment's postings are resident. */
  postingBytes(ordinal: number): Uint8Array {
    const { start, length } = this.postingRange(ordinal);
    if (this.resident) return this.resident.subarray(start, start + length);
    const bytes = Buffer.allocUnsafe(length);
    let read = 0;
    while (read < length) {
      const n = readSync(this.fd as number, bytes, read, length - read, start + read);
      if (n === 0) throw new Error(`${fileOf(this.dir, this.id, 'post')} is truncated`);
      read += n;
    }
    return bytes;
  }

  /**
   * Reads the lists of these terms that are neither resident nor cached into the cache, all at once on
   * libuv's pool, so that a search that then reads them synchronously does not wait for the disk on the
   * event loop.
   */
  async prefetch(terms: readonly string[]): Promise<void> {
    const fd = this.fd;
    if (fd === null) return;
    await Promise.all(
      terms.map(async (term) => {
        const ordinal = this.terms.ordinal(term);
        if (ordinal < 0 || this.cache.get(this.cacheKey(ordinal))) return;
        const { start, length } = this.postingRange(ordinal);
        const bytes = Buffer.allocUnsafe(length);
        await readFullyAt(fd, bytes, start, fileOf(this.dir, this.id, 'post'));
        this.cache.set(this.cacheKey(ordinal), new PostingList(bytes, this.dfs[ordinal] as number));
      }),
    );
  }

  private postingRange(ordinal: number): { start: number; length: number } {
    const start = this.postingOffsets[ordinal] as number;
    return { start, length: (this.postingOffsets[ordinal + 1] as number) - start };
  }

  private cacheKey(ordinal: number): string {
    return `${this.id}:${ordinal}`;
  }

  postings(ordinal: number): PostingList {
    if (this.resident) return new PostingList(this.postingBytes(ordinal), this.dfs[ordinal] as number);
    const key = this.cacheKey(ordinal);
    let found = this.cache.get(key);
    if (!found) {
      found = new PostingList(this.postingBytes(ordinal), this.dfs[ordinal] as number);
      this.cache.set(key, found);
    }
    return found;
  }

  paperId(doc: number): string {
    return decoder.decode(
      this.idBytes.subarray(this.idOffsets[doc] as number, this.idOffsets[doc + 1] as number),
    );
  }

  /** Binary search over the ids in byte order, comparing bytes without decoding them. */
  docOf(paperId: string): number {
    const wanted = Buffer.from(paperId);
    const ids = Buffer.from(this.idBytes.buffer, this.idBytes.byteOffset, this.idBytes.byteLength);
    let low = 0;
    let high = this.docCount;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const doc = this.idOrder[mid] as number;
      const order = ids.compare(wanted, 0, wanted.length, this.idOffsets[doc], this.idOffsets[doc + 1]);
      if (order === 0) return doc;
      if (order < 0) low = mid + 1;
      else high = mid;
    }
    return -1;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.cache.forget(`${this.id}:`);
  }
}

/** Reads forward entries of one segment (the writer's side). */
export class ForwardReader {
  private readonly offsets: Float64Array;
  private readonly fd: number;

  constructor(dir: string, id: number) {
    const indexPath = fileOf(dir, id, 'fwi');
    const { sections } = readContainer(readFileSyncBuffer(indexPath), indexPath);
    this.offsets = sections.offsets as Float64Array;
    this.fd = openSync(fileOf(dir, id, 'fwd'), 'r');
  }

  entry(doc: number): ForwardEntry {
    const start = this.offsets[doc] as number;
    const length = (this.offsets[doc + 1] as number) - start;
    const bytes = Buffer.allocUnsafe(length);
    let read = 0;
    while (read < length) read += readSync(this.fd, bytes, read, length - read, start + read);
    return decodeForward(bytes);
  }

  close(): void {
    closeSync(this.fd);
  }
}

function readFileSyncBuffer(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const bytes = Buffer.allocUnsafe(size);
    let read = 0;
    while (read < size) read += readSync(fd, bytes, read, size - read, read);
    return bytes;
  } finally {
    closeSync(fd);
  }
}

const encoder = new TextEncoder();

function idSections(ids: readonly string[]) {
  const encoded = ids.map((id) => encoder.encode(id));
  const idOffsets = new Uint32Array(ids.length + 1);
  encoded.forEach((bytes, i) => (idOffsets[i + 1] = (idOffsets[i] as number) + bytes.length));
  const idBytes = new Uint8Array(idOffsets[ids.length] as number);
  encoded.forEach((bytes, i) => idBytes.set(bytes, idOffsets[i] as number));
  const idOrder = Uint32Array.from(ids.keys()).sort((a, b) =>
    Buffer.compare(encoded[a] as Uint8Array, encoded[b] as Uint8Array),
  );
  return { idBytes, idOffsets, idOrder };
}

function writeLex(
  dir: string,
  id: number,
  parts: Omit<SegmentParts, 'postings' | 'forward' | 'forwardOffsets'>,
): void {
  writeContainer(
    fileOf(dir, id, 'lex'),
    {
      id,
      docCount: parts.docCount,
      lengthSums: [...parts.lengthSums],
      buildAverages: [...parts.buildAverages],
    },
    {
      keys: parts.keys,
      days: parts.days,
      norms: parts.norms,
      tfTable: parts.tfTable,
      terms: encoder.encode(parts.terms.join('\n')),
      df: parts.df,
      maxPseudo: parts.maxPseudo,
      postingOffsets: parts.postingOffsets,
      ...idSections(parts.ids),
    },
  );
}

/** Writes a segment built in memory; the dictionary file comes last, so a half-written segment never opens. */
export function writeSegment(dir: string, id: number, parts: SegmentParts): void {
  writeFileAtomic(fileOf(dir, id, 'post'), [parts.postings]);
  writeFileAtomic(fileOf(dir, id, 'fwd'), [parts.forward]);
  writeContainer(fileOf(dir, id, 'fwi'), {}, { offsets: parts.forwardOffsets });
  writeLex(dir, id, parts);
}

/** Appends to a file through a buffer, then flushes and renames it into place. */
class AppendFile {
  private readonly fd: number;
  private buffer = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  written = 0;

  constructor(private readonly path: string) {
    this.fd = openSync(temporaryPath(path), 'w');
  }

  append(bytes: Uint8Array): void {
    if (this.used + bytes.length > this.buffer.length) this.flush();
    if (bytes.length > this.buffer.length) writeSync(this.fd, bytes);
    else {
      this.buffer.set(bytes, this.used);
      this.used += bytes.length;
    }
    this.written += bytes.length;
  }

  private flush(): void {
    let at = 0;
    while (at < this.used) at += writeSync(this.fd, this.buffer, at, this.used - at);
    this.used = 0;
  }

  finish(): void {
    this.flush();
    fsyncSync(this.fd);
    closeSync(this.fd);
    renameSync(temporaryPath(this.path), this.path);
  }

  abandon(): void {
    closeSync(this.fd);
  }
}

export interface MergeInput {
  segment: FileSegment;
  /** Whether the document was live when the merge began. */
  live: (doc: number) => boolean;
  deletions: SegmentDeletions;
}

export interface MergeResult {
  docCount: number;
  /** For each new document: the input it came from (by position) and its number there. */
  sources: { input: Uint32Array; doc: Uint32Array };
  keys: Uint32Array;
}

/**
 * Merges segments into a new one, keeping their live documents in order. `pause` is awaited now and then,
 * so that the caller can go on with other work while a large merge runs.
 */
export async function mergeSegments(
  dir: string,
  id: number,
  inputs: readonly MergeInput[],
  params: LexicalParams,
  pause: () => Promise<void>,
): Promise<MergeResult> {
  // New document numbers: the inputs' live documents, in order.
  const remaps = inputs.map(({ segment }) => new Int32Array(segment.docCount).fill(-1));
  const sourceInput: number[] = [];
  const sourceDoc: number[] = [];
  inputs.forEach(({ segment, live }, input) => {
    for (let doc = 0; doc < segment.docCount; doc++) {
      if (!live(doc)) continue;
      (remaps[input] as Int32Array)[doc] = sourceInput.length;
      sourceInput.push(input);
      sourceDoc.push(doc);
    }
  });
  const docCount = sourceInput.length;
  const keys = new Uint32Array(docCount);
  const days = new Int32Array(docCount);
  const norms = new Uint8Array(docCount * FIELD_COUNT);
  const ids: string[] = [];
  for (let doc = 0; doc < docCount; doc++) {
    const { segment } = inputs[sourceInput[doc] as number] as MergeInput;
    const from = sourceDoc[doc] as number;
    keys[doc] = segment.keys[from] as number;
    days[doc] = segment.days[from] as number;
    norms.set(segment.norms.subarray(from * FIELD_COUNT, (from + 1) * FIELD_COUNT), doc * FIELD_COUNT);
    ids.push(segment.paperId(from));
  }
  const lengthSums = new Float64Array(FIELD_COUNT);
  for (const { segment, deletions } of inputs) {
    for (let f = 0; f < FIELD_COUNT; f++) {
      lengthSums[f]! += (segment.lengthSums[f] as number) - (deletions.lengthSums[f] as number);
    }
  }
  const buildAverages = segmentAverages(lengthSums, docCount);
  const factors = normFactors(params, buildAverages);

  // The frequency table: the largest input's, then what the others add.
  const tfTable: number[] = [];
  const codeOf = new Map<number, number>();
  const byDocs = [...inputs].sort((a, b) => b.segment.docCount - a.segment.docCount);
  for (const { segment } of byDocs) {
    for (const tf of segment.tfTable) {
      if (!codeOf.has(tf)) {
        codeOf.set(tf, tfTable.length);
        tfTable.push(tf);
      }
    }
  }
  const codeMaps = inputs.map(({ segment }) =>
    Uint16Array.from(segment.tfTable, (tf) => codeOf.get(tf) as number),
  );

  const postingsFile = new AppendFile(fileOf(dir, id, 'post'));
  const forwardFile = new AppendFile(fileOf(dir, id, 'fwd'));
  try {
    const terms: string[] = [];
    const df: number[] = [];
    const maxPseudo: number[] = [];
    const postingOffsets: number[] = [0];
    const ordinalMaps = inputs.map(({ segment }) => new Uint32Array(segment.termCount).fill(0xffffffff));
    const positions = inputs.map(() => 0);
    const out = { bytes: new Uint8Array(1 << 16) };
    let docs = new Uint32Array(1 << 12);
    let codes = new Uint16Array(1 << 12);
    let lastPause = performance.now();
    for (;;) {
      let term: string | null = null;
      inputs.forEach(({ segment }, input) => {
        const at = positions[input] as number;
        if (at < segment.termCount) {
          const candidate = segment.term(at);
          if (term === null || candidate < term) term = candidate;
        }
      });
      if (term === null) break;
      // Gather the term's live postings from each input, in the new numbering (ascending across inputs).
      let count = 0;
      let best = 0;
      inputs.forEach(({ segment }, input) => {
        const at = positions[input] as number;
        if (at >= segment.termCount || segment.term(at) !== term) return;
        positions[input] = at + 1;
        const list = new PostingList(segment.postingBytes(at), segment.df(at)).decodeAll();
        const remap = remaps[input] as Int32Array;
        const codeMap = codeMaps[input] as Uint16Array;
        if (count + list.docs.length > docs.length) {
          const size = Math.max(docs.length * 2, count + list.docs.length);
          const grownDocs = new Uint32Array(size);
          grownDocs.set(docs.subarray(0, count));
          docs = grownDocs;
          const grownCodes = new Uint16Array(size);
          grownCodes.set(codes.subarray(0, count));
          codes = grownCodes;
        }
        let kept = false;
        for (let p = 0; p < list.docs.length; p++) {
          const doc = remap[list.docs[p] as number] as number;
          if (doc < 0) continue;
          const code = codeMap[list.codes[p] as number] as number;
          docs[count] = doc;
          codes[count++] = code;
          const pseudo = pseudoTf(factors, tfTable[code] as number, norms, doc);
          if (pseudo > best) best = pseudo;
          kept = true;
        }
        if (kept) (ordinalMaps[input] as Uint32Array)[at] = terms.length;
      });
      if (count === 0) continue;
      const end = encodePostings(docs, codes, count, out, 0, (i) =>
        pseudoTf(factors, tfTable[codes[i] as number] as number, norms, docs[i] as number),
      );
      postingsFile.append(out.bytes.subarray(0, end));
      terms.push(term);
      df.push(count);
      maxPseudo.push(best);
      postingOffsets.push(postingsFile.written);
      if (performance.now() - lastPause > 20) {
        await pause();
        lastPause = performance.now();
      }
    }

    // The forward index, in the new term ordinals.
    const forwardOffsets = new Float64Array(docCount + 1);
    const readers = inputs.map(({ segment }) => new ForwardReader(dir, segment.id));
    try {
      for (let doc = 0; doc < docCount; doc++) {
        const input = sourceInput[doc] as number;
        const entry = (readers[input] as ForwardReader).entry(sourceDoc[doc] as number);
        const map = ordinalMaps[input] as Uint32Array;
        const ordinals = entry.ordinals.map((o) => map[o] as number).sort((a, b) => a - b);
        const bytes = encodeForward(entry.lengths, ordinals);
        forwardFile.append(bytes);
        forwardOffsets[doc + 1] = forwardFile.written;
        if (doc % 4096 === 0 && performance.now() - lastPause > 20) {
          await pause();
          lastPause = performance.now();
        }
      }
    } finally {
      for (const reader of readers) reader.close();
    }
    postingsFile.finish();
    forwardFile.finish();
    writeContainer(fileOf(dir, id, 'fwi'), {}, { offsets: forwardOffsets });
    writeLex(dir, id, {
      docCount,
      keys,
      days,
      norms,
      ids,
      lengthSums,
      buildAverages,
      tfTable: Uint32Array.from(tfTable),
      terms,
      df: Uint32Array.from(df),
      maxPseudo: Float64Array.from(maxPseudo),
      postingOffsets: Float64Array.from(postingOffsets),
    });
    return {
      docCount,
      sources: { input: Uint32Array.from(sourceInput), doc: Uint32Array.from(sourceDoc) },
      keys,
    };
  } catch (error) {
    postingsFile.abandon();
    forwardFile.abandon();
    throw error;
  }
}
