/**
 * Top-k retrieval over a snapshot of the segmented index. Pure OR queries run MaxScore in each segment:
 * lists whose best possible contribution cannot lift a document into the current top k are only probed,
 * never walked. Queries with required terms walk the shortest required list and probe the rest. The top k
 * is shared by all segments, so later segments are pruned by what earlier ones found.
 *
 * Scores are integers (bm25.SCORE_SCALE) until they leave this module; ties go to the smaller key, so the
 * ranking of a set of papers is the same whatever its segmentation.
 */
import { type Bm25Scorer, FIELD_COUNT, FIELDS, fieldTf, idf, pseudoTf, SCORE_SCALE } from './bm25.js';
import { BLOCK, type PostingList } from './postings-codec.js';
import type { Query } from './query.js';
import { authorTerm, categoryTerm, dayNumber, NO_DAY, type Segment } from './segment.js';
import type { LexicalSnapshot } from './snapshot.js';
import { analyze } from './tokenize.js';

export interface LexicalHit {
  key: number;
  score: number;
}

export interface LexicalOptions {
  k: number;
  /** Inclusive `YYYY-MM-DD` bounds. */
  from?: string | null;
  to?: string | null;
  /** Extra category filter (any of these), besides the query's own `category:`. */
  categories?: readonly string[];
  /** Today, for `since:` (`YYYY-MM-DD`). */
  today: string;
}

/** The query against one snapshot: weighted scoring terms, required and excluded terms, filters. */
export interface ResolvedQuery {
  /** Terms that some live document holds, with their idf and weight (how often the query names them). */
  scoring: { term: string; idf: number; count: number }[];
  required: string[];
  excluded: string[];
  /** Any one of these (category filters); empty means no category filter. */
  anyOf: string[];
  fromDay: number;
  toDay: number;
  /** A required word or filter matches nothing in this snapshot. */
  impossible: boolean;
}

export function resolveQuery(
  snapshot: LexicalSnapshot,
  query: Query,
  options: Omit<LexicalOptions, 'k'>,
): ResolvedQuery {
  const counts = new Map<string, number>();
  const required: string[] = [];
  const excluded: string[] = [];
  let impossible = false;
  const known = new Map<string, number>();
  const df = (term: string) => {
    let value = known.get(term);
    if (value === undefined) known.set(term, (value = snapshot.df(term)));
    return value;
  };

  for (const clause of query.clauses) {
    const terms = analyze(clause.words.join(' '));
    if (clause.occur === 'mustNot') {
      // An excluded phrase is checked on the text by the caller; an excluded word is excluded here.
      if (clause.kind === 'word') excluded.push(...terms.filter((term) => df(term) > 0));
      continue;
    }
    for (const term of terms) {
      if (df(term) === 0) {
        if (clause.occur === 'must') impossible = true;
        continue;
      }
      counts.set(term, (counts.get(term) ?? 0) + 1);
      if (clause.occur === 'must') required.push(term);
    }
  }
  for (const author of query.authors) {
    for (const word of author.split(/\s+/).filter(Boolean)) {
      const term = authorTerm(word);
      if (df(term) === 0) impossible = true;
      else required.push(term);
    }
  }
  const categories = [...query.categories, ...(options.categories ?? [])].map(categoryTerm);
  const anyOf = categories.filter((term) => df(term) > 0);
  if (categories.length > 0 && anyOf.length === 0) impossible = true;

  let fromDay = options.from ? dayNumber(options.from) : NO_DAY;
  if (query.sinceDays !== null) fromDay = Math.max(fromDay, dayNumber(options.today) - query.sinceDays + 1);
  const toDay = options.to ? dayNumber(options.to) : 2147483647;
  const docs = snapshot.docCount;
  const scoring = [...counts].map(([term, count]) => ({ term, idf: idf(df(term), docs), count }));
  return { scoring, required, excluded, anyOf, fromDay, toDay, impossible };
}

/** A cursor over one posting list, a block decoded at a time; documents are visited in increasing order. */
class Cursor {
  /** The current document: -1 before the first seek, Infinity past the end. */
  doc = -1;
  private readonly docs = new Uint32Array(BLOCK);
  private readonly codes = new Uint16Array(BLOCK);
  private block = -1;
  private length = 0;
  private at = 0;
  /** The table that keeps this cursor's contributions by code and norm (Cursor.contributionOf). */
  private table: ContributionTable = UNCACHED;

  constructor(
    readonly list: PostingList,
    /** The term's idf (0 for lists that only filter). */
    readonly idf: number,
    /** How often the query names the term. */
    readonly count: number,
    /** The most it adds to a document of the segment. */
    readonly bound: number,
    /** A block's bound from its largest pseudo-frequency (null for lists that only filter). */
    private readonly boundOf: ((maxPseudo: number) => number) | null,
  ) {}

  private load(block: number): void {
    this.block = block;
    if (block >= this.list.blocks) {
      this.doc = Infinity;
      return;
    }
    this.length = this.list.decodeBlock(block, this.docs, this.codes);
    this.at = 0;
    this.doc = this.docs[0] as number;
  }

  /**
   * The most the list adds to a document from `start` to `end`: the largest bound of the blocks that
   * overlap them, from the skip table; -1 once the list has no document from `start` on.
   */
  windowBound(start: number, end: number): number {
    const { list } = this;
    let block = this.shallow(start);
    if (block >= list.blocks) return -1;
    // A bound grows with the pseudo-frequency, so the largest one is converted, not each block's.
    let maxPseudo = 0;
    do {
      maxPseudo = Math.max(maxPseudo, list.blockMaxPseudo(block));
    } while (list.lastDoc(block++) < end && block < list.blocks);
    return this.boundOfPseudo(maxPseudo);
  }

  /** Moves to the first document at or after `target`; returns it (Infinity at the end). */
  seek(target: number): number {
    if (this.doc >= target) return this.doc;
    if (this.block < 0 || target > this.list.lastDoc(this.block)) {
      this.load(this.list.blockFor(target, this.block + 1));
      if (this.doc >= target) return this.doc;
    }
    // Probes mostly move a few postings on: a few steps forward, then a binary search. The block's last
    // document is at or after the target, so the steps stay in the block.
    const { docs } = this;
    let low = this.at;
    for (let steps = 0; steps < 8; steps++, low++) {
      if ((docs[low] as number) >= target) {
        this.at = low;
        return (this.doc = docs[low] as number);
      }
    }
    let high = this.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.docs[mid] as number) < target) low = mid + 1;
      else high = mid;
    }
    this.at = low;
    this.doc = this.docs[low] as number;
    return this.doc;
  }

  /** The block that holds `target` or comes after it, found in the skip table without decoding anything. */
  shallow(target: number): number {
    if (this.block >= 0 && this.block < this.list.blocks && target <= this.list.lastDoc(this.block)) {
      return this.block;
    }
    return this.list.blockFor(target, Math.max(0, this.block));
  }

  /**
   * Adds the term's contribution to each of its documents from the current one up to `end` into `scores`
   * (indexed from `start`), marking each in `found`, and moves past them: the inner loop of a window,
   * over the decoded block without a call per posting.
   */
  addUpTo(
    end: number,
    start: number,
    scores: Float64Array,
    found: Int32Array,
    scoring: SegmentScoring,
  ): void {
    const { docs, codes } = this;
    const { norms, singleField } = scoring;
    const { values, stamps, stamp } = this.table;
    while (this.doc <= end) {
      const length = this.length;
      let at = this.at;
      for (; at < length; at++) {
        const doc = docs[at] as number;
        if (doc > end) break;
        // Cursor.contributionOf, with its table lookup written out for the hottest loop.
        const code = codes[at] as number;
        const field = code < CACHED_CODES ? (singleField[code] as number) : -1;
        const key = field < 0 ? -1 : (code << 8) | (norms[doc * FIELD_COUNT + field] as number);
        const contribution =
          key >= 0 && stamps[key] === stamp
            ? (values[key] as number)
            : this.contributionOf(code, doc, scoring);
        const slot = doc - start;
        const word = slot >>> 5;
        const bit = 1 << (slot & 31);
        if ((found[word] as number) & bit) scores[slot]! += contribution;
        else {
          found[word] = (found[word] as number) | bit;
          scores[slot] = contribution;
        }
      }
      if (at < length) {
        this.at = at;
        this.doc = docs[at] as number;
        return;
      }
      this.load(this.block + 1);
    }
  }

  /** The term's contribution to the current document. */
  contribution(scoring: SegmentScoring): number {
    return this.contributionOf(this.codes[this.at] as number, this.doc, scoring);
  }

  /**
   * The term's contribution to a document with these per-field frequencies. Most postings have one of a
   * few codes, for a frequency in one field only, so those contributions are kept by code and that field's
   * norm as they are met: a posting then costs a lookup rather than BM25's arithmetic.
   */
  private contributionOf(code: number, doc: number, scoring: SegmentScoring): number {
    const field = code < CACHED_CODES && this.table !== UNCACHED ? (scoring.singleField[code] as number) : -1;
    if (field < 0) return this.computed(code, doc, scoring);
    const key = (code << 8) | (scoring.norms[doc * FIELD_COUNT + field] as number);
    const { values, stamps, stamp } = this.table;
    if (stamps[key] === stamp) return values[key] as number;
    stamps[key] = stamp;
    return (values[key] = this.computed(code, doc, scoring));
  }

  /** BM25's arithmetic for one posting, which contributionOf keeps what it can of. */
  private computed(code: number, doc: number, { scorer, tfTable, norms }: SegmentScoring): number {
    return (
      scorer.contribution(pseudoTf(scorer.factors, tfTable[code] as number, norms, doc), this.idf) *
      this.count
    );
  }

  /** Gives the cursor a table of its own, with a fresh stamp, until its ranking next pauses. */
  keepContributionsIn(table: ContributionTable): void {
    this.table = table;
    table.stamp = nextStamp();
  }

  /** The most the term adds to a document whose pseudo-frequency is at most `maxPseudo`. */
  private boundOfPseudo(maxPseudo: number): number {
    return (this.boundOf as (maxPseudo: number) => number)(maxPseudo) * this.count;
  }
}

/** Codes below this many have their contributions kept per cursor (see Cursor.contributionOf). */
const CACHED_CODES = 16;

/**
 * Contributions by code and norm; an entry holds a value only where its stamp is the table's, so that a
 * table passes from one cursor to the next without being cleared.
 */
interface ContributionTable {
  readonly values: Float64Array;
  readonly stamps: Uint32Array;
  stamp: number;
}

const newTable = (): ContributionTable => ({
  values: new Float64Array(CACHED_CODES << 8),
  stamps: new Uint32Array(CACHED_CODES << 8),
  stamp: 0,
});
/** A cursor's table until a ranking gives it one: its entries never match its stamp, and none is written. */
const UNCACHED: ContributionTable = { ...newTable(), stamps: new Uint32Array(CACHED_CODES << 8).fill(1) };
/**
 * Tables for the scoring lists of the segment being ranked, shared by every ranking: one that pauses takes
 * them afresh when it goes on (searchSegment).
 */
const CONTRIBUTION_TABLES: ContributionTable[] = [];
let lastStamp = 0;

function nextStamp(): number {
  if (lastStamp === 0xffffffff) {
    for (const table of CONTRIBUTION_TABLES) table.stamps.fill(0);
    lastStamp = 0;
  }
  return ++lastStamp;
}

/** What scoring a segment's postings needs: the snapshot's scorer and the segment's tables. */
interface SegmentScoring {
  readonly scorer: Bm25Scorer;
  readonly tfTable: Uint32Array;
  readonly norms: Uint8Array;
  /** For each of the first CACHED_CODES codes, the one field it has a frequency in; -1 for several. */
  readonly singleField: Int8Array;
}

const singleFields = new WeakMap<Uint32Array, Int8Array>();

function segmentScoring(scorer: Bm25Scorer, segment: Segment): SegmentScoring {
  const { tfTable, norms } = segment;
  let singleField = singleFields.get(tfTable);
  if (!singleField) {
    singleField = new Int8Array(CACHED_CODES).fill(-1);
    for (let code = 0; code < Math.min(CACHED_CODES, tfTable.length); code++) {
      const fields = FIELDS.map((_, field) => field).filter(
        (field) => fieldTf(tfTable[code] as number, field) > 0,
      );
      if (fields.length === 1) singleField[code] = fields[0] as number;
    }
    singleFields.set(tfTable, singleField);
  }
  return { scorer, tfTable, norms, singleField };
}

/** A bounded heap of the best hits so far: higher score first, then the smaller key. */
export class TopK {
  private readonly hits: LexicalHit[] = [];
  constructor(private readonly k: number) {}

  get full(): boolean {
    return this.hits.length >= this.k;
  }

  /** The score a document must reach (a tie is decided by key); -1 while there is room. */
  get threshold(): number {
    return this.full ? (this.hits[0] as LexicalHit).score : -1;
  }

  /** Offers a document; one already held is not taken twice (the disjunction meets primed documents again). */
  offer(key: number, score: number): void {
    if (this.k <= 0 || this.hits.some((hit) => hit.key === key)) return;
    if (this.hits.length < this.k) {
      this.hits.push({ key, score });
      this.up(this.hits.length - 1);
    } else if (worse(this.hits[0] as LexicalHit, key, score)) {
      this.hits[0] = { key, score };
      this.down(0);
    }
  }

  sorted(): LexicalHit[] {
    return [...this.hits].sort((a, b) => b.score - a.score || a.key - b.key);
  }

  private up(i: number): void {
    const h = this.hits;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent] as LexicalHit;
      if (!worse(h[i] as LexicalHit, p.key, p.score)) return;
      [h[parent], h[i]] = [h[i] as LexicalHit, p];
      i = parent;
    }
  }

  private down(i: number): void {
    const h = this.hits;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      for (const child of [left, right]) {
        const c = h[child];
        if (c && worse(c, (h[worst] as LexicalHit).key, (h[worst] as LexicalHit).score)) worst = child;
      }
      if (worst === i) return;
      [h[worst], h[i]] = [h[i] as LexicalHit, h[worst] as LexicalHit];
      i = worst;
    }
  }
}

/** Whether `hit` ranks below a document with this key and score. */
function worse(hit: LexicalHit, key: number, score: number): boolean {
  return hit.score < score || (hit.score === score && hit.key > key);
}

/** Lists of one segment for a resolved query; null when the segment cannot match. */
function segmentLists(snapshot: LexicalSnapshot, position: number, resolved: ResolvedQuery) {
  const segment = snapshot.segments[position] as Segment;
  const scoring: Cursor[] = [];
  for (const { term, idf, count } of resolved.scoring) {
    const ordinal = segment.ordinal(term);
    if (ordinal < 0) continue;
    const boundOf = (maxPseudo: number) => snapshot.scorer.bound(maxPseudo, segment.buildAverages, idf);
    const bound = boundOf(segment.maxPseudo(ordinal)) * count;
    scoring.push(new Cursor(segment.postings(ordinal), idf, count, bound, boundOf));
  }
  const filter = (term: string) => {
    const ordinal = segment.ordinal(term);
    return ordinal < 0 ? null : new Cursor(segment.postings(ordinal), 0, 0, 0, null);
  };
  const required: Cursor[] = [];
  for (const term of resolved.required) {
    const list = filter(term);
    if (!list) return null;
    required.push(list);
  }
  const present = (list: Cursor | null): list is Cursor => list !== null;
  const excluded = resolved.excluded.map(filter).filter(present);
  const categories = resolved.anyOf.map(filter).filter(present);
  if (resolved.anyOf.length > 0 && categories.length === 0) return null;
  return { segment, scoring, required, excluded, categories };
}

export function lexicalSearch(
  snapshot: LexicalSnapshot,
  query: Query,
  options: LexicalOptions,
): LexicalHit[] {
  return searchResolved(snapshot, resolveQuery(snapshot, query, options), options.k);
}

/** Top-k for a query already resolved against this snapshot (a parsed query, or terms picked from a paper). */
export function searchResolved(snapshot: LexicalSnapshot, resolved: ResolvedQuery, k: number): LexicalHit[] {
  if (resolved.impossible || resolved.scoring.length === 0) return [];
  const top = new TopK(k);
  prime(snapshot, resolved, top);
  for (let position = 0; position < snapshot.segments.length; position++) {
    const steps = searchSegment(snapshot, position, resolved, top);
    while (!steps.next(false).done);
  }
  return scaled(top);
}

/** When a ranking that may pause does: `due` says whether it has run long enough, `pause` awaits a turn. */
export interface Pausing {
  pause(): Promise<void>;
  due(): boolean;
}

/**
 * The same ranking as `searchResolved`, pausing between segments, and within a segment between windows once
 * `due`: the caller's event loop is never held for more than a window past that, however long the query
 * (a pasted abstract of common words ranked for 130 ms in one segment of a million papers). Pausing between
 * segments also lets a caller whose other half of a search waits on another thread (a query's vector, then
 * its graph walk) take that reply in and pass it on while the keywords rank, instead of after.
 */
export async function searchResolvedPausing(
  snapshot: LexicalSnapshot,
  resolved: ResolvedQuery,
  k: number,
  { pause, due }: Pausing,
): Promise<LexicalHit[]> {
  if (resolved.impossible || resolved.scoring.length === 0) return [];
  const top = new TopK(k);
  prime(snapshot, resolved, top);
  for (let position = 0; position < snapshot.segments.length; position++) {
    if (position > 0) await pause();
    const steps = searchSegment(snapshot, position, resolved, top);
    let paused = false;
    while (!steps.next(paused).done) {
      paused = due();
      if (paused) await pause();
    }
  }
  return scaled(top);
}

const scaled = (top: TopK): LexicalHit[] =>
  top.sorted().map((hit) => ({ key: hit.key, score: hit.score / SCORE_SCALE }));

/**
 * One segment's part of a ranking, a step at a time: it yields between windows (and every WINDOW documents
 * of a required list), where its scratch is clear, and is told on resuming whether it paused there. Another
 * ranking may then have used the shared contribution tables, so its lists take them afresh.
 */
function* searchSegment(
  snapshot: LexicalSnapshot,
  position: number,
  resolved: ResolvedQuery,
  top: TopK,
): Generator<void, void, boolean> {
  const lists = segmentLists(snapshot, position, resolved);
  if (!lists || lists.scoring.length === 0) return;
  const { segment, scoring, required } = lists;
  const segmentTables = segmentScoring(snapshot.scorer, segment);
  const takeTables = () => takeContributionTables(scoring);
  takeTables();
  let threshold = top.threshold;
  const offerIfPasses = offerer(snapshot, position, resolved, lists, top);
  const offer = (doc: number, score: number) => {
    if (score > 0 && score >= threshold) {
      offerIfPasses(doc, score);
      threshold = top.threshold;
    }
  };

  // Lists in increasing order of their bound; bounds[i] = the most lists 0..i can add together.
  scoring.sort((a, b) => a.bound - b.bound);
  const n = scoring.length;
  const bounds = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) bounds[i] = sum += (scoring[i] as Cursor).bound;

  if (required.length > 0) {
    required.sort((a, b) => a.list.count - b.list.count);
    const [driver, ...others] = required as [Cursor, ...Cursor[]];
    let steps = 0;
    for (let doc = driver.seek(0); doc !== Infinity; doc = driver.seek(doc + 1)) {
      if (++steps % WINDOW === 0 && (yield)) takeTables();
      if (!others.every((list) => list.seek(doc) === doc)) continue;
      let score = 0;
      for (let i = n - 1; i >= 0; i--) {
        if (score + (bounds[i] as number) < threshold) break;
        const list = scoring[i] as Cursor;
        if (list.seek(doc) === doc) score += list.contribution(segmentTables);
      }
      offer(doc, score);
    }
    return;
  }

  // Block-max MaxScore over windows of WINDOW documents, as Lucene scores disjunctions. In each window a
  // list's bound is the largest of its blocks there (read from the skip table, nothing decoded), and the
  // lists are partitioned by those bounds: the weakest ones, whose bounds together stay below the
  // threshold, are non-essential — a document holding only those cannot enter the top k — and are only
  // probed. A window whose lists cannot reach the threshold together is passed over. The essential lists'
  // postings in a window are added up term at a time into an array, and each document found is then
  // completed from the non-essential lists, strongest first, until what is left cannot lift it.
  const windowBound = new Float64Array(n);
  const order = new Int32Array(n);
  const reach = new Float64Array(n);
  const scores = WINDOW_SCORES;
  const found = WINDOW_FOUND;
  let windowStart = 0;
  while ((bounds[n - 1] as number) >= threshold) {
    if (windowStart > 0 && (yield)) takeTables();
    const windowEnd = windowStart + WINDOW - 1;
    let total = 0;
    let more = false;
    for (let i = 0; i < n; i++) {
      const bound = (scoring[i] as Cursor).windowBound(windowStart, windowEnd);
      windowBound[i] = bound;
      if (bound >= 0) {
        total += bound;
        more = true;
      }
    }
    if (!more) break;
    if (total < threshold) {
      windowStart = windowEnd + 1;
      continue;
    }
    // Lists by their bound here, weakest first; reach[j]: the most lists order[0..j] can add together.
    for (let i = 0; i < n; i++) {
      let j = i;
      while (j > 0 && (windowBound[order[j - 1] as number] as number) > (windowBound[i] as number)) {
        order[j] = order[j - 1] as number;
        j--;
      }
      order[j] = i;
    }
    let sum = 0;
    let essential = n;
    for (let j = 0; j < n; j++) {
      sum += Math.max(0, windowBound[order[j] as number] as number);
      reach[j] = sum;
      if (essential === n && sum >= threshold) essential = j;
    }
    for (let j = essential; j < n; j++) {
      const list = scoring[order[j] as number] as Cursor;
      list.seek(windowStart);
      list.addUpTo(windowEnd, windowStart, scores, found, segmentTables);
    }
    for (let word = 0; word < WINDOW / 32; word++) {
      let bits = found[word] as number;
      if (bits === 0) continue;
      found[word] = 0;
      while (bits !== 0) {
        const low = bits & -bits;
        bits ^= low;
        const at = (word << 5) | (31 - Math.clz32(low));
        const doc = windowStart + at;
        let score = scores[at] as number;
        for (let j = essential - 1; j >= 0; j--) {
          if (score + (reach[j] as number) < threshold) break;
          const list = scoring[order[j] as number] as Cursor;
          if (list.seek(doc) === doc) score += list.contribution(segmentTables);
        }
        if (score >= threshold) offer(doc, score);
      }
    }
    windowStart = windowEnd + 1;
  }
}

/**
 * Offers a segment's document that passes the query's filters (dates, excluded words, categories, not
 * deleted) to the top k. Its cursors only move forward: documents must come in increasing order.
 */
function offerer(
  snapshot: LexicalSnapshot,
  position: number,
  resolved: ResolvedQuery,
  { segment, excluded, categories }: NonNullable<ReturnType<typeof segmentLists>>,
  top: TopK,
): (doc: number, score: number) => void {
  const { keys, days } = segment;
  const datesFiltered = resolved.fromDay !== NO_DAY || resolved.toDay !== 2147483647;
  return (doc, score) => {
    if (datesFiltered) {
      const day = days[doc] as number;
      if (day === NO_DAY || day < resolved.fromDay || day > resolved.toDay) return;
    }
    for (const list of excluded) if (list.seek(doc) === doc) return;
    if (categories.length > 0 && !categories.some((list) => list.seek(doc) === doc)) return;
    if (snapshot.isLive(position, doc)) top.offer(keys[doc] as number, score);
  };
}

const takeContributionTables = (scoring: readonly Cursor[]): void =>
  scoring.forEach((list, i) => list.keepContributionsIn((CONTRIBUTION_TABLES[i] ??= newTable())));

/**
 * Before a disjunction is ranked, the documents of its most selective list in each segment are scored in
 * full where that list is short: a query's rarest words are where its best matches are, so the top k starts
 * near its final threshold, and the disjunction then passes over or prunes most windows (at 2.6M papers, a
 * title's median ranking fell by a quarter to a third). A query with required words is not primed: its
 * ranking walks the shortest required list already.
 */
function prime(snapshot: LexicalSnapshot, resolved: ResolvedQuery, top: TopK): void {
  if (resolved.required.length > 0) return;
  for (let position = 0; position < snapshot.segments.length; position++) {
    const lists = segmentLists(snapshot, position, resolved);
    if (!lists || lists.scoring.length === 0) continue;
    // Strongest first; reach[i]: the most lists i.. can add together.
    const probes = lists.scoring.sort((a, b) => b.bound - a.bound);
    const lead = probes[0] as Cursor;
    if (lead.list.count > PRIMING_POSTINGS) continue;
    const n = probes.length;
    const reach = new Float64Array(n + 1);
    for (let i = n - 1; i >= 0; i--) reach[i] = (reach[i + 1] as number) + (probes[i] as Cursor).bound;
    takeContributionTables(probes);
    const segmentTables = segmentScoring(snapshot.scorer, lists.segment);
    const offer = offerer(snapshot, position, resolved, lists, top);
    for (let doc = lead.seek(0); doc !== Infinity; doc = lead.seek(doc + 1)) {
      const threshold = top.threshold;
      let score = 0;
      let i = 0;
      for (; i < n && score + (reach[i] as number) >= threshold; i++) {
        const probe = probes[i] as Cursor;
        if (probe.seek(doc) === doc) score += probe.contribution(segmentTables);
      }
      if (i === n && score > 0 && score >= threshold) offer(doc, score);
    }
  }
}

/**
 * Documents per window of the disjunction scorer, and its scratch, shared by every ranking: it is clear
 * between windows, the only places where a ranking pauses.
 */
const WINDOW = 4096;
const WINDOW_SCORES = new Float64Array(WINDOW);
const WINDOW_FOUND = new Int32Array(WINDOW / 32);
/** The most postings a segment's most selective list may have for `prime` to score its documents. */
const PRIMING_POSTINGS = 2048;

/** Exact scores of given papers (by key) for a query's scoring terms, for fusing with another ranking. */
export function scoresResolved(
  snapshot: LexicalSnapshot,
  scoring: ResolvedQuery['scoring'],
  keys: readonly number[],
): Float64Array {
  const scores = new Float64Array(keys.length);
  const bySegment = new Map<number, { doc: number; i: number }[]>();
  keys.forEach((key, i) => {
    const position = snapshot.positionOf(key);
    if (position < 0) return;
    const list = bySegment.get(position) ?? [];
    list.push({ doc: snapshot.docOf(key), i });
    bySegment.set(position, list);
  });
  for (const [position, docs] of bySegment) {
    const segment = snapshot.segments[position] as Segment;
    const segmentTables = segmentScoring(snapshot.scorer, segment);
    docs.sort((a, b) => a.doc - b.doc);
    for (const { term, idf, count } of scoring) {
      const ordinal = segment.ordinal(term);
      if (ordinal < 0) continue;
      const list = new Cursor(segment.postings(ordinal), idf, count, 0, null);
      for (const { doc, i } of docs) {
        if (list.seek(doc) === doc) scores[i]! += list.contribution(segmentTables);
      }
    }
  }
  return scores.map((score) => score / SCORE_SCALE);
}

/** Queries of filters alone (`category:cs.CL since:7d`): the newest matching papers first. */
export function browse(snapshot: LexicalSnapshot, accept: KeyFilter | null, k: number): LexicalHit[] {
  const hits: { key: number; day: number; id: string; position: number; doc: number }[] = [];
  snapshot.segments.forEach((segment, position) => {
    for (let doc = 0; doc < segment.docCount; doc++) {
      const key = segment.keys[doc] as number;
      if (!snapshot.isLive(position, doc) || (accept && !accept(key))) continue;
      hits.push({ key, day: segment.days[doc] as number, id: '', position, doc });
    }
  });
  hits.sort((a, b) => b.day - a.day || a.key - b.key);
  // Within a day, newest id first, as the daily lists order papers: ids are read for the papers kept.
  const cut = hits.length > k ? hits[k - 1]?.day : undefined;
  const kept = hits.filter((hit, i) => i < k || hit.day === cut);
  for (const hit of kept) hit.id = (snapshot.segments[hit.position] as Segment).paperId(hit.doc);
  kept.sort((a, b) => b.day - a.day || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return kept.slice(0, k).map(({ key }) => ({ key, score: 0 }));
}

/**
 * A predicate on keys. One that `enumerate`s can also list every key it accepts when they are few (at most
 * `limit`; null when there are more, or when it cannot tell without testing every key), so that a vector
 * search under a narrow filter scores those few exactly instead of walking a graph that mostly fails it.
 */
export type KeyFilter = ((key: number) => boolean) & {
  enumerate?: (limit: number) => number[] | null;
};

/** The filter's terms as one segment's posting lists; `null`: a required term, or every category, is absent. */
interface SegmentLists {
  required: PostingList[] | null;
  excluded: PostingList[];
  anyOf: PostingList[] | null;
}

/**
 * The query's constraints as a predicate on keys, for rankings that do not come from the posting lists
 * (semantic neighbours): dates, categories, required and excluded words, authors. Each segment's lists are
 * looked up once, when the filter first meets one of its documents, not once per document tested.
 */
export function makeDocFilter(snapshot: LexicalSnapshot, resolved: ResolvedQuery): KeyFilter | null {
  const dated = resolved.fromDay !== NO_DAY || resolved.toDay !== 2147483647;
  if (
    !dated &&
    resolved.required.length === 0 &&
    resolved.excluded.length === 0 &&
    resolved.anyOf.length === 0
  ) {
    return resolved.impossible ? () => false : null;
  }
  if (resolved.impossible) return () => false;
  const scratch = { docs: new Uint32Array(BLOCK), codes: new Uint16Array(BLOCK) };
  const compiled = new Map<number, SegmentLists>();
  const listsAt = (position: number): SegmentLists => {
    let lists = compiled.get(position);
    if (!lists) {
      const segment = snapshot.segments[position] as Segment;
      const found = (terms: readonly string[]) =>
        terms.flatMap((term) => {
          const ordinal = segment.ordinal(term);
          return ordinal < 0 ? [] : [segment.postings(ordinal)];
        });
      const required = found(resolved.required);
      const anyOf = found(resolved.anyOf);
      lists = {
        required: required.length === resolved.required.length ? required : null,
        excluded: found(resolved.excluded),
        anyOf: resolved.anyOf.length === 0 || anyOf.length > 0 ? anyOf : null,
      };
      compiled.set(position, lists);
    }
    return lists;
  };
  /** `holds` says whether a list has the document: a lookup for keys tested in any order, cursors in order. */
  const passes = (position: number, doc: number, holds: ListHolds): boolean => {
    if (dated) {
      const day = (snapshot.segments[position] as Segment).days[doc] as number;
      if (day === NO_DAY || day < resolved.fromDay || day > resolved.toDay) return false;
    }
    const { required, excluded, anyOf } = listsAt(position);
    if (required === null || anyOf === null) return false;
    if (!required.every((list) => holds(list, doc))) return false;
    if (excluded.some((list) => holds(list, doc))) return false;
    return anyOf.length === 0 || anyOf.some((list) => holds(list, doc));
  };
  const holdsAnywhere: ListHolds = (list, doc) => list.contains(doc, scratch);
  const filter: KeyFilter = (key) => {
    const position = snapshot.positionOf(key);
    return position >= 0 && passes(position, snapshot.docOf(key), holdsAnywhere);
  };
  if (resolved.required.length > 0 || resolved.anyOf.length > 0) {
    filter.enumerate = (limit) => enumerateAccepted(snapshot, listsAt, passes, limit);
  }
  return filter;
}

type ListHolds = (list: PostingList, doc: number) => boolean;

/**
 * The live keys that pass, found by walking each segment's shortest required list (or its categories'
 * lists) rather than every document; null past `limit`. Lists much longer than the limit are not decoded.
 * The documents of a walked list come in increasing order, so the other lists are tested with cursors that
 * only move forward, each block decoded once, rather than a binary search and a block's decoding per test.
 */
function enumerateAccepted(
  snapshot: LexicalSnapshot,
  listsAt: (position: number) => SegmentLists,
  passes: (position: number, doc: number, holds: ListHolds) => boolean,
  limit: number,
): number[] | null {
  const drivers = snapshot.segments.map((_, position) => {
    const { required, anyOf } = listsAt(position);
    if (required === null || anyOf === null) return [];
    if (required.length === 0) return anyOf;
    return [required.reduce((shortest, list) => (list.count < shortest.count ? list : shortest))];
  });
  const walked = drivers.reduce((sum, lists) => sum + lists.reduce((n, list) => n + list.count, 0), 0);
  if (walked > 4 * limit) return null;
  const keys = new Set<number>();
  for (const [position, lists] of drivers.entries()) {
    const segment = snapshot.segments[position] as Segment;
    for (const list of lists) {
      const cursors = new Map<PostingList, Cursor>();
      const holdsInOrder: ListHolds = (other, doc) => {
        if (other === list) return true;
        let cursor = cursors.get(other);
        if (!cursor) cursors.set(other, (cursor = new Cursor(other, 0, 0, 0, null)));
        return cursor.seek(doc) === doc;
      };
      for (const doc of list.decodeAll().docs) {
        if (!snapshot.isLive(position, doc) || !passes(position, doc, holdsInOrder)) continue;
        keys.add(segment.keys[doc] as number);
        if (keys.size > limit) return null;
      }
    }
  }
  return [...keys];
}
