/**
 * The index's binary container: 8 magic bytes, a JSON header, then 8-byte-aligned typed arrays, so that a
 * file loads into typed-array views without parsing. Files are written to a temporary name, flushed to disk
 * and renamed into place: a reader sees the whole file or none.
 */
import { closeSync, fsyncSync, openSync, read, renameSync, writeSync } from 'node:fs';
import { promisify } from 'node:util';

const MAGIC = 'OPSEG003';

export type Section = Uint32Array | Uint16Array | Int32Array | Float32Array | Float64Array | Uint8Array;
type SectionKind = 'u32' | 'u16' | 'i32' | 'f32' | 'f64' | 'u8';
const CONSTRUCTORS = {
  u32: Uint32Array,
  u16: Uint16Array,
  i32: Int32Array,
  f32: Float32Array,
  f64: Float64Array,
  u8: Uint8Array,
};

function kindOf(array: Section): SectionKind {
  if (array instanceof Uint32Array) return 'u32';
  if (array instanceof Uint16Array) return 'u16';
  if (array instanceof Int32Array) return 'i32';
  if (array instanceof Float32Array) return 'f32';
  if (array instanceof Float64Array) return 'f64';
  return 'u8';
}

const pad8 = (n: number) => (n + 7) & ~7;

/** The suffix of files this process is still writing; garbage collection never takes them. */
export const OWN_TEMPORARY = `.${process.pid}.tmp`;

/** Where this process writes `path` before it renames it into place. */
export const temporaryPath = (path: string) => `${path}${OWN_TEMPORARY}`;

/** Writes `bytes` to `path` atomically: a temporary file, flushed, then renamed. */
export function writeFileAtomic(path: string, chunks: readonly Uint8Array[]): void {
  const temporary = temporaryPath(path);
  const fd = openSync(temporary, 'w');
  try {
    for (const chunk of chunks) {
      let written = 0;
      while (written < chunk.length) written += writeSync(fd, chunk, written, chunk.length - written);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

export function writeContainer(path: string, header: object, sections: Record<string, Section>): void {
  const layout: Record<string, { kind: SectionKind; offset: number; length: number }> = {};
  let offset = 0;
  for (const [name, array] of Object.entries(sections)) {
    layout[name] = { kind: kindOf(array), offset, length: array.length };
    offset = pad8(offset + array.byteLength);
  }
  const json = Buffer.from(JSON.stringify({ ...header, layout }));
  const start = pad8(8 + 4 + json.length);
  const head = Buffer.alloc(start);
  head.write(MAGIC, 0, 'ascii');
  head.writeUInt32LE(json.length, 8);
  json.copy(head, 12);
  const chunks: Uint8Array[] = [head];
  let at = 0;
  for (const [name, array] of Object.entries(sections)) {
    const place = layout[name] as { offset: number };
    if (place.offset > at) chunks.push(new Uint8Array(place.offset - at));
    chunks.push(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    at = place.offset + array.byteLength;
  }
  if (offset > at) chunks.push(new Uint8Array(offset - at));
  writeFileAtomic(path, chunks);
}

export function readContainer(
  file: Buffer,
  path: string,
): { header: Record<string, unknown>; sections: Record<string, Section> } {
  if (file.length < 12 || file.toString('ascii', 0, 8) !== MAGIC) {
    throw new Error(`${path} is not an OpenPapers index file of this version`);
  }
  // Typed arrays need aligned memory; a pooled Buffer may not start on an 8-byte boundary.
  if (file.byteOffset % 8 !== 0) file = Buffer.from(new Uint8Array(file));
  const jsonLength = file.readUInt32LE(8);
  const header = JSON.parse(file.toString('utf8', 12, 12 + jsonLength)) as Record<string, unknown>;
  const start = pad8(12 + jsonLength);
  const sections: Record<string, Section> = {};
  const layout = header.layout as Record<string, { kind: SectionKind; offset: number; length: number }>;
  for (const [name, { kind, offset, length }] of Object.entries(layout)) {
    const bytes = length * CONSTRUCTORS[kind].BYTES_PER_ELEMENT;
    if (start + offset + bytes > file.length) throw new Error(`${path} is truncated`);
    sections[name] = new CONSTRUCTORS[kind](
      file.buffer as ArrayBuffer,
      file.byteOffset + start + offset,
      length,
    );
  }
  return { header, sections };
}

const readAt = promisify(read);

/** Fills `bytes` from the file at `position`, read on libuv's pool rather than on the calling thread. */
export async function readFullyAt(
  fd: number,
  bytes: Uint8Array,
  position: number,
  path: string,
): Promise<void> {
  for (let done = 0; done < bytes.length;) {
    const { bytesRead } = await readAt(fd, bytes, done, bytes.length - done, position + done);
    if (bytesRead === 0) throw new Error(`${path} is truncated`);
    done += bytesRead;
  }
}
