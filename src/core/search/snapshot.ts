/**
 * What one published generation of the lexical index is to a search: its segments, which of their
 * documents are live, and the collection statistics over those live documents.
 *
 * Liveness comes from the key table: every paper has a stable key, and the table says which segment and
 * document hold its live version. A document replaced by a newer version (in a newer segment) or deleted is
 * simply no longer what its key points to. Each segment's deletions also record the terms and field
 * lengths of its dead documents, so that document frequencies and average lengths count live documents
 * only: a ranking is then the same however the papers are spread over segments.
 */
import {
  Bm25Scorer,
  collectionStats,
  FIELD_COUNT,
  type CollectionStats,
  type LexicalParams,
} from './bm25.js';
import type { Segment } from './segment.js';

/** For each key: the id of the segment holding its live document (0: none) and that document's number. */
export interface KeyTable {
  readonly segments: Uint32Array;
  readonly docs: Uint32Array;
}

/** What a segment's dead documents took with them. */
export interface SegmentDeletions {
  readonly docs: number;
  readonly lengthSums: Float64Array;
  /** Sorted term ordinals, and how many dead documents hold each. */
  readonly ordinals: Uint32Array;
  readonly counts: Uint32Array;
}

export const NO_DELETIONS: SegmentDeletions = Object.freeze({
  docs: 0,
  lengthSums: new Float64Array(FIELD_COUNT),
  ordinals: new Uint32Array(0),
  counts: new Uint32Array(0),
});

export function deletedCount(deletions: SegmentDeletions, ordinal: number): number {
  const { ordinals, counts } = deletions;
  let low = 0;
  let high = ordinals.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const value = ordinals[mid] as number;
    if (value === ordinal) return counts[mid] as number;
    if (value < ordinal) low = mid + 1;
    else high = mid;
  }
  return 0;
}

export class LexicalSnapshot {
  readonly stats: CollectionStats;
  readonly scorer: Bm25Scorer;
  /** Live documents in the whole index. */
  readonly docCount: number;
  private readonly positionOfId = new Map<number, number>();
  private readonly deletionsAt: SegmentDeletions[];

  constructor(
    readonly params: LexicalParams,
    readonly segments: readonly Segment[],
    readonly keys: KeyTable,
    deletions: ReadonlyMap<number, SegmentDeletions>,
  ) {
    const lengthSums = new Float64Array(FIELD_COUNT);
    let docs = 0;
    this.deletionsAt = segments.map((segment, position) => {
      this.positionOfId.set(segment.id, position);
      const dead = deletions.get(segment.id) ?? NO_DELETIONS;
      docs += segment.docCount - dead.docs;
      for (let f = 0; f < FIELD_COUNT; f++) {
        lengthSums[f]! += (segment.lengthSums[f] as number) - (dead.lengthSums[f] as number);
      }
      return dead;
    });
    this.docCount = docs;
    this.stats = collectionStats(docs, lengthSums);
    this.scorer = new Bm25Scorer(params, this.stats);
  }

  /** Whether document `doc` of the segment at `position` is the live version of its paper. */
  isLive(position: number, doc: number): boolean {
    const segment = this.segments[position] as Segment;
    const key = segment.keys[doc] as number;
    return this.keys.segments[key] === segment.id && this.keys.docs[key] === doc;
  }

  /** The position of the segment holding the key's live document, or -1. */
  positionOf(key: number): number {
    const id = this.keys.segments[key];
    return id ? (this.positionOfId.get(id) ?? -1) : -1;
  }

  docOf(key: number): number {
    return this.keys.docs[key] as number;
  }

  deletions(position: number): SegmentDeletions {
    return this.deletionsAt[position] as SegmentDeletions;
  }

  /** Live documents holding the term, over every segment. */
  df(term: string): number {
    let df = 0;
    this.segments.forEach((segment, position) => {
      const ordinal = segment.ordinal(term);
      if (ordinal >= 0) df += segment.df(ordinal) - deletedCount(this.deletions(position), ordinal);
    });
    return df;
  }

  /** The key of the paper's live document, or -1. */
  keyOf(paperId: string): number {
    for (let position = this.segments.length - 1; position >= 0; position--) {
      const segment = this.segments[position] as Segment;
      const doc = segment.docOf(paperId);
      if (doc >= 0 && this.isLive(position, doc)) return segment.keys[doc] as number;
    }
    return -1;
  }

  paperIdOf(key: number): string | null {
    const position = this.positionOf(key);
    return position < 0 ? null : (this.segments[position] as Segment).paperId(this.docOf(key));
  }

  day(key: number): number | null {
    const position = this.positionOf(key);
    return position < 0 ? null : ((this.segments[position] as Segment).days[this.docOf(key)] as number);
  }
}
