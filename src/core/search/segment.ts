/**
 * One segment of the lexical index: an immutable inverted index over a batch of papers. A segment keeps,
 * per document, its stable key (shared with the vector index), its day, its field norms and its paper id;
 * per term (sorted), its posting list — documents with per-field frequency codes — and the largest
 * pseudo-frequency it reaches, for top-k pruning; and, per document, the terms it holds (the forward index),
 * so that deleting the document later can take it out of the collection statistics exactly.
 *
 * Filter terms (`\u0001cat:`, `\u0001au:`) share the dictionary and carry no frequency.
 */
import { categoryName } from '../taxonomy.js';
import { FIELD_COUNT, NORM_LENGTHS, normByte, normFactors, pseudoTf, type LexicalParams } from './bm25.js';
import { GrowableUint32 } from './growable.js';
import { encodePostings, type PostingList } from './postings-codec.js';
import { foldWord, termOf, words } from './tokenize.js';

export interface IndexableDoc {
  id: string;
  title: string;
  abstract: string;
  authors: readonly string[];
  categories: readonly string[];
  /** `YYYY-MM-DD`, for date filters. */
  day: string | null;
}

export const NO_DAY = -2147483648;
const FILTER = '\u0001';
export const categoryTerm = (category: string) => `${FILTER}cat:${category.toLowerCase()}`;
export const authorTerm = (word: string) => `${FILTER}au:${foldWord(word)}`;
export const isFilterTerm = (term: string) => term.startsWith(FILTER);

export function dayNumber(day: string | null): number {
  if (!day) return NO_DAY;
  const time = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(time) ? NO_DAY : Math.floor(time / 86_400_000);
}

/** Words of each author name, for author filters (`author:hinton`). */
function authorWords(authors: readonly string[]): string[] {
  return authors.flatMap((name) => name.split(/[^\p{L}\p{N}'-]+/u)).filter((w) => w.length > 1);
}

function categoryText(categories: readonly string[]): string {
  return categories.map((code) => categoryName(code) ?? code).join(' ');
}

/** The texts of a document's fields, in FIELDS order. */
function fieldTexts(doc: IndexableDoc): string[] {
  return [doc.title, doc.abstract, doc.authors.join(' '), categoryText(doc.categories)];
}

/** Everything a segment holds, as written to its files. */
export interface SegmentParts {
  readonly docCount: number;
  readonly keys: Uint32Array;
  readonly days: Int32Array;
  /** FIELD_COUNT norm bytes per document. */
  readonly norms: Uint8Array;
  readonly ids: readonly string[];
  /** Exact field lengths summed over the segment's documents. */
  readonly lengthSums: Float64Array;
  /** The average field lengths the per-term bounds were computed with. */
  readonly buildAverages: Float64Array;
  /** Frequency code → packed per-field frequencies. */
  readonly tfTable: Uint32Array;
  /** Sorted (JavaScript string order). */
  readonly terms: readonly string[];
  readonly df: Uint32Array;
  /** The largest pseudo-frequency of each term, with the build averages (for top-k bounds). */
  readonly maxPseudo: Float64Array;
  /** Term t's postings are postings[postingOffsets[t] .. postingOffsets[t + 1]). */
  readonly postingOffsets: Float64Array;
  readonly postings: Uint8Array;
  /** Document d's forward entry is forward[forwardOffsets[d] .. forwardOffsets[d + 1]). */
  readonly forwardOffsets: Float64Array;
  readonly forward: Uint8Array;
}

/** The averages a segment's bounds use: its own, at least 1 per field. */
export function segmentAverages(lengthSums: ArrayLike<number>, docs: number): Float64Array {
  const averages = new Float64Array(FIELD_COUNT);
  for (let f = 0; f < FIELD_COUNT; f++)
    averages[f] = Math.max(1, (lengthSums[f] as number) / Math.max(1, docs));
  return averages;
}

/** A forward entry: the document's exact field lengths, then its term ordinals (ascending). */
export interface ForwardEntry {
  lengths: number[];
  ordinals: number[];
}

export function encodeForward(lengths: readonly number[], ordinals: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(FIELD_COUNT * 2 + 5 + ordinals.length * 5);
  let at = 0;
  for (const length of lengths) {
    bytes[at++] = length & 0xff;
    bytes[at++] = length >>> 8;
  }
  const put = (value: number) => {
    while (value >= 0x80) {
      bytes[at++] = (value & 0x7f) | 0x80;
      value = Math.floor(value / 128);
    }
    bytes[at++] = value;
  };
  put(ordinals.length);
  let previous = -1;
  for (const ordinal of ordinals) {
    put(ordinal - previous - 1);
    previous = ordinal;
  }
  return bytes.slice(0, at);
}

export function decodeForward(bytes: Uint8Array): ForwardEntry {
  let at = 0;
  const lengths: number[] = [];
  for (let f = 0; f < FIELD_COUNT; f++) {
    lengths.push((bytes[at] as number) | ((bytes[at + 1] as number) << 8));
    at += 2;
  }
  const get = () => {
    let value = 0;
    let scale = 1;
    let byte = bytes[at++] as number;
    while (byte & 0x80) {
      value += (byte & 0x7f) * scale;
      scale *= 128;
      byte = bytes[at++] as number;
    }
    return value + byte * scale;
  };
  const count = get();
  const ordinals: number[] = [];
  let previous = -1;
  for (let i = 0; i < count; i++) {
    previous += get() + 1;
    ordinals.push(previous);
  }
  return { lengths, ordinals };
}

/** Collects documents in memory and turns them into one segment's parts. */
export class SegmentBuilder {
  private readonly termIds = new Map<string, number>();
  private readonly postingTerms = new GrowableUint32(1 << 16);
  private readonly postingTfs = new GrowableUint32(1 << 16);
  /** Postings of document d are postingTerms[docStarts[d] .. docStarts[d + 1]). */
  private readonly docStarts = new GrowableUint32(1 << 10);
  private readonly keys = new GrowableUint32(1 << 10);
  private readonly days = new GrowableUint32(1 << 10);
  private readonly lengths: number[] = [];
  private readonly ids: string[] = [];
  /** Per term id: the last document that held it, and where its posting of that document is. */
  private lastDoc = new Int32Array(1 << 16).fill(-1);
  private slot = new Uint32Array(1 << 16);
  /**
   * Each word as written → its term id, -1 for a stop word. A plain object, not a Map: V8 looks up
   * string keys of objects several times faster, and this lookup runs for every word of every paper.
   */
  private readonly wordIds: Record<string, number> = Object.create(null) as Record<string, number>;

  constructor(private readonly params: LexicalParams) {
    this.docStarts.push(0);
  }

  get docCount(): number {
    return this.ids.length;
  }

  private idOf(term: string): number {
    let id = this.termIds.get(term);
    if (id === undefined) {
      id = this.termIds.size;
      this.termIds.set(term, id);
      if (id >= this.lastDoc.length) {
        const lastDoc = new Int32Array(this.lastDoc.length * 2).fill(-1);
        lastDoc.set(this.lastDoc);
        this.lastDoc = lastDoc;
        const slot = new Uint32Array(this.slot.length * 2);
        slot.set(this.slot);
        this.slot = slot;
      }
    }
    return id;
  }

  /** The term id of a word as written, or -1 for a stop word. */
  private wordId(word: string): number {
    let id = this.wordIds[word];
    if (id === undefined) {
      const term = termOf(word);
      id = term === null ? -1 : this.idOf(term);
      this.wordIds[word] = id;
    }
    return id;
  }

  /** The posting of term `id` in the document being added (made with no frequencies the first time). */
  private posting(id: number, doc: number): number {
    if (this.lastDoc[id] !== doc) {
      this.lastDoc[id] = doc;
      this.slot[id] = this.postingTerms.length;
      this.postingTerms.push(id);
      this.postingTfs.push(0);
    }
    return this.slot[id] as number;
  }

  /** Adds a document under its stable key; documents are numbered in the order they are added. */
  add(doc: IndexableDoc, key: number): void {
    const number = this.ids.length;
    this.ids.push(doc.id);
    this.keys.push(key);
    this.days.push(dayNumber(doc.day) >>> 0);
    const tfs = this.postingTfs;
    fieldTexts(doc).forEach((text, field) => {
      const unit = 1 << (field * 8);
      let length = 0;
      for (const [word] of words(text)) {
        const id = this.wordId(word);
        if (id < 0) continue;
        length++;
        const at = this.posting(id, number);
        const current = tfs.get(at);
        if (((current >>> (field * 8)) & 0xff) < 0xff) tfs.set(at, (current + unit) >>> 0);
      }
      this.lengths.push(Math.min(length, 0xffff));
    });
    for (const category of doc.categories) this.posting(this.idOf(categoryTerm(category)), number);
    for (const word of authorWords(doc.authors)) this.posting(this.idOf(authorTerm(word)), number);
    this.docStarts.push(this.postingTerms.length);
  }

  finish(): SegmentParts {
    const docCount = this.ids.length;
    const names = [...this.termIds.keys()];
    const order = names
      .map((_, id) => id)
      .sort((a, b) => compareTerms(names[a] as string, names[b] as string));
    const ordinalOf = new Uint32Array(names.length);
    order.forEach((id, ordinal) => (ordinalOf[id] = ordinal));
    const terms = order.map((id) => names[id] as string);

    const termView = this.postingTerms.view();
    const tfView = this.postingTfs.view();
    const starts = this.docStarts.view();
    const tfTable = frequencyTable(tfView);
    const codeOf = new Map<number, number>();
    tfTable.forEach((tf, code) => codeOf.set(tf, code));

    const lengthSums = new Float64Array(FIELD_COUNT);
    const norms = new Uint8Array(docCount * FIELD_COUNT);
    this.lengths.forEach((length, i) => {
      lengthSums[i % FIELD_COUNT]! += length;
      norms[i] = normByte(length);
    });
    const buildAverages = segmentAverages(lengthSums, docCount);
    const factors = normFactors(this.params, buildAverages);

    // Counting sort by ordinal; documents stay ascending within each term.
    const termCount = terms.length;
    const df = new Uint32Array(termCount);
    for (let i = 0; i < termView.length; i++) df[ordinalOf[termView[i] as number] as number]!++;
    const cursor = new Uint32Array(termCount + 1);
    for (let t = 0; t < termCount; t++) cursor[t + 1] = (cursor[t] as number) + (df[t] as number);
    const sortedDocs = new Uint32Array(termView.length);
    const sortedCodes = new Uint16Array(termView.length);
    const maxPseudo = new Float64Array(termCount);
    const forwardParts: Uint8Array[] = [];
    for (let doc = 0; doc < docCount; doc++) {
      const ordinals: number[] = [];
      for (let p = starts[doc] as number; p < (starts[doc + 1] as number); p++) {
        const ordinal = ordinalOf[termView[p] as number] as number;
        ordinals.push(ordinal);
        const at = cursor[ordinal]!++;
        sortedDocs[at] = doc;
        const tf = tfView[p] as number;
        sortedCodes[at] = codeOf.get(tf) as number;
        const pseudo = pseudoTf(factors, tf, norms, doc);
        if (pseudo > (maxPseudo[ordinal] as number)) maxPseudo[ordinal] = pseudo;
      }
      ordinals.sort((a, b) => a - b);
      forwardParts.push(
        encodeForward(this.lengths.slice(doc * FIELD_COUNT, (doc + 1) * FIELD_COUNT), ordinals),
      );
    }

    const out = { bytes: new Uint8Array(Math.max(16, termView.length * 3)) };
    const postingOffsets = new Float64Array(termCount + 1);
    let end = 0;
    let start = 0;
    for (let t = 0; t < termCount; t++) {
      const count = df[t] as number;
      const first = start;
      end = encodePostings(
        sortedDocs.subarray(start, start + count),
        sortedCodes.subarray(start, start + count),
        count,
        out,
        end,
        (i) =>
          pseudoTf(
            factors,
            tfTable[sortedCodes[first + i] as number] as number,
            norms,
            sortedDocs[first + i] as number,
          ),
      );
      start += count;
      postingOffsets[t + 1] = end;
    }
    const { offsets: forwardOffsets, bytes: forward } = concatenate(forwardParts);
    return {
      docCount,
      keys: this.keys.view().slice(),
      days: new Int32Array(this.days.view().slice().buffer),
      norms,
      ids: this.ids,
      lengthSums,
      buildAverages,
      tfTable,
      terms,
      df,
      maxPseudo,
      postingOffsets,
      postings: out.bytes.slice(0, end),
      forwardOffsets,
      forward,
    };
  }
}

/** The order of the term dictionary (JavaScript string order, as binary search compares). */
export function compareTerms(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Distinct packed frequencies, most frequent first, so that most postings get a one-byte code. */
export function frequencyTable(tfs: ArrayLike<number>): Uint32Array {
  const counts = new Map<number, number>();
  for (let i = 0; i < tfs.length; i++) counts.set(tfs[i] as number, (counts.get(tfs[i] as number) ?? 0) + 1);
  const table = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([tf]) => tf);
  if (table.length > 0xffff) throw new Error(`${table.length} distinct term frequencies in one segment`);
  return Uint32Array.from(table);
}

export function concatenate(parts: readonly Uint8Array[]): { offsets: Float64Array; bytes: Uint8Array } {
  const offsets = new Float64Array(parts.length + 1);
  parts.forEach((part, i) => (offsets[i + 1] = (offsets[i] as number) + part.length));
  const bytes = new Uint8Array(offsets[parts.length] as number);
  parts.forEach((part, i) => bytes.set(part, offsets[i] as number));
  return { offsets, bytes };
}

/** A segment as searches read it, wherever its bytes live. */
export interface Segment {
  /** Unique within the index. */
  readonly id: number;
  readonly docCount: number;
  readonly keys: Uint32Array;
  readonly days: Int32Array;
  readonly norms: Uint8Array;
  readonly lengthSums: Float64Array;
  readonly buildAverages: Float64Array;
  readonly tfTable: Uint32Array;
  readonly termCount: number;
  /** The term's ordinal, or -1 when the segment does not have it. */
  ordinal(term: string): number;
  term(ordinal: number): string;
  df(ordinal: number): number;
  maxPseudo(ordinal: number): number;
  postings(ordinal: number): PostingList;
  paperId(doc: number): string;
  /** The segment's document for this paper id, or -1. */
  docOf(paperId: string): number;
}

/** The ordinal of `term` in a sorted term list, or -1. */
export function findTerm(count: number, termAt: (ordinal: number) => string, term: string): number {
  const at = termLowerBound(count, termAt, term);
  return at < count && termAt(at) === term ? at : -1;
}

/** The first ordinal whose term is not before `term` in the sorted dictionary (`count` when none is). */
export function termLowerBound(count: number, termAt: (ordinal: number) => string, term: string): number {
  let low = 0;
  let high = count;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (termAt(mid) < term) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The document length a norm byte stands for (bounds and tests). */
export const normLength = (byte: number) => NORM_LENGTHS[byte] as number;
