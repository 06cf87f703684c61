/**
 * The one writer of an index folder (it holds the folder's lock). Papers and vectors handed to it are
 * buffered and written as new segments at the next commit, which publishes a new generation; papers that
 * replace an earlier version kill that version in its segment. Merges and the graphs of large vector
 * segments are built in the background, pausing often, and committed when done — documents that died in
 * the meantime stay dead in the merged segment.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { IndexCursors, IndexStatus, SearchIndexWriter, VectorInput } from '../../app/ports.js';
import { DEFAULT_LEXICAL_PARAMS, FIELD_COUNT, type LexicalParams } from '../../core/search/bm25.js';
import { diskFull } from '../../core/errors.js';
import { textHash } from '../../core/ids.js';
import { chooseMerge, DEFAULT_MERGE_POLICY, type MergePolicy } from '../../core/search/merge-policy.js';
import { SegmentBuilder, type IndexableDoc } from '../../core/search/segment.js';
import { NO_DELETIONS, type KeyTable, type SegmentDeletions } from '../../core/search/snapshot.js';
import {
  collectGarbage,
  deletionsName,
  keysName,
  publish,
  readCurrent,
  readDeletions,
  readKeyTable,
  readManifest,
  vectorKeysName,
  writeDeletions,
  writeKeyTable,
  writeStatus,
  INDEX_FORMAT,
  type Manifest,
  type VectorEntry,
  type WriterLock,
} from './index-folder.js';
import { FileSegment, ForwardReader, mergeSegments, PostingCache, writeSegment } from './segment-files.js';
import {
  DEFAULT_VECTOR_OPTIONS,
  VectorSegment,
  VectorSegmentWriter,
  type VectorSegmentOptions,
} from './vector-segments.js';

export interface WriterOptions {
  params?: LexicalParams;
  vectors?: Partial<VectorSegmentOptions>;
  lexicalPolicy?: MergePolicy;
  vectorPolicy?: MergePolicy;
  /** Vector segments are finished (their graph built) once they hold this many rows. */
  vectorSegmentRows?: number;
  /** Vector segments of fewer rows are finished at commit; larger ones in the background. */
  inlineVectorRows?: number;
  onStatus?: (status: IndexStatus) => void;
  /**
   * Builds a new index from nothing, in the same folder, without publishing it until finishRebuild():
   * readers keep the old one meanwhile.
   */
  rebuild?: boolean;
}

/** The short name of a model key in file names. */
export const modelHash = (modelKey: string) => textHash(modelKey).slice(0, 12);

/** A key table that grows with the keys handed out. */
class Keys implements KeyTable {
  segments: Uint32Array;
  docs: Uint32Array;

  constructor(table: KeyTable | null, length: number) {
    const capacity = Math.max(1024, length * 2);
    this.segments = new Uint32Array(capacity);
    this.docs = new Uint32Array(capacity);
    if (table) {
      this.segments.set(table.segments.subarray(0, Math.min(length, table.segments.length)));
      this.docs.set(table.docs.subarray(0, Math.min(length, table.docs.length)));
    }
  }

  set(key: number, segment: number, doc: number): void {
    if (key >= this.segments.length) {
      const capacity = Math.max(key + 1, this.segments.length * 2);
      const segments = new Uint32Array(capacity);
      segments.set(this.segments);
      const docs = new Uint32Array(capacity);
      docs.set(this.docs);
      this.segments = segments;
      this.docs = docs;
    }
    this.segments[key] = segment;
    this.docs[key] = doc;
  }

  copy(length: number): KeyTable {
    return { segments: this.segments.slice(0, length), docs: this.docs.slice(0, length) };
  }
}

/** Deletions being counted: per term ordinal, how many dead documents of the segment hold it. */
class Dead {
  docs = 0;
  readonly lengthSums = new Float64Array(FIELD_COUNT);
  readonly counts = new Map<number, number>();
  changed = false;

  static from(saved: SegmentDeletions): Dead {
    const dead = new Dead();
    dead.docs = saved.docs;
    dead.lengthSums.set(saved.lengthSums);
    saved.ordinals.forEach((ordinal, i) => dead.counts.set(ordinal, saved.counts[i] as number));
    return dead;
  }

  record(lengths: readonly number[], ordinals: readonly number[]): void {
    this.docs++;
    lengths.forEach((length, f) => (this.lengthSums[f]! += length));
    for (const ordinal of ordinals) this.counts.set(ordinal, (this.counts.get(ordinal) ?? 0) + 1);
    this.changed = true;
  }

  frozen(): SegmentDeletions {
    const ordinals = Uint32Array.from(this.counts.keys()).sort();
    return {
      docs: this.docs,
      lengthSums: this.lengthSums.slice(),
      ordinals,
      counts: Uint32Array.from(ordinals, (ordinal) => this.counts.get(ordinal) as number),
    };
  }
}

/** A vector segment being written, and the model's change-feed cursor from before its first row. */
interface OpenVectors {
  writer: VectorSegmentWriter;
  startCursor: string | null;
}

interface ModelState {
  entry: VectorEntry;
  keys: Keys;
  segments: Map<number, VectorSegment>;
  live: Map<number, number>;
  /** Rows being written to the next segment. */
  open: OpenVectors | null;
  /** Full segments whose graphs are being built in the background, oldest first. */
  finishing: OpenVectors[];
  /** The cursor after the last vectors handed over. */
  fed: string | null;
  changed: boolean;
}

export class SegmentedIndexWriter implements SearchIndexWriter {
  private readonly params: LexicalParams;
  private readonly vectorOptions: VectorSegmentOptions;
  private readonly cache = new PostingCache(64 * 1024 * 1024);
  private readonly segments = new Map<number, FileSegment>();
  private readonly forward = new Map<number, ForwardReader>();
  private readonly dead = new Map<number, Dead>();
  private readonly models = new Map<string, ModelState>();
  private readonly pending = new Map<string, IndexableDoc | null>();
  private readonly pendingVectors = new Map<string, { vectors: VectorInput[]; cursor: string | null }>();
  private keys: Keys;
  private lock: Promise<void> = Promise.resolve();
  private background: Promise<void> = Promise.resolve();
  private backgroundTasks = 0;
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly writerLock: WriterLock,
    private manifest: Manifest,
    keys: KeyTable | null,
    private readonly options: WriterOptions,
  ) {
    this.params = manifest.params;
    this.vectorOptions = { ...DEFAULT_VECTOR_OPTIONS, ...options.vectors };
    this.keys = new Keys(keys, manifest.nextKey);
  }

  /** Opens the writer on the published generation, or on an empty index when there is none. */
  static async open(
    dir: string,
    lock: WriterLock,
    options: WriterOptions = {},
  ): Promise<SegmentedIndexWriter> {
    const generation = readCurrent(dir);
    const published = generation === null ? null : await readManifest(dir, generation);
    const fresh = published === null || options.rebuild === true;
    // A rebuild goes on counting generations and segments, so that no file name is used twice.
    const manifest: Manifest = fresh
      ? {
          format: INDEX_FORMAT,
          generation: published?.generation ?? 0,
          createdAt: new Date().toISOString(),
          numbering: randomUUID(),
          params: options.params ?? DEFAULT_LEXICAL_PARAMS,
          nextKey: 0,
          nextSegmentId: published?.nextSegmentId ?? 1,
          cursor: null,
          storeRevision: 0,
          segments: [],
          keys: keysName(0),
          vectors: {},
        }
      : published;
    const keys = fresh ? null : await readKeyTable(join(dir, manifest.keys));
    const writer = new SegmentedIndexWriter(dir, lock, manifest, keys, options);
    if (fresh && published) writer.rebuilding = published;
    for (const entry of manifest.segments) {
      writer.segments.set(entry.id, await FileSegment.open(dir, entry.id, writer.cache));
      if (entry.deletions)
        writer.dead.set(entry.id, Dead.from(await readDeletions(join(dir, entry.deletions))));
    }
    for (const [model, entry] of Object.entries(manifest.vectors)) {
      const state: ModelState = {
        entry,
        keys: new Keys(await readKeyTable(join(dir, entry.keys)), manifest.nextKey),
        segments: new Map(),
        live: new Map(entry.segments.map((s) => [s.id, s.live])),
        open: null,
        finishing: [],
        fed: entry.cursor,
        changed: false,
      };
      for (const segment of entry.segments) {
        state.segments.set(
          segment.id,
          await VectorSegment.open(dir, entry.hash, segment.id, writer.vectorOptions),
        );
      }
      writer.models.set(model, state);
    }
    return writer;
  }

  get cursors(): IndexCursors {
    return {
      papers: this.manifest.cursor,
      embeddings: Object.fromEntries(Object.entries(this.manifest.vectors).map(([m, e]) => [m, e.cursor])),
    };
  }

  get generation(): number {
    return this.manifest.generation;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  putPapers(docs: readonly IndexableDoc[]): void {
    for (const doc of docs) this.pending.set(doc.id, doc);
  }

  removePapers(ids: readonly string[]): void {
    for (const id of ids) this.pending.set(id, null);
  }

  putVectors(model: string, vectors: readonly VectorInput[], cursor: string | null): void {
    const pending = this.pendingVectors.get(model) ?? { vectors: [], cursor };
    pending.vectors.push(...vectors);
    pending.cursor = cursor;
    this.pendingVectors.set(model, pending);
  }

  /** The key of the paper's live document, or -1. */
  private liveKey(paperId: string): number {
    for (const id of [...this.segments.keys()].reverse()) {
      const segment = this.segments.get(id) as FileSegment;
      const doc = segment.docOf(paperId);
      if (doc < 0) continue;
      const key = segment.keys[doc] as number;
      if (this.keys.segments[key] === id && this.keys.docs[key] === doc) return key;
    }
    return -1;
  }

  private kill(segmentId: number, doc: number): void {
    let reader = this.forward.get(segmentId);
    if (!reader) this.forward.set(segmentId, (reader = new ForwardReader(this.dir, segmentId)));
    const entry = reader.entry(doc);
    let dead = this.dead.get(segmentId);
    if (!dead) this.dead.set(segmentId, (dead = new Dead()));
    dead.record(entry.lengths, entry.ordinals);
  }

  private async exclusive<T>(work: () => Promise<T>): Promise<T> {
    const previous = this.lock;
    let release!: () => void;
    this.lock = new Promise((resolve) => (release = resolve));
    await previous;
    try {
      return await work();
    } catch (error) {
      throw this.failure(error);
    } finally {
      release();
    }
  }

  /** A full disk, said as such; other errors as they are. */
  private failure(error: unknown): unknown {
    return diskFull(error, `the search index in ${this.dir}`) ?? error;
  }

  /**
   * Writes what is pending as new segments and publishes a generation that has applied the paper feed up
   * to `papersCursor`. Nothing is published when nothing changed.
   */
  async commit(papersCursor: string | null, storeRevision: number, options: { flushVectors?: boolean } = {}) {
    await this.exclusive(async () => {
      this.ensureHeld();
      const before = JSON.stringify(this.cursors);
      let changed = await this.applyPapers();
      for (const [model, { vectors, cursor }] of this.pendingVectors) {
        changed = this.applyVectors(model, vectors, cursor) || changed;
      }
      this.pendingVectors.clear();
      if (options.flushVectors) {
        for (const state of this.models.values()) {
          const open = state.open;
          if (!open) continue;
          state.open = null;
          if (open.writer.count < (this.options.inlineVectorRows ?? 20_000)) {
            await open.writer.finish(pause);
            await this.placeFinished(state, open.writer);
          } else this.finishInBackground(state, open);
          changed = true;
        }
      }
      this.manifest.cursor = papersCursor;
      this.manifest.storeRevision = storeRevision;
      this.updateVectorCursors();
      if (changed || JSON.stringify(this.cursors) !== before || readCurrent(this.dir) === null) {
        await this.publishGeneration();
      }
    });
  }

  /**
   * A model's published cursor never passes vectors that are not in a finished segment: a writer killed
   * before their graph is built reads them again.
   */
  private updateVectorCursors(): void {
    for (const state of this.models.values()) {
      const oldest = state.finishing[0] ?? state.open;
      state.entry.cursor = oldest ? oldest.startCursor : state.fed;
    }
  }

  /** Writes the pending papers as one new segment; the versions they replace die. */
  private async applyPapers(): Promise<boolean> {
    if (this.pending.size === 0) return false;
    const builder = new SegmentBuilder(this.params);
    const placed: { key: number; doc: number }[] = [];
    for (const [paperId, doc] of this.pending) {
      const key = this.liveKey(paperId);
      if (key >= 0) {
        this.kill(this.keys.segments[key] as number, this.keys.docs[key] as number);
        this.keys.set(key, 0, 0);
      }
      if (doc === null) {
        if (key >= 0) for (const state of this.models.values()) this.unplaceVector(state, key);
        continue;
      }
      const newKey = key >= 0 ? key : this.manifest.nextKey++;
      placed.push({ key: newKey, doc: builder.docCount });
      builder.add(doc, newKey);
    }
    this.pending.clear();
    this.keysChanged = true;
    if (builder.docCount === 0) return true;
    const id = this.manifest.nextSegmentId++;
    writeSegment(this.dir, id, builder.finish());
    for (const { key, doc } of placed) this.keys.set(key, id, doc);
    const segment = await FileSegment.open(this.dir, id, this.cache);
    this.segments.set(id, segment);
    this.manifest.segments.push({ id, docs: segment.docCount, live: segment.docCount, deletions: null });
    return true;
  }

  private keysChanged = false;
  /** During a rebuild, the generation readers are served meanwhile. */
  private rebuilding: Manifest | null = null;

  /** Publishes a rebuilt index: readers switch to it. */
  async finishRebuild(): Promise<void> {
    await this.exclusive(async () => {
      if (!this.rebuilding) return;
      this.ensureHeld();
      this.rebuilding = null;
      await this.publishGeneration();
    });
  }

  private modelState(model: string, dims: number): ModelState {
    let state = this.models.get(model);
    if (!state) {
      const hash = modelHash(model);
      state = {
        entry: { hash, dims, segments: [], keys: vectorKeysName(hash, 0), cursor: null },
        keys: new Keys(null, this.manifest.nextKey),
        segments: new Map(),
        live: new Map(),
        open: null,
        finishing: [],
        fed: null,
        changed: true,
      };
      this.models.set(model, state);
      this.manifest.vectors[model] = state.entry;
    }
    if (state.entry.dims === 0) state.entry.dims = dims;
    return state;
  }

  private unplaceVector(state: ModelState, key: number): void {
    const segment = state.keys.segments[key] ?? 0;
    if (segment === 0) return;
    state.live.set(segment, (state.live.get(segment) ?? 1) - 1);
    state.keys.set(key, 0, 0);
    state.changed = true;
  }

  private applyVectors(model: string, vectors: readonly VectorInput[], cursor: string | null): boolean {
    const state = this.modelState(model, (vectors[0] as VectorInput | undefined)?.vector.length ?? 0);
    for (const { paperId, vector } of vectors) {
      const key = this.liveKey(paperId);
      if (key < 0) continue;
      if (vector.length !== state.entry.dims) {
        throw new Error(
          `the embedding of ${paperId} has ${vector.length} dimensions where the index of ${model} has ${state.entry.dims}`,
        );
      }
      state.open ??= {
        writer: new VectorSegmentWriter(
          this.dir,
          state.entry.hash,
          this.manifest.nextSegmentId++,
          this.vectorOptions,
        ),
        startCursor: state.fed,
      };
      state.open.writer.add(key, vector);
      if (state.open.writer.count >= (this.options.vectorSegmentRows ?? 1_000_000)) {
        this.finishInBackground(state, state.open);
        state.open = null;
      }
    }
    state.fed = cursor;
    return vectors.length > 0;
  }

  private finishInBackground(state: ModelState, open: OpenVectors): void {
    state.finishing.push(open);
    this.inBackground(async () => {
      try {
        await open.writer.finish(pause);
        await this.exclusive(async () => {
          this.ensureHeld();
          await this.placeFinished(state, open.writer);
          state.finishing.splice(state.finishing.indexOf(open), 1);
          this.updateVectorCursors();
          await this.publishGeneration();
        });
      } catch (error) {
        open.writer.abandon();
        throw error;
      }
    });
  }

  /** Opens a finished vector segment and points each key at its last row there. */
  private async placeFinished(state: ModelState, writer: VectorSegmentWriter): Promise<void> {
    const segment = await VectorSegment.open(this.dir, state.entry.hash, writer.id, this.vectorOptions);
    state.segments.set(writer.id, segment);
    let live = 0;
    const lastRow = new Map<number, number>();
    segment.keys.forEach((key, row) => lastRow.set(key, row));
    for (const [key, row] of lastRow) {
      if (this.keys.segments[key] === 0) continue;
      this.unplaceVector(state, key);
      state.keys.set(key, writer.id, row);
      live++;
    }
    state.live.set(writer.id, live);
    state.entry.segments.push({ id: writer.id, count: segment.count, live });
    state.changed = true;
  }

  private inBackground(task: () => Promise<void>): void {
    this.backgroundTasks++;
    this.background = this.background
      .then(task)
      .catch((error: unknown) => {
        this.backgroundError ??= this.failure(error) as Error;
      })
      .finally(() => this.backgroundTasks--);
  }

  private backgroundError: Error | null = null;

  /** Resolves when the background work queued so far is done; rethrows its first failure. */
  async settle(): Promise<void> {
    await this.background;
    if (this.backgroundError) {
      const error = this.backgroundError;
      this.backgroundError = null;
      throw error;
    }
  }

  get busy(): boolean {
    return this.backgroundTasks > 0;
  }

  private ensureHeld(): void {
    if (this.closed) throw new Error('the index writer is closed');
    if (!this.writerLock.held()) {
      throw new Error(`another process took over the index lock in ${this.dir}; this writer stops`);
    }
  }

  private async publishGeneration(): Promise<void> {
    const generation = this.manifest.generation + 1;
    const segments = this.manifest.segments.map((entry) => {
      const dead = this.dead.get(entry.id);
      let deletions = entry.deletions;
      if (dead?.changed) {
        deletions = deletionsName(entry.id, generation);
        writeDeletions(join(this.dir, deletions), dead.frozen());
        dead.changed = false;
      }
      return { ...entry, live: entry.docs - (dead?.docs ?? 0), deletions };
    });
    let keys = this.manifest.keys;
    if (this.keysChanged || this.manifest.generation === 0) {
      keys = keysName(generation);
      writeKeyTable(join(this.dir, keys), this.keys, this.manifest.nextKey);
      this.keysChanged = false;
    }
    const vectors: Record<string, VectorEntry> = {};
    for (const [model, state] of this.models) {
      let keysFile = state.entry.keys;
      if (state.changed) {
        keysFile = vectorKeysName(state.entry.hash, generation);
        writeKeyTable(join(this.dir, keysFile), state.keys, this.manifest.nextKey);
        state.changed = false;
      }
      state.entry = {
        ...state.entry,
        keys: keysFile,
        segments: state.entry.segments.map((s) => ({ ...s, live: state.live.get(s.id) ?? 0 })),
      };
      vectors[model] = state.entry;
    }
    const manifest: Manifest = {
      ...this.manifest,
      generation,
      createdAt: new Date().toISOString(),
      segments,
      keys,
      vectors,
    };
    publish(this.dir, manifest, this.rebuilding === null);
    const previous = this.manifest;
    this.manifest = manifest;
    const keep = [manifest, previous, ...(this.rebuilding ? [this.rebuilding] : [])];
    await collectGarbage(this.dir, keep);
  }

  /** Starts the merges the policies ask for, one after another, in the background. */
  scheduleMerges(): boolean {
    if (this.backgroundTasks > 0) return false;
    const lexical = chooseMerge(
      this.manifest.segments.map((s) => ({ id: s.id, docs: s.docs, live: s.live })),
      this.options.lexicalPolicy ?? DEFAULT_MERGE_POLICY,
    );
    if (lexical) {
      this.inBackground(() => this.mergeLexical(lexical));
      return true;
    }
    for (const state of this.models.values()) {
      if (state.finishing.length > 0) continue;
      const chosen = chooseMerge(
        state.entry.segments.map((s) => ({ id: s.id, docs: s.count, live: s.live })),
        this.options.vectorPolicy ?? { ...DEFAULT_MERGE_POLICY, maxMergedDocs: 1_000_000 },
      );
      if (chosen) {
        this.inBackground(() => this.mergeVectors(state, chosen));
        return true;
      }
    }
    return false;
  }

  private async mergeLexical(ids: readonly number[]): Promise<void> {
    // What is live when the merge begins; what dies while it runs is found when it is committed.
    const keys = this.keys.copy(this.manifest.nextKey);
    const inputs = ids.map((id) => {
      const segment = this.segments.get(id) as FileSegment;
      return {
        segment,
        live: (doc: number) => {
          const key = segment.keys[doc] as number;
          return keys.segments[key] === id && keys.docs[key] === doc;
        },
        deletions: this.dead.get(id)?.frozen() ?? NO_DELETIONS,
      };
    });
    const id = this.manifest.nextSegmentId++;
    this.status('merging', `merging ${ids.length} segments`, 0, 0);
    const result = await mergeSegments(this.dir, id, inputs, this.params, pause);
    await this.exclusive(async () => {
      this.ensureHeld();
      const merged = await FileSegment.open(this.dir, id, this.cache);
      let reader: ForwardReader | null = null;
      const dead = new Dead();
      for (let doc = 0; doc < result.docCount; doc++) {
        const key = result.keys[doc] as number;
        const from = ids[result.sources.input[doc] as number] as number;
        if (this.keys.segments[key] === from && this.keys.docs[key] === result.sources.doc[doc]) {
          this.keys.set(key, id, doc);
        } else {
          // Replaced or removed while the merge ran.
          reader ??= new ForwardReader(this.dir, id);
          const entry = reader.entry(doc);
          dead.record(entry.lengths, entry.ordinals);
        }
      }
      reader?.close();
      for (const input of ids) {
        this.segments.get(input)?.close();
        this.segments.delete(input);
        this.forward.get(input)?.close();
        this.forward.delete(input);
        this.dead.delete(input);
      }
      this.segments.set(id, merged);
      if (dead.docs > 0) this.dead.set(id, dead);
      this.keysChanged = true;
      this.manifest.segments = [
        ...this.manifest.segments.filter((s) => !ids.includes(s.id)),
        { id, docs: merged.docCount, live: merged.docCount - dead.docs, deletions: null },
      ].sort((a, b) => a.id - b.id);
      await this.publishGeneration();
    });
  }

  private async mergeVectors(state: ModelState, ids: readonly number[]): Promise<void> {
    const writer = new VectorSegmentWriter(
      this.dir,
      state.entry.hash,
      this.manifest.nextSegmentId++,
      this.vectorOptions,
    );
    try {
      const keys = state.keys.copy(this.manifest.nextKey);
      for (const id of ids) {
        const segment = state.segments.get(id) as VectorSegment;
        for (let row = 0; row < segment.count; row++) {
          const key = segment.keys[row] as number;
          if (keys.segments[key] === id && keys.docs[key] === row) writer.add(key, segment.vector(row));
        }
        await pause();
      }
      this.status('merging', `merging ${ids.length} vector segments`, 0, 0);
      await writer.finish(pause);
    } catch (error) {
      writer.abandon();
      throw error;
    }
    await this.exclusive(async () => {
      this.ensureHeld();
      const merged = await VectorSegment.open(this.dir, state.entry.hash, writer.id, this.vectorOptions);
      let live = 0;
      for (let row = 0; row < merged.count; row++) {
        const key = merged.keys[row] as number;
        // Still where the merge found it: not replaced by a newer segment nor removed meanwhile.
        if (!ids.includes(state.keys.segments[key] ?? 0)) continue;
        state.keys.set(key, writer.id, row);
        live++;
      }
      for (const id of ids) {
        state.segments.get(id)?.close();
        state.segments.delete(id);
        state.live.delete(id);
      }
      state.segments.set(writer.id, merged);
      state.live.set(writer.id, live);
      state.entry.segments = [
        ...state.entry.segments.filter((s) => !ids.includes(s.id)),
        { id: writer.id, count: merged.count, live },
      ];
      state.changed = true;
      await this.publishGeneration();
    });
  }

  private lastStatus = { line: '', at: 0 };

  /** Says what the writer is doing; the same state is written again at most every few seconds. */
  status(state: IndexStatus['state'], activity: string, done: number, total: number): void {
    const line = `${state} ${activity}`;
    const now = Date.now();
    if (line === this.lastStatus.line && now - this.lastStatus.at < (state === 'idle' ? 30_000 : 2_000))
      return;
    this.lastStatus = { line, at: now };
    const status: IndexStatus = {
      pid: process.pid,
      state,
      activity,
      done,
      total,
      updatedAt: new Date(now).toISOString(),
    };
    writeStatus(this.dir, status);
    this.options.onStatus?.(status);
  }

  async close(): Promise<void> {
    try {
      await this.background.catch(() => undefined);
    } finally {
      this.closed = true;
      for (const segment of this.segments.values()) segment.close();
      for (const reader of this.forward.values()) reader.close();
      for (const state of this.models.values()) {
        state.open?.writer.abandon();
        for (const segment of state.segments.values()) segment.close();
      }
      this.status('stopped', 'not running', 0, 0);
      this.writerLock.release();
    }
  }
}

const pause = () => new Promise<void>((resolve) => setImmediate(resolve));
