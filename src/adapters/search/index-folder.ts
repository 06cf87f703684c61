/**
 * The index folder: immutable generation files, published by an atomic rename of `CURRENT`, and a writer
 * lock. A generation is a manifest (`manifest-G.json`: its segments, cursors into the store's change feed,
 * the next free key) with the key tables that say which segment holds each paper's live document and
 * vector (`keys-G.bin`, `vkeys-H-G.bin`), and the deletion records of segments that lost documents
 * (`del-N-G.bin`). Segment files never change once written. Readers read `CURRENT`, then what it names;
 * files no published generation needs are removed a while later, so a reader that has just read `CURRENT`
 * still finds them.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { IndexStatus } from '../../app/ports.js';
import type { LexicalParams } from '../../core/search/bm25.js';
import type { KeyTable, SegmentDeletions } from '../../core/search/snapshot.js';
import { OWN_TEMPORARY, readContainer, writeContainer, writeFileAtomic } from './container.js';
import { segmentFiles } from './segment-files.js';
import { vectorSegmentFiles } from './vector-segments.js';

export const INDEX_FORMAT = 1;

export interface SegmentEntry {
  id: number;
  docs: number;
  live: number;
  /** The deletion record's file, when the segment has lost documents. */
  deletions: string | null;
}

export interface VectorEntry {
  /** The short name of the model in file names. */
  hash: string;
  dims: number;
  segments: { id: number; count: number; live: number }[];
  keys: string;
  /** How far the model's embedding change feed has been applied (the store's cursor). */
  cursor: string | null;
}

export interface Manifest {
  format: number;
  generation: number;
  createdAt: string;
  /** Names the key space: a full rebuild starts a new one. */
  numbering: string;
  params: LexicalParams;
  nextKey: number;
  nextSegmentId: number;
  /** How far the store's paper change feed has been applied. */
  cursor: string | null;
  /** The store's paper revision when the cursor was read (for how far behind the index is). */
  storeRevision: number;
  segments: SegmentEntry[];
  keys: string;
  vectors: Record<string, VectorEntry>;
}

const pad = (n: number) => String(n).padStart(6, '0');
export const manifestName = (generation: number) => `manifest-${pad(generation)}.json`;
export const keysName = (generation: number) => `keys-${pad(generation)}.bin`;
export const vectorKeysName = (hash: string, generation: number) => `vkeys-${hash}-${pad(generation)}.bin`;
export const deletionsName = (segment: number, generation: number) =>
  `del-${pad(segment)}-${pad(generation)}.bin`;

export function readCurrent(dir: string): number | null {
  try {
    const text = readFileSync(join(dir, 'CURRENT'), 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : null;
  } catch {
    return null;
  }
}

export async function readManifest(dir: string, generation: number): Promise<Manifest> {
  const manifest = JSON.parse(await readFile(join(dir, manifestName(generation)), 'utf8')) as Manifest;
  if (manifest.format !== INDEX_FORMAT) {
    throw new Error(
      `the search index in ${dir} has format ${manifest.format}; run "openpapers index rebuild"`,
    );
  }
  return manifest;
}

/** Writes the manifest, then (unless `point` is false, during a rebuild) points CURRENT at it. */
export function publish(dir: string, manifest: Manifest, point = true): void {
  writeFileAtomic(join(dir, manifestName(manifest.generation)), [Buffer.from(JSON.stringify(manifest))]);
  if (point) writeFileAtomic(join(dir, 'CURRENT'), [Buffer.from(`${manifest.generation}\n`)]);
}

export function writeKeyTable(path: string, table: KeyTable, length: number): void {
  writeContainer(
    path,
    { length },
    { segments: table.segments.subarray(0, length), docs: table.docs.subarray(0, length) },
  );
}

export async function readKeyTable(path: string): Promise<KeyTable> {
  const { sections } = readContainer(await readFile(path), path);
  return { segments: sections.segments as Uint32Array, docs: sections.docs as Uint32Array };
}

export function writeDeletions(path: string, deletions: SegmentDeletions): void {
  writeContainer(
    path,
    { docs: deletions.docs, lengthSums: [...deletions.lengthSums] },
    { ordinals: deletions.ordinals, counts: deletions.counts },
  );
}

export async function readDeletions(path: string): Promise<SegmentDeletions> {
  const { header, sections } = readContainer(await readFile(path), path);
  return {
    docs: header.docs as number,
    lengthSums: Float64Array.from(header.lengthSums as number[]),
    ordinals: sections.ordinals as Uint32Array,
    counts: sections.counts as Uint32Array,
  };
}

/** Every file a manifest needs. */
export function filesOf(manifest: Manifest): Set<string> {
  const names = new Set<string>([manifestName(manifest.generation), manifest.keys]);
  for (const segment of manifest.segments) {
    for (const name of segmentFiles(segment.id)) names.add(name);
    if (segment.deletions) names.add(segment.deletions);
  }
  for (const entry of Object.values(manifest.vectors)) {
    names.add(entry.keys);
    for (const segment of entry.segments)
      for (const name of vectorSegmentFiles(entry.hash, segment.id)) names.add(name);
  }
  return names;
}

const INDEX_FILE = /^(seg-|vec-|keys-|vkeys-|del-|manifest-)/;

/**
 * Removes the files that none of the latest `keep` generations needs and that are older than `graceMs`
 * (a reader that read CURRENT just before a publish still opens what it named), and temporary files that
 * a killed writer left. Only the writer collects, and its own temporary files (named by its pid) are work
 * in progress however old: at full-arXiv size a vector segment's rows wait for its graph for longer than
 * any age limit.
 */
export async function collectGarbage(
  dir: string,
  keep: readonly Manifest[],
  graceMs = 60_000,
): Promise<number> {
  const needed = new Set<string>(['CURRENT', 'writer.lock', 'status.json']);
  for (const manifest of keep) for (const name of filesOf(manifest)) needed.add(name);
  const now = Date.now();
  let removed = 0;
  for (const name of readdirSync(dir)) {
    if (needed.has(name) || name.endsWith(OWN_TEMPORARY)) continue;
    const temporary = name.endsWith('.tmp');
    if (!temporary && !INDEX_FILE.test(name)) continue;
    try {
      const age = now - statSync(join(dir, name)).mtimeMs;
      if (age < (temporary ? Math.max(graceMs, 10 * 60_000) : graceMs)) continue;
      rmSync(join(dir, name), { force: true });
      removed++;
    } catch {
      // Gone already (another process collected it).
    }
  }
  return removed;
}

/**
 * One writer at a time per folder. The lock file names its holder; the holder touches it every few seconds.
 * It is taken over when its holder is a process of this machine that is no longer running (killed with
 * SIGKILL, say), or when it has not been touched for `staleMs` (a holder on another machine that died).
 */
export class WriterLock {
  private timer: NodeJS.Timeout | null = null;
  private readonly token: string;

  private constructor(private readonly path: string) {
    this.token = JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() });
  }

  static tryAcquire(dir: string, staleMs = 30_000): WriterLock | null {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'writer.lock');
    for (let attempt = 0; attempt < 3; attempt++) {
      const lock = new WriterLock(path);
      let fd: number;
      try {
        fd = openSync(path, 'wx');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (!isStale(path, staleMs)) return null;
        // Move the stale lock aside first: of two processes that both found it stale, one moves it.
        const aside = `${path}.stale-${process.pid}-${Date.now()}`;
        try {
          renameSync(path, aside);
          unlinkSync(aside);
        } catch {
          // Another process took it first; try again.
        }
        continue;
      }
      try {
        writeSync(fd, lock.token);
      } catch (error) {
        // A lock that could not be written (a full disk) is no lock: it must not keep others out.
        closeSync(fd);
        rmSync(path, { force: true });
        throw error;
      }
      closeSync(fd);
      lock.timer = setInterval(() => lock.touch(), Math.max(250, staleMs / 6));
      lock.timer.unref();
      return lock;
    }
    return null;
  }

  static async acquire(
    dir: string,
    options: { staleMs?: number; pollMs?: number; signal?: AbortSignal } = {},
  ) {
    for (;;) {
      const lock = WriterLock.tryAcquire(dir, options.staleMs);
      if (lock) return lock;
      if (options.signal?.aborted) return null;
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
    }
  }

  /** Whether this process still holds the lock (it can be taken over if it stopped touching it). */
  held(): boolean {
    try {
      return readFileSync(this.path, 'utf8') === this.token;
    } catch {
      return false;
    }
  }

  private touch(): void {
    try {
      const now = new Date();
      if (this.held()) utimesSync(this.path, now, now);
    } catch {
      // The folder is gone; the next publish finds out.
    }
  }

  release(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.held()) rmSync(this.path, { force: true });
  }
}

function isStale(path: string, staleMs: number): boolean {
  try {
    const holder = JSON.parse(readFileSync(path, 'utf8')) as { pid: number; host: string };
    if (holder.host === hostname() && !processAlive(holder.pid)) return true;
    return Date.now() - statSync(path).mtimeMs > staleMs;
  } catch {
    // Half-written or unreadable: stale once it is old enough.
    return existsSync(path) ? Date.now() - statSync(path).mtimeMs > 2_000 : true;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function writeStatus(dir: string, status: IndexStatus): void {
  try {
    writeFileAtomic(join(dir, 'status.json'), [Buffer.from(JSON.stringify(status))]);
  } catch {
    // A status that cannot be written must not stop indexing.
  }
}

export async function readStatus(dir: string): Promise<IndexStatus | null> {
  try {
    return JSON.parse(await readFile(join(dir, 'status.json'), 'utf8')) as IndexStatus;
  } catch {
    return null;
  }
}
