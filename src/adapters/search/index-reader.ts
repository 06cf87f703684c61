/**
 * Reads published generations of an index folder. `refresh` looks at `CURRENT` and, when a new generation
 * was published, loads what changed (segments already open are kept, being immutable) and switches to it
 * at once; searches in progress keep the snapshot they started with. Files of a generation given up are
 * closed when no snapshot needs them any more.
 */
import { join } from 'node:path';
import type { IndexSnapshot, IndexStatus, SearchIndexReader, VectorSnapshot } from '../../app/ports.js';
import type { KeyFilter } from '../../core/search/lexical-search.js';
import type { Segment } from '../../core/search/segment.js';
import { dotProduct } from '../../core/search/vectors.js';
import { LexicalSnapshot, type KeyTable, type SegmentDeletions } from '../../core/search/snapshot.js';
import {
  readCurrent,
  readDeletions,
  readKeyTable,
  readManifest,
  readStatus,
  type Manifest,
} from './index-folder.js';
import { FileSegment, PostingCache } from './segment-files.js';
import {
  bestFirst,
  DEFAULT_VECTOR_OPTIONS,
  EXACT_FALLBACK_ROWS,
  readInTurns,
  VectorSegment,
  type GraphSearcher,
  type VectorHit,
  type VectorSegmentOptions,
} from './vector-segments.js';

export interface ReaderOptions {
  /** Bytes of decoded posting lists kept in memory. */
  cacheBytes?: number;
  /** Posting files up to this size are read whole when their segment opens (default 16 MB). */
  residentPostingsBytes?: number;
  vectors?: Partial<VectorSegmentOptions>;
  /** Where searches walk the graphs when they may wait for it (a server's graph thread). */
  graphs?: GraphSearcher;
}

/** Vector search over one model's segments, each row live only where its key's table says. */
class SegmentedVectors implements VectorSnapshot {
  readonly size: number;

  constructor(
    private readonly segments: readonly VectorSegment[],
    private readonly keys: KeyTable,
    /** Live vectors, as the manifest counts them. */
    live: number,
    private readonly graphs: GraphSearcher | null,
  ) {
    this.size = live;
  }

  private isLive(segment: VectorSegment, row: number): boolean {
    const key = segment.keys[row] as number;
    return this.keys.segments[key] === segment.id && this.keys.docs[key] === row;
  }

  /**
   * A filter that lists the papers it accepts is answered by scoring them all, when they are few. One that
   * could list them and did not (a required word or a category of many papers) is broad: its papers are
   * too many to score one by one, and no segment tests its rows one by one for it either (a probe of the
   * posting lists per row, over millions of rows, took seconds).
   */
  search(query: Float32Array, k: number, accept: KeyFilter | null) {
    const listed = accept?.enumerate?.(EXACT_FALLBACK_ROWS);
    if (listed)
      return this.ranked(
        listed,
        listed.map((key) => this.vector(key)),
        query,
        k,
      );
    const broad = accept?.enumerate !== undefined;
    return this.merged(
      this.segments.map((segment) => segment.search(query, k, this.rowFilter(segment, accept), broad)),
      k,
    );
  }

  /**
   * The same ranking, with the graph walks and the reads of rows off the event loop: every walk, a filter's
   * wider ones included, is the graph thread's, and rows scored here are read on libuv's pool. A thread that
   * failed leaves the segment to be searched here as before.
   */
  async searchAsync(query: Float32Array, k: number, accept: KeyFilter | null) {
    const graphs = this.graphs;
    if (!graphs) return this.search(query, k, accept);
    const listed = accept?.enumerate?.(EXACT_FALLBACK_ROWS);
    if (listed) return this.ranked(listed, await this.vectorsAsync(listed), query, k);
    const broad = accept?.enumerate !== undefined;
    const found = await Promise.all(
      this.segments.map(async (segment) => {
        const accepted = this.rowFilter(segment, accept);
        const first = segment.firstRound(query, k);
        if (!first) return [];
        for (let asked = first.asked; ; asked = Math.min(asked * 4, segment.count)) {
          const scored = await graphs
            .search(segment.graphFile, first.graphQuery, query, asked)
            .catch(() => null);
          if (!scored) return segment.search(query, k, accepted, broad);
          const settled = segment.settleScored(scored, asked, k, accepted);
          if (settled) return settled;
          if (asked >= segment.widestWalk) {
            const rows = broad ? null : segment.acceptedRows(accepted);
            if (rows) return segment.rescoreAsync(rows, query, k);
            return bestFirst(
              scored.filter((hit) => accepted(hit.row)),
              k,
            );
          }
        }
      }),
    );
    return this.merged(found, k);
  }

  private rowFilter(segment: VectorSegment, accept: KeyFilter | null): (row: number) => boolean {
    return (row) => this.isLive(segment, row) && (accept === null || accept(segment.keys[row] as number));
  }

  private merged(found: readonly VectorHit[][], k: number): { key: number; score: number }[] {
    const hits: { key: number; score: number }[] = [];
    found.forEach((segmentHits, i) => {
      const keys = (this.segments[i] as VectorSegment).keys;
      for (const hit of segmentHits) hits.push({ key: keys[hit.row] as number, score: hit.score });
    });
    return hits.sort((a, b) => b.score - a.score || a.key - b.key).slice(0, k);
  }

  /** A narrow filter's few keys, each scored exactly: no graph walk that most candidates fail. */
  private ranked(
    keys: readonly number[],
    vectors: readonly (Float32Array | null)[],
    query: Float32Array,
    k: number,
  ) {
    return keys
      .flatMap((key, i) => {
        const vector = vectors[i];
        return vector ? [{ key, score: dotProduct(vector, query) }] : [];
      })
      .sort((a, b) => b.score - a.score || a.key - b.key)
      .slice(0, k);
  }

  vector(key: number): Float32Array | null {
    const segment = this.segmentOf(key);
    return segment ? segment.vector(this.keys.docs[key] as number) : null;
  }

  vectorsAsync(keys: readonly number[]): Promise<(Float32Array | null)[]> {
    return readInTurns(
      keys,
      (key) => this.segmentOf(key)?.vectorAsync(this.keys.docs[key] as number) ?? Promise.resolve(null),
    );
  }

  private segmentOf(key: number): VectorSegment | undefined {
    const id = this.keys.segments[key];
    return id ? this.segments.find((s) => s.id === id) : undefined;
  }
}

interface Loaded {
  manifest: Manifest;
  snapshot: IndexSnapshot;
  lexical: FileSegment[];
  vectors: VectorSegment[];
}

export class SegmentedIndexReader implements SearchIndexReader {
  private readonly cache: PostingCache;
  private readonly residentPostingsBytes: number | undefined;
  private readonly vectorOptions: VectorSegmentOptions;
  private readonly graphs: GraphSearcher | null;
  private loaded: Loaded | null = null;
  private readonly lexical = new Map<number, FileSegment>();
  private readonly vectorSegments = new Map<string, VectorSegment>();
  private refreshing: Promise<boolean> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastError: Error | null = null;

  constructor(
    readonly dir: string,
    options: ReaderOptions = {},
  ) {
    this.cache = new PostingCache(options.cacheBytes);
    this.residentPostingsBytes = options.residentPostingsBytes;
    this.vectorOptions = { ...DEFAULT_VECTOR_OPTIONS, ...options.vectors };
    this.graphs = options.graphs ?? null;
  }

  current(): IndexSnapshot | null {
    return this.loaded?.snapshot ?? null;
  }

  /** Why the last refresh failed, if it did (the previous generation is still served). */
  get error(): Error | null {
    return this.lastError;
  }

  /** Switches to the newest published generation; resolves true when it switched. */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.load().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  /** Keeps refreshing every `intervalMs` in the background. */
  follow(intervalMs = 250): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.refresh().catch(() => undefined);
    }, intervalMs);
    this.timer.unref();
  }

  status(): Promise<IndexStatus | null> {
    return readStatus(this.dir);
  }

  private async load(): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      const generation = readCurrent(this.dir);
      if (generation === null || generation === this.loaded?.manifest.generation) return false;
      try {
        const loaded = await this.open(generation);
        const previous = this.loaded;
        this.loaded = loaded;
        this.lastError = null;
        if (previous) this.release(previous, loaded);
        return true;
      } catch (error) {
        // A generation removed between reading CURRENT and opening its files: read CURRENT again.
        if (attempt < 3 && (error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        this.lastError = error as Error;
        throw error;
      }
    }
  }

  private async open(generation: number): Promise<Loaded> {
    const manifest = await readManifest(this.dir, generation);
    const keys = await readKeyTable(join(this.dir, manifest.keys));
    const deletions = new Map<number, SegmentDeletions>();
    const lexical: FileSegment[] = [];
    for (const entry of manifest.segments) {
      let segment = this.lexical.get(entry.id);
      if (!segment) {
        segment = await FileSegment.open(this.dir, entry.id, this.cache, this.residentPostingsBytes);
        this.lexical.set(entry.id, segment);
      }
      lexical.push(segment);
      if (entry.deletions) deletions.set(entry.id, await readDeletions(join(this.dir, entry.deletions)));
    }
    const vectors = new Map<string, VectorSnapshot>();
    const vectorSegments: VectorSegment[] = [];
    for (const [model, entry] of Object.entries(manifest.vectors)) {
      const table = await readKeyTable(join(this.dir, entry.keys));
      const segments: VectorSegment[] = [];
      for (const { id } of entry.segments) {
        const name = `${entry.hash}:${id}`;
        let segment = this.vectorSegments.get(name);
        if (!segment) {
          segment = await VectorSegment.open(this.dir, entry.hash, id, this.vectorOptions);
          this.vectorSegments.set(name, segment);
        }
        segments.push(segment);
      }
      vectorSegments.push(...segments);
      const live = entry.segments.reduce((sum, segment) => sum + segment.live, 0);
      if (segments.length > 0) vectors.set(model, new SegmentedVectors(segments, table, live, this.graphs));
    }
    const snapshot: IndexSnapshot = {
      generation,
      lexical: new LexicalSnapshot(manifest.params, lexical as Segment[], keys, deletions),
      vectors: (model) => vectors.get(model) ?? null,
      prefetch: async (terms) => {
        await Promise.all(lexical.map((segment) => segment.prefetch(terms)));
      },
      papersCursor: manifest.cursor,
      storeRevision: manifest.storeRevision,
      embeddingsCursor: (model) => manifest.vectors[model]?.cursor ?? null,
    };
    return { manifest, snapshot, lexical, vectors: vectorSegments };
  }

  /**
   * Closes the segments the new generation no longer uses. A search still running on the old snapshot
   * finishes first: its only waits are its graph walks and turns of the event loop between lexical
   * segments and slices of a long ranking, milliseconds each, and closing waits 30 s.
   */
  private release(previous: Loaded, next: Loaded): void {
    const keptLexical = new Set(next.lexical);
    const keptVectors = new Set(next.vectors);
    const closing = previous.lexical.filter((s) => !keptLexical.has(s));
    const closingVectors = previous.vectors.filter((s) => !keptVectors.has(s));
    for (const segment of closing) this.lexical.delete(segment.id);
    for (const [name, segment] of this.vectorSegments)
      if (closingVectors.includes(segment)) this.vectorSegments.delete(name);
    const timer = setTimeout(() => {
      for (const segment of closing) segment.close();
      for (const segment of closingVectors) {
        segment.close();
        this.graphs?.forget(segment.graphFile);
      }
    }, 30_000);
    timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const segment of this.lexical.values()) segment.close();
    for (const segment of this.vectorSegments.values()) {
      segment.close();
      this.graphs?.forget(segment.graphFile);
    }
    this.lexical.clear();
    this.vectorSegments.clear();
    this.loaded = null;
  }
}
