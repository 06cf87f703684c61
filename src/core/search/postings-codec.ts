/**
 * The byte form of one posting list: per posting, the gap to the previous document as a variable-byte
 * integer (7 bits a byte, high bit set on all but the last), then the posting's frequency code: one byte
 * below 255, else 255 and the code in two bytes. Codes index the segment's table of distinct per-field
 * frequency tuples, most frequent first, so almost every posting takes one byte for its frequencies.
 */

const ESCAPE = 255;

/** Appends the encoding of `docs` (ascending) and their codes to `out` from `at`; returns the new end. */
export function encodePostings(
  docs: ArrayLike<number>,
  codes: ArrayLike<number>,
  count: number,
  out: { bytes: Uint8Array },
  at: number,
): number {
  let bytes = ensure(out, at + count * 8);
  let previous = -1;
  for (let i = 0; i < count; i++) {
    if (at + 8 > bytes.length) bytes = ensure(out, at + (count - i) * 8);
    const doc = docs[i] as number;
    let gap = doc - previous - 1;
    previous = doc;
    while (gap >= 0x80) {
      bytes[at++] = (gap & 0x7f) | 0x80;
      gap >>>= 7;
    }
    bytes[at++] = gap;
    const code = codes[i] as number;
    if (code < ESCAPE) bytes[at++] = code;
    else {
      bytes[at++] = ESCAPE;
      bytes[at++] = code & 0xff;
      bytes[at++] = code >>> 8;
    }
  }
  return at;
}

function ensure(out: { bytes: Uint8Array }, size: number): Uint8Array {
  if (out.bytes.length < size) {
    const grown = new Uint8Array(Math.max(size, out.bytes.length * 2));
    grown.set(out.bytes);
    out.bytes = grown;
  }
  return out.bytes;
}

export interface DecodedPostings {
  readonly docs: Uint32Array;
  readonly codes: Uint16Array;
}

export function decodePostings(bytes: Uint8Array, count: number): DecodedPostings {
  const docs = new Uint32Array(count);
  const codes = new Uint16Array(count);
  let at = 0;
  let previous = -1;
  for (let i = 0; i < count; i++) {
    let gap = 0;
    let shift = 0;
    let byte = bytes[at++] as number;
    while (byte & 0x80) {
      gap += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      byte = bytes[at++] as number;
    }
    gap += byte * 2 ** shift;
    previous += gap + 1;
    docs[i] = previous;
    const code = bytes[at++] as number;
    codes[i] = code < ESCAPE ? code : (bytes[at++] as number) | ((bytes[at++] as number) << 8);
  }
  if (at > bytes.length) throw new Error('posting list is truncated');
  return { docs, codes };
}
