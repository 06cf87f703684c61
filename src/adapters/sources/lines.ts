/**
 * Splits a byte stream into lines in constant memory: a line longer than the limit is skipped (and reported)
 * without being held whole, and each line is decoded as strict UTF-8 so that invalid bytes are reported
 * with their line instead of being silently replaced.
 */
import type { Readable } from 'node:stream';

export type Line = { number: number; text: string } | { number: number; problem: string };

const NEWLINE = 0x0a;

export async function* readLines(stream: Readable, maxBytes: number): AsyncGenerator<Line> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let parts: Buffer[] = [];
  let length = 0;
  let oversized = false;
  let number = 0;

  const finish = (): Line | null => {
    number++;
    const lineNumber = number;
    if (oversized) {
      const line = {
        number: lineNumber,
        problem: `line is ${formatBytes(length)}, over the limit of ${formatBytes(maxBytes)}`,
      };
      parts = [];
      length = 0;
      oversized = false;
      return line;
    }
    const bytes = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, length);
    parts = [];
    length = 0;
    try {
      const text = decoder.decode(bytes).replace(/\r$/, '');
      return text.trim() === '' ? null : { number: lineNumber, text };
    } catch {
      return { number: lineNumber, problem: 'invalid UTF-8' };
    }
  };

  const take = (piece: Buffer) => {
    length += piece.length;
    if (oversized) return;
    if (length > maxBytes) {
      oversized = true;
      parts = [];
    } else parts.push(piece);
  };

  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE, start); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      take(chunk.subarray(start, end));
      const line = finish();
      if (line) yield line;
      start = end + 1;
    }
    if (start < chunk.length) take(chunk.subarray(start));
  }
  if (length > 0 || oversized) {
    const line = finish();
    if (line) yield line;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
