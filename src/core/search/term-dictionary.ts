/**
 * A segment's sorted terms kept as their UTF-8 bytes rather than as strings. Every BLOCK_TERMS-th term is a
 * string, for a binary search to the block that would hold a term; a block is decoded when a lookup reaches
 * it, and the last one decoded is kept, so that walking the dictionary in order (merges, spelling) decodes
 * each block once. A string costs a server about 36 bytes a term; this costs about 6 more than the bytes.
 */
const BLOCK_TERMS = 16;
const SEPARATOR = 0x0a;
const decoder = new TextDecoder();

export class TermDictionary {
  readonly count: number;
  /** Where each term's bytes start; one more entry, one past the end, closes the last term. */
  private readonly starts: Uint32Array;
  private readonly firstOfBlock: string[];
  private decodedBlock = -1;
  private decodedTerms: string[] = [];

  /** `bytes`: the terms, sorted in JavaScript string order, joined by newlines. */
  constructor(private readonly bytes: Uint8Array) {
    let count = bytes.length === 0 ? 0 : 1;
    for (let i = 0; i < bytes.length; i++) if (bytes[i] === SEPARATOR) count++;
    this.count = count;
    this.starts = new Uint32Array(count + 1);
    let term = 1;
    for (let i = 0; i < bytes.length; i++) if (bytes[i] === SEPARATOR) this.starts[term++] = i + 1;
    this.starts[count] = bytes.length + 1;
    this.firstOfBlock = Array.from({ length: Math.ceil(count / BLOCK_TERMS) }, (_, block) =>
      this.decode(block * BLOCK_TERMS, block * BLOCK_TERMS + 1),
    );
  }

  term(ordinal: number): string {
    return this.block(Math.floor(ordinal / BLOCK_TERMS))[ordinal % BLOCK_TERMS] as string;
  }

  /** The term's ordinal, or -1. */
  ordinal(term: string): number {
    let low = 0;
    let high = this.firstOfBlock.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.firstOfBlock[mid] as string) <= term) low = mid + 1;
      else high = mid;
    }
    if (low === 0) return -1;
    const at = this.block(low - 1).indexOf(term);
    return at < 0 ? -1 : (low - 1) * BLOCK_TERMS + at;
  }

  private block(block: number): string[] {
    if (block !== this.decodedBlock) {
      const first = block * BLOCK_TERMS;
      this.decodedTerms = this.decode(first, Math.min(this.count, first + BLOCK_TERMS)).split('\n');
      this.decodedBlock = block;
    }
    return this.decodedTerms;
  }

  /** Terms first..last-1, joined by newlines. */
  private decode(first: number, last: number): string {
    return decoder.decode(
      this.bytes.subarray(this.starts[first] as number, (this.starts[last] as number) - 1),
    );
  }
}
