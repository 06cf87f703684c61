/** Opening input files: gzip is recognised by its magic bytes, and the raw bytes read are counted for progress. */
import { createReadStream, promises as fs } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

export interface OpenedInput {
  /** The decompressed bytes. */
  stream: Readable;
}

async function isGzip(path: string): Promise<boolean> {
  const handle = await fs.open(path, 'r');
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** Opens a file for reading; `onBytes` hears how many raw (compressed) bytes have been read so far. */
export async function openInput(path: string, onBytes?: (rawBytes: number) => void): Promise<OpenedInput> {
  const gzip = await isGzip(path);
  let raw: Readable = createReadStream(path, { highWaterMark: 256 * 1024 });
  if (onBytes) {
    let total = 0;
    raw = raw.pipe(
      new Transform({
        transform(chunk: Buffer, _enc, done) {
          total += chunk.length;
          onBytes(total);
          done(null, chunk);
        },
      }),
    );
  }
  return { stream: gzip ? raw.pipe(createGunzip()) : raw };
}

/** The first bytes of a file's (decompressed) content, for format detection. */
export async function readHead(path: string, bytes = 64 * 1024): Promise<Buffer> {
  const { stream } = await openInput(path);
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      length += (chunk as Buffer).length;
      if (length >= bytes) break;
    }
  } catch {
    // A truncated gzip still has a readable head; the real read reports the damage with its place.
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, bytes);
}
