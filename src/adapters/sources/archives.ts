/**
 * tar archives (plain or gzip-compressed, as arXiv ships its `.abs` files), read as a stream of entries
 * with node-tar's parser. Each file entry is held in memory up to a size limit; the archive is read no
 * faster than its entries are taken.
 */
import type { Readable } from 'node:stream';
import { Parser, type ReadEntry } from 'tar';

export interface TarEntry {
  /** The entry's path inside the archive. */
  name: string;
  /** Its bytes; null for what is not a regular file, or is over the limit. */
  bytes: Buffer | null;
  size: number;
}

/** Whether the (decompressed) first bytes of a file are a tar header: "ustar" at offset 257. */
export function isTarHeader(head: Uint8Array): boolean {
  return head.length >= 262 && Buffer.from(head.subarray(257, 262)).toString('latin1') === 'ustar';
}

export async function* readTarEntries(stream: Readable, maxBytes: number): AsyncGenerator<TarEntry> {
  const queue: (TarEntry | Error | null)[] = [];
  let wake: (() => void) | null = null;
  const push = (item: TarEntry | Error | null) => {
    queue.push(item);
    // Enough entries waiting: stop reading until they are taken.
    if (queue.length >= 32) stream.pause();
    wake?.();
  };
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      const name = entry.path;
      if (entry.type !== 'File' || entry.size > maxBytes) {
        entry.resume();
        push({ name, bytes: null, size: entry.size });
        return;
      }
      const chunks: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => chunks.push(chunk));
      entry.on('end', () => push({ name, bytes: Buffer.concat(chunks), size: entry.size }));
    },
  });
  parser.on('error', (error: Error) => push(error));
  parser.on('end', () => push(null));
  stream.on('error', (error: Error) => push(error));
  stream.pipe(parser as unknown as NodeJS.WritableStream);
  try {
    for (;;) {
      if (queue.length === 0) {
        stream.resume();
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        continue;
      }
      const item = queue.shift() as TarEntry | Error | null;
      if (item === null) return;
      if (item instanceof Error) throw item;
      yield item;
    }
  } finally {
    stream.destroy();
  }
}
