/**
 * The byte form of one posting list, in blocks of 128 postings so that a search decodes only the blocks it
 * visits. A skip table comes first — per block, its last document, where its bytes end, and the largest
 * pseudo-frequency in it (for block-max pruning), 12 bytes — then the blocks. In a block, each posting is the gap to the previous document as a variable-byte integer
 * (7 bits a byte, high bit set on all but the last), then its frequency code: one byte below 255, else 255
 * and the code in two bytes. Codes index the segment's table of distinct per-field frequency tuples, most
 * frequent first, so almost every posting takes one byte for its frequencies.
 */

export const BLOCK = 128;
const ESCAPE = 255;
const SKIP_ENTRY = 12;

function writeU32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value & 0xff;
  bytes[at + 1] = (value >>> 8) & 0xff;
  bytes[at + 2] = (value >>> 16) & 0xff;
  bytes[at + 3] = value >>> 24;
}

/** A float32 no smaller than `value`: an upper bound stays one after rounding. */
function writeF32Up(bytes: Uint8Array, at: number, value: number): void {
  new DataView(bytes.buffer, bytes.byteOffset).setFloat32(at, value * (1 + 1e-6), true);
}

function readU32(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at] as number) |
      ((bytes[at + 1] as number) << 8) |
      ((bytes[at + 2] as number) << 16) |
      ((bytes[at + 3] as number) << 24)) >>>
    0
  );
}

function ensure(out: { bytes: Uint8Array }, size: number): Uint8Array {
  if (out.bytes.length < size) {
    const grown = new Uint8Array(Math.max(size, out.bytes.length * 2));
    grown.set(out.bytes);
    out.bytes = grown;
  }
  return out.bytes;
}

/**
 * Appends the encoding of `docs` (ascending) and their codes to `out` from `at`; returns the new end.
 * `pseudo(i)` is posting i's pseudo-frequency, whose maximum per block goes into the skip table.
 */
export function encodePostings(
  docs: ArrayLike<number>,
  codes: ArrayLike<number>,
  count: number,
  out: { bytes: Uint8Array },
  at: number,
  pseudo: (i: number) => number,
): number {
  const blocks = Math.ceil(count / BLOCK);
  const table = at;
  const data = table + blocks * SKIP_ENTRY;
  let bytes = ensure(out, data + count * 8);
  let end = data;
  let previous = -1;
  for (let block = 0; block < blocks; block++) {
    const last = Math.min(count, (block + 1) * BLOCK);
    let best = 0;
    for (let i = block * BLOCK; i < last; i++) {
      const value = pseudo(i);
      if (value > best) best = value;
      if (end + 8 > bytes.length) bytes = ensure(out, end + (count - i) * 8);
      const doc = docs[i] as number;
      let gap = doc - previous - 1;
      previous = doc;
      while (gap >= 0x80) {
        bytes[end++] = (gap & 0x7f) | 0x80;
        gap >>>= 7;
      }
      bytes[end++] = gap;
      const code = codes[i] as number;
      if (code < ESCAPE) bytes[end++] = code;
      else {
        bytes[end++] = ESCAPE;
        bytes[end++] = code & 0xff;
        bytes[end++] = code >>> 8;
      }
    }
    writeU32(bytes, table + block * SKIP_ENTRY, previous);
    writeU32(bytes, table + block * SKIP_ENTRY + 4, end - data);
    writeF32Up(bytes, table + block * SKIP_ENTRY + 8, best);
  }
  return end;
}

export interface DecodedPostings {
  readonly docs: Uint32Array;
  readonly codes: Uint16Array;
}

/** One posting list's bytes, decoded a block at a time. */
export class PostingList {
  readonly blocks: number;
  private readonly data: number;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly count: number,
  ) {
    this.blocks = Math.ceil(count / BLOCK);
    this.data = this.blocks * SKIP_ENTRY;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** The largest pseudo-frequency in a block (with the segment's build averages), rounded up. */
  blockMaxPseudo(block: number): number {
    return this.view.getFloat32(block * SKIP_ENTRY + 8, true);
  }

  /** The last (largest) document of a block. */
  lastDoc(block: number): number {
    return readU32(this.bytes, block * SKIP_ENTRY);
  }

  /** The first block whose last document is at or after `target`, from `from` on; `blocks` when none is. */
  blockFor(target: number, from = 0): number {
    let low = from;
    let high = this.blocks;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.lastDoc(mid) < target) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Decodes a block into the arrays (of at least BLOCK entries); returns how many postings it holds. */
  decodeBlock(block: number, docs: Uint32Array, codes: Uint16Array): number {
    const bytes = this.bytes;
    let at = this.data + (block === 0 ? 0 : readU32(bytes, (block - 1) * SKIP_ENTRY + 4));
    const end = this.data + readU32(bytes, block * SKIP_ENTRY + 4);
    let previous = block === 0 ? -1 : this.lastDoc(block - 1);
    let i = 0;
    while (at < end) {
      let byte = bytes[at++] as number;
      let gap = byte & 0x7f;
      let shift = 7;
      while (byte & 0x80) {
        byte = bytes[at++] as number;
        gap += (byte & 0x7f) * 2 ** shift;
        shift += 7;
      }
      previous += gap + 1;
      docs[i] = previous;
      const code = bytes[at++] as number;
      codes[i++] = code < ESCAPE ? code : (bytes[at++] as number) | ((bytes[at++] as number) << 8);
    }
    return i;
  }

  /** Every posting, decoded (merges and tests). */
  decodeAll(): DecodedPostings {
    const docs = new Uint32Array(this.count);
    const codes = new Uint16Array(this.count);
    let at = 0;
    for (let block = 0; block < this.blocks; block++) {
      at += this.decodeBlock(block, docs.subarray(at), codes.subarray(at));
    }
    if (at !== this.count) throw new Error('posting list is truncated');
    return { docs, codes };
  }

  /** Whether the list holds the document. */
  contains(doc: number, scratch: { docs: Uint32Array; codes: Uint16Array }): boolean {
    const block = this.blockFor(doc);
    if (block >= this.blocks) return false;
    const count = this.decodeBlock(block, scratch.docs, scratch.codes);
    for (let i = 0; i < count; i++) if (scratch.docs[i] === doc) return true;
    return false;
  }
}
