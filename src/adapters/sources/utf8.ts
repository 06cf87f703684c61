/**
 * Streaming UTF-8 decoding that marks each invalid byte with a sentinel instead of silently replacing it,
 * so that a reader can reject exactly the records that hold invalid bytes and keep the rest. (Genuine
 * U+FFFD characters occur in real data and must not be mistaken for damage.)
 */
import { isUtf8 } from 'node:buffer';

/** A private-use code point that no real metadata contains. */
export const INVALID_BYTE = '\u{10FFFD}';

/** Length of the UTF-8 sequence starting at `bytes[i]`, or 0 when it is invalid there. */
function sequenceLength(bytes: Buffer, i: number): number | 'incomplete' {
  const lead = bytes[i] as number;
  if (lead < 0x80) return 1;
  let length: number;
  let low = 0x80;
  let high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) length = 2;
  else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead === 0xe0) low = 0xa0;
    if (lead === 0xed) high = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead === 0xf0) low = 0x90;
    if (lead === 0xf4) high = 0x8f;
  } else return 0;
  for (let k = 1; k < length; k++) {
    if (i + k >= bytes.length) return 'incomplete';
    const byte = bytes[i + k] as number;
    if (k === 1 ? byte < low || byte > high : byte < 0x80 || byte > 0xbf) return 0;
  }
  return length;
}

export class MarkingUtf8Decoder {
  private carry: Buffer = Buffer.alloc(0);

  /** Decodes the next chunk; pass nothing at the end of the stream. */
  decode(chunk?: Buffer): string {
    const bytes = chunk ? (this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk) : this.carry;
    this.carry = Buffer.alloc(0);
    const end = chunk ? completeLength(bytes) : bytes.length;
    if (chunk) this.carry = Buffer.from(bytes.subarray(end));
    const complete = bytes.subarray(0, end);
    if (isUtf8(complete)) return complete.toString('utf8');

    let text = '';
    let start = 0;
    for (let i = 0; i < complete.length;) {
      const length = sequenceLength(complete, i);
      if (typeof length === 'number' && length > 0) {
        i += length;
        continue;
      }
      text += complete.subarray(start, i).toString('utf8') + INVALID_BYTE;
      i += 1;
      start = i;
    }
    return text + complete.subarray(start).toString('utf8');
  }
}

/** How many leading bytes end on a sequence boundary: a sequence cut by the chunk's end waits for the next. */
function completeLength(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const i = bytes.length - back;
    const byte = bytes[i] as number;
    if (byte < 0x80) return bytes.length;
    if (byte >= 0xc0) return sequenceLength(bytes, i) === 'incomplete' ? i : bytes.length;
  }
  return bytes.length;
}
