/** A segment held in memory, straight from its parts: for freshly built segments and for tests. */
import { PostingList } from './postings-codec.js';
import { decodeForward, findTerm, type ForwardEntry, type Segment, type SegmentParts } from './segment.js';

export class MemorySegment implements Segment {
  private docsById: Map<string, number> | null = null;

  constructor(
    readonly id: number,
    readonly parts: SegmentParts,
  ) {}

  get docCount() {
    return this.parts.docCount;
  }
  get keys() {
    return this.parts.keys;
  }
  get days() {
    return this.parts.days;
  }
  get norms() {
    return this.parts.norms;
  }
  get lengthSums() {
    return this.parts.lengthSums;
  }
  get buildAverages() {
    return this.parts.buildAverages;
  }
  get tfTable() {
    return this.parts.tfTable;
  }
  get termCount() {
    return this.parts.terms.length;
  }

  ordinal(term: string): number {
    return findTerm(this.parts.terms.length, (t) => this.parts.terms[t] as string, term);
  }

  term(ordinal: number): string {
    return this.parts.terms[ordinal] as string;
  }

  df(ordinal: number): number {
    return this.parts.df[ordinal] as number;
  }

  maxPseudo(ordinal: number): number {
    return this.parts.maxPseudo[ordinal] as number;
  }

  postings(ordinal: number): PostingList {
    const { postingOffsets, postings } = this.parts;
    return new PostingList(
      postings.subarray(postingOffsets[ordinal] as number, postingOffsets[ordinal + 1] as number),
      this.parts.df[ordinal] as number,
    );
  }

  paperId(doc: number): string {
    return this.parts.ids[doc] as string;
  }

  docOf(paperId: string): number {
    this.docsById ??= new Map(this.parts.ids.map((id, doc) => [id, doc]));
    return this.docsById.get(paperId) ?? -1;
  }

  forward(doc: number): ForwardEntry {
    const { forwardOffsets, forward } = this.parts;
    return decodeForward(forward.subarray(forwardOffsets[doc] as number, forwardOffsets[doc + 1] as number));
  }
}
