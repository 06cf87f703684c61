/**
 * Vector segments on disk, one set per embedding model. Segment N of model H is three immutable files:
 *
 * - `vec-H-N.rows`: one float32 row per vector, for exact similarities;
 * - `vec-H-N.usearch`: an HNSW graph (usearch, int8) over the rows, keyed by row number; for large segments
 *   over the rows projected onto their top principal directions (core/search/projection.ts), which halves
 *   the graph's memory; candidates are re-scored exactly from the rows;
 * - `vec-H-N.meta`: each row's key, the projection and the int8 scale, written last.
 *
 * Readers map the graph (usearch `view`: pages are shared between processes and read as they are touched)
 * and read rows as searches need them, except in small segments, whose rows they hold.
 */
import { closeSync, fstatSync, fsyncSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Index, MetricKind, ScalarKind } from 'usearch';
import {
  fitProjection,
  project,
  type Projection,
  type ProjectionSize,
} from '../../core/search/projection.js';
import { dotProduct } from '../../core/search/vectors.js';
import { readContainer, readFullyAt, temporaryPath, writeContainer } from './container.js';

export interface VectorSegmentOptions {
  /** HNSW candidates kept while searching; more is slower and finds more of the true neighbours. */
  expansionSearch: number;
  /** The fewest graph hits re-scored exactly for one search. */
  rescoreCandidates: number;
  /** Segments with at least this many rows get a projected graph. */
  projectFrom: number;
  /** How many dimensions projected graphs keep (core/search/projection.ts). */
  projection: ProjectionSize;
}

export const DEFAULT_VECTOR_OPTIONS: VectorSegmentOptions = Object.freeze({
  expansionSearch: 512,
  rescoreCandidates: 64,
  projectFrom: 20_000,
  // 96.5% of the energy: USE-lite keeps 128 of its 512 dimensions, and recall@10 after re-scoring is the
  // same as with 256 (0.971 against 0.9705 over 300,000 papers; docs/benchmarks.md). A model whose vectors
  // spread over more directions keeps more, up to 256.
  projection: Object.freeze({ minDims: 64, maxDims: 256, energy: 0.965 }),
});

export const vectorSegmentFiles = (model: string, id: number) =>
  ['rows', 'usearch', 'meta'].map((ext) => `vec-${model}-${String(id).padStart(6, '0')}.${ext}`);

const fileOf = (dir: string, model: string, id: number, ext: 'rows' | 'usearch' | 'meta') =>
  join(dir, `vec-${model}-${String(id).padStart(6, '0')}.${ext}`);

/** Rows up to this size are held in memory by readers. */
const RESIDENT_ROWS = 32 * 1024 * 1024;
/** A narrow filter is answered by scoring every accepted row when no more than this many are accepted. */
export const EXACT_FALLBACK_ROWS = 20_000;

/**
 * Reads issued in one turn of the event loop. A narrow filter scores up to EXACT_FALLBACK_ROWS rows; issuing
 * them all at once held the event loop for about 100 ms at 2.6M papers, the reads only being queued.
 */
const READS_PER_TURN = 256;

/** `read` of every item, at most READS_PER_TURN in flight, the event loop free between them. */
export async function readInTurns<T, R>(items: readonly T[], read: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += READS_PER_TURN) {
    results.push(...(await Promise.all(items.slice(start, start + READS_PER_TURN).map(read))));
  }
  return results;
}

export interface VectorHit {
  row: number;
  score: number;
}

/** A published segment's graph and rows files, as another thread opens them. */
export interface GraphFile {
  path: string;
  dims: number;
  expansion: number;
  rowsPath: string;
  rowDims: number;
}

/** Walks graphs on a thread other than the caller's (graph-thread.ts), so that a server's loop stays free. */
export interface GraphSearcher {
  /**
   * The `count` rows the graph finds nearest to `graphQuery` (the query projected and scaled into the
   * graph's space), each with its exact similarity to `query` read from the rows file.
   */
  search(
    graph: GraphFile,
    graphQuery: Float32Array,
    query: Float32Array,
    count: number,
  ): Promise<VectorHit[]>;
  /** The files are searched no more: their mappings and descriptors can go. */
  forget(graph: GraphFile): void;
}

/** A row's float32 vector, read from a rows file of `dims` columns. */
function readRow(fd: number, dims: number, row: number, path: string): Float32Array {
  const vector = new Float32Array(dims);
  const bytes = new Uint8Array(vector.buffer);
  let read = 0;
  while (read < bytes.length) {
    const n = readSync(fd, bytes, read, bytes.length - read, row * dims * 4 + read);
    if (n === 0) throw new Error(`${path} is truncated`);
    read += n;
  }
  return vector;
}

/** The same, read on libuv's pool: many rows are read at once rather than one after another. */
export async function readRowAsync(
  fd: number,
  dims: number,
  row: number,
  path: string,
): Promise<Float32Array> {
  const vector = new Float32Array(dims);
  await readFullyAt(fd, new Uint8Array(vector.buffer), row * dims * 4, path);
  return vector;
}

export function newGraph(dims: number, expansion: number): Index {
  return new Index({
    dimensions: dims,
    metric: MetricKind.Cos,
    quantization: ScalarKind.I8,
    connectivity: 16,
    expansion_add: 128,
    expansion_search: expansion,
    multi: false,
  });
}

const clamp = (value: number) => Math.max(-1, Math.min(1, value));

export const bestFirst = (hits: VectorHit[], k: number) =>
  hits.sort((a, b) => b.score - a.score || a.row - b.row).slice(0, k);

export class VectorSegment {
  private fd: number | null = null;
  private resident: Float32Array | null = null;
  private mapped: Index | null = null;

  private constructor(
    readonly id: number,
    private readonly path: string,
    readonly dims: number,
    readonly keys: Uint32Array,
    private readonly projection: Projection | null,
    /** Graph inputs are multiplied by this before int8 quantisation maps [-1, 1] to [-127, 127]. */
    private readonly scale: number,
    private readonly graphPath: string,
    private readonly options: VectorSegmentOptions,
  ) {}

  /**
   * The graph, mapped when this thread first walks it. A server walks on its graph thread, which maps the
   * file itself: mapping it here as well would page in the whole file a second time (usearch reads every
   * node to find where each starts), which a server's memory counts twice.
   */
  private get graph(): Index {
    if (!this.mapped) {
      this.mapped = newGraph(this.projection?.to ?? this.dims, this.options.expansionSearch);
      this.mapped.view(this.graphPath);
    }
    return this.mapped;
  }

  static async open(
    dir: string,
    model: string,
    id: number,
    options: VectorSegmentOptions = DEFAULT_VECTOR_OPTIONS,
  ): Promise<VectorSegment> {
    const metaPath = fileOf(dir, model, id, 'meta');
    const { header, sections } = readContainer(await readFile(metaPath), metaPath);
    const dims = header.dims as number;
    const projection = header.projectedDims
      ? { from: dims, to: header.projectedDims as number, matrix: sections.projection as Float32Array }
      : null;
    const rowsPath = fileOf(dir, model, id, 'rows');
    const segment = new VectorSegment(
      id,
      rowsPath,
      dims,
      sections.keys as Uint32Array,
      projection,
      header.scale as number,
      fileOf(dir, model, id, 'usearch'),
      options,
    );
    const fd = openSync(rowsPath, 'r');
    if (fstatSync(fd).size <= RESIDENT_ROWS) {
      closeSync(fd);
      const bytes = await readFile(rowsPath);
      segment.resident = new Float32Array(
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
      );
    } else segment.fd = fd;
    return segment;
  }

  get count(): number {
    return this.keys.length;
  }

  vector(row: number): Float32Array {
    if (this.resident) return this.resident.slice(row * this.dims, (row + 1) * this.dims);
    return readRow(this.fd as number, this.dims, row, this.path);
  }

  vectorAsync(row: number): Promise<Float32Array> {
    if (this.resident) return Promise.resolve(this.vector(row));
    return readRowAsync(this.fd as number, this.dims, row, this.path);
  }

  private similarity(row: number, query: Float32Array): number {
    if (this.resident) {
      let score = 0;
      const base = row * this.dims;
      for (let j = 0; j < this.dims; j++) score += (this.resident[base + j] as number) * (query[j] as number);
      return score;
    }
    return dotProduct(this.vector(row), query);
  }

  private graphQuery(query: Float32Array): Float32Array {
    const projected = this.projection ? project(this.projection, query) : query;
    return projected.map((value) => clamp(value * this.scale));
  }

  get graphFile(): GraphFile {
    return {
      path: this.graphPath,
      dims: this.projection?.to ?? this.dims,
      expansion: this.options.expansionSearch,
      rowsPath: this.path,
      rowDims: this.dims,
    };
  }

  /**
   * The k rows most like the query among those `accept` lets through, re-scored exactly. A filter that
   * drops too many of a walk's rows asks for walks four times wider, up to `widestWalk`; then the rows it
   * accepts are scored one by one when they are few, unless the filter is `broad` (known to accept too many
   * papers for that), and otherwise the widest walk's are the answer.
   */
  search(query: Float32Array, k: number, accept: (row: number) => boolean, broad = false): VectorHit[] {
    const first = this.firstRound(query, k);
    if (!first) return [];
    for (let asked = first.asked; ; asked = Math.min(asked * 4, this.count)) {
      const found = [...this.graph.search(first.graphQuery, asked, 1).keys].map(Number);
      const settled = this.settle(found, asked, query, k, accept);
      if (settled) return settled;
      if (asked >= this.widestWalk) {
        return this.rescore((!broad && this.acceptedRows(accept)) || found.filter(accept), query, k);
      }
    }
  }

  /** The widest walk a filtered search asks for. */
  get widestWalk(): number {
    return Math.max(this.options.expansionSearch, 1024);
  }

  /**
   * Every row the filter accepts, or null past EXACT_FALLBACK_ROWS. It tests each row: for filters that
   * cannot list what they accept from posting lists (dates, excluded words), whose tests are cheap.
   */
  acceptedRows(accept: (row: number) => boolean): number[] | null {
    const accepted: number[] = [];
    for (let row = 0; row < this.count; row++) {
      if (accept(row) && accepted.push(row) > EXACT_FALLBACK_ROWS) return null;
    }
    return accepted;
  }

  /** `rescore`, with the rows read on libuv's pool. */
  async rescoreAsync(rows: readonly number[], query: Float32Array, k: number): Promise<VectorHit[]> {
    const vectors = await readInTurns(rows, (row) => this.vectorAsync(row));
    return bestFirst(
      rows.map((row, i) => ({ row, score: dotProduct(vectors[i] as Float32Array, query) })),
      k,
    );
  }

  /**
   * What to ask the graph first: int8 distances are coarse, so at least rescoreCandidates rows, re-scored
   * exactly. Null for an empty search.
   */
  firstRound(query: Float32Array, k: number): { graphQuery: Float32Array; asked: number } | null {
    if (this.count === 0 || k <= 0) return null;
    return {
      graphQuery: this.graphQuery(query),
      asked: Math.min(Math.max(k * 2, this.options.rescoreCandidates), this.count),
    };
  }

  /**
   * The hits, when the `asked` rows the graph found settle the search: k of them pass `accept`, or the graph
   * has no more. Null when a filter (or dead rows) dropped too many: ask the graph for more.
   */
  settle(
    found: readonly number[],
    asked: number,
    query: Float32Array,
    k: number,
    accept: (row: number) => boolean,
  ): VectorHit[] | null {
    const rows = found.filter(accept);
    return this.settled(rows.length, found.length, asked, k) ? this.rescore(rows, query, k) : null;
  }

  /** The same for rows that come already re-scored (from the graph thread). */
  settleScored(
    found: readonly VectorHit[],
    asked: number,
    k: number,
    accept: (row: number) => boolean,
  ): VectorHit[] | null {
    const hits = found.filter((hit) => accept(hit.row));
    return this.settled(hits.length, found.length, asked, k) ? bestFirst(hits, k) : null;
  }

  private settled(accepted: number, found: number, asked: number, k: number): boolean {
    return accepted >= k || found < asked || asked >= this.count;
  }

  private rescore(rows: readonly number[], query: Float32Array, k: number): VectorHit[] {
    return bestFirst(
      rows.map((row) => ({ row, score: this.similarity(row, query) })),
      k,
    );
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * Writes a vector segment: rows are appended as they come, then the graph is built from the file in
 * batches (awaiting `pause` between them, so that a large build shares its process with other work).
 */
export class VectorSegmentWriter {
  private readonly fd: number;
  private readonly keys: number[] = [];
  private dims = 0;
  private readonly rowsPath: string;

  constructor(
    private readonly dir: string,
    private readonly model: string,
    readonly id: number,
    private readonly options: VectorSegmentOptions = DEFAULT_VECTOR_OPTIONS,
  ) {
    this.rowsPath = fileOf(dir, model, id, 'rows');
    this.fd = openSync(temporaryPath(this.rowsPath), 'w+');
  }

  get count(): number {
    return this.keys.length;
  }

  add(key: number, vector: Float32Array): void {
    if (this.dims === 0) this.dims = vector.length;
    if (vector.length !== this.dims) {
      throw new Error(`a vector has ${vector.length} dimensions where this index has ${this.dims}`);
    }
    const bytes = new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength);
    let written = 0;
    while (written < bytes.length) {
      const position = this.keys.length * this.dims * 4 + written;
      written += writeSync(this.fd, bytes, written, bytes.length - written, position);
    }
    this.keys.push(key);
  }

  private readRows(start: number, count: number): Float32Array {
    const rows = new Float32Array(count * this.dims);
    const bytes = new Uint8Array(rows.buffer);
    let read = 0;
    while (read < bytes.length) {
      read += readSync(this.fd, bytes, read, bytes.length - read, start * this.dims * 4 + read);
    }
    return rows;
  }

  async finish(pause: () => Promise<void>): Promise<void> {
    const count = this.keys.length;
    const dims = Math.max(1, this.dims);
    let projection: Projection | null = null;
    if (count >= this.options.projectFrom && dims > this.options.projection.maxDims) {
      const stride = Math.max(1, Math.floor(count / 5000));
      const sample: Float32Array[] = [];
      for (let row = 0; row < count && sample.length < 5000; row += stride)
        sample.push(this.readRows(row, 1));
      projection = fitProjection(sample, this.options.projection);
      await pause();
    }
    const graphDims = projection?.to ?? dims;
    // The largest component (of a sample of up to 5,000 rows) sets the int8 scale: unscaled, the small
    // components of an embedding would use a handful of the 255 levels. Larger ones are clamped.
    let largest = 0;
    const batch = 2048;
    const stride = Math.max(1, Math.floor(count / 5000));
    for (let row = 0; row < count; row += stride) {
      const vector = this.readRows(row, 1);
      for (const value of projection ? project(projection, vector) : vector)
        largest = Math.max(largest, Math.abs(value));
    }
    const scale = largest > 0 ? 1 / largest : 1;
    const graph = newGraph(graphDims, this.options.expansionSearch);
    for (let start = 0; start < count; start += batch) {
      const size = Math.min(batch, count - start);
      const rows = this.readRows(start, size);
      const matrix = new Float32Array(size * graphDims);
      for (let r = 0; r < size; r++) {
        const row = rows.subarray(r * dims, (r + 1) * dims);
        matrix.set(projection ? project(projection, row) : row, r * graphDims);
      }
      for (let j = 0; j < matrix.length; j++) matrix[j] = clamp((matrix[j] as number) * scale);
      graph.add(
        BigUint64Array.from({ length: size }, (_, r) => BigInt(start + r)),
        matrix,
        0,
      );
      await pause();
    }
    const graphPath = fileOf(this.dir, this.model, this.id, 'usearch');
    const graphTemporary = temporaryPath(graphPath);
    graph.save(graphTemporary);
    renameSync(graphTemporary, graphPath);
    fsyncSync(this.fd);
    closeSync(this.fd);
    renameSync(temporaryPath(this.rowsPath), this.rowsPath);
    writeContainer(
      fileOf(this.dir, this.model, this.id, 'meta'),
      { id: this.id, dims, count, projectedDims: projection?.to ?? 0, scale },
      projection
        ? { keys: Uint32Array.from(this.keys), projection: projection.matrix }
        : { keys: Uint32Array.from(this.keys) },
    );
  }

  abandon(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}
