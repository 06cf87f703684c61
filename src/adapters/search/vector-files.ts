/**
 * Vector indexes on disk, one per embedding model, keyed by the lexical index's document numbers:
 *
 * - `vectors-<hash>.f32`: one float32 row per document (all zero where a document has no vector);
 * - `vectors-<hash>.usearch`: an HNSW graph (usearch, int8) over the rows, once there are enough of them
 *   that exact search gets slow;
 * - `vectors-<hash>.json`: what they were built from, written last, so a crash leaves the earlier state.
 *
 * Small corpora are searched exactly, from the rows in memory. Large ones are searched in the graph, and
 * the rows stay on disk, read one by one where a candidate's exact similarity is needed (hybrid ranking).
 * When only embeddings were added or changed since the files were written, and the lexical numbering kept
 * every document at its number, the files are updated in place rather than rebuilt.
 */
import {
  closeSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { Index, MetricKind, ScalarKind } from 'usearch';
import type { EmbeddingSource, VectorIndex } from '../../app/ports.js';
import { textHash } from '../../core/ids.js';
import type { LexicalIndex } from '../../core/search/lexical-index.js';
import { exactVectorSearch, type VectorHit } from '../../core/search/vectors.js';

export interface VectorFileOptions {
  /** Vectors from which on an HNSW graph is built instead of searching exactly. */
  annThreshold?: number;
  /** HNSW candidates kept while searching; more is slower and finds more of the true neighbours. */
  expansionSearch?: number;
  /** The fewest graph hits re-scored exactly for one search. */
  rescoreCandidates?: number;
  onProgress?: (what: string, done: number, total: number) => void;
}

interface Header {
  modelKey: string;
  numbering: string;
  dims: number;
  rows: number;
  present: number;
  embeddingsRevision: number;
  ann: boolean;
  /**
   * Vectors are multiplied by this before the graph quantises them to int8 (which maps [-1, 1] to
   * [-127, 127]): embedding components are small, so unscaled they would use a few of the 255 levels.
   * Cosine similarity does not change with scale.
   */
  graphScale: number;
}

/** Filtered searches fall back to reading every accepted row when no more than this many are accepted. */
const EXACT_FALLBACK_ROWS = 20_000;
const ANN_BATCH = 10_000;

export class VectorFiles {
  private readonly annThreshold: number;
  private readonly graphSearch: GraphSearch;

  constructor(
    private readonly dir: string,
    private readonly options: VectorFileOptions = {},
  ) {
    this.annThreshold = options.annThreshold ?? 50_000;
    this.graphSearch = {
      expansion: options.expansionSearch ?? 512,
      rescoreCandidates: options.rescoreCandidates ?? 40,
    };
  }

  private paths(modelKey: string) {
    mkdirSync(this.dir, { recursive: true });
    const base = join(this.dir, `vectors-${textHash(modelKey)}`);
    return { rows: `${base}.f32`, graph: `${base}.usearch`, header: `${base}.json` };
  }

  /**
   * The vector index for this lexical index, brought up to date with the embeddings: `current` (an index
   * opened earlier) or the files are updated in place when they can be, else everything is rebuilt.
   */
  async open(
    modelKey: string,
    lexical: LexicalIndex,
    embeddings: EmbeddingSource,
    current: VectorIndex | null,
  ): Promise<VectorIndex> {
    const paths = this.paths(modelKey);
    const saved = readHeader(paths.header);
    const reusable =
      saved !== null &&
      saved.modelKey === modelKey &&
      saved.numbering === lexical.numbering &&
      saved.rows <= lexical.docIds.length &&
      saved.embeddingsRevision <= embeddings.revision &&
      existsSync(paths.rows) &&
      (!saved.ann || existsSync(paths.graph));
    if (!reusable) return this.rebuild(modelKey, lexical, embeddings);
    if (saved.rows === lexical.docIds.length && saved.embeddingsRevision === embeddings.revision) {
      return current instanceof StoredVectors &&
        current.header.embeddingsRevision === saved.embeddingsRevision
        ? current
        : this.load(paths, saved);
    }
    return this.update(paths, saved, lexical, embeddings, current);
  }

  private load(paths: ReturnType<VectorFiles['paths']>, header: Header): StoredVectors {
    if (!header.ann) return new StoredVectors(header, paths.rows, null, loadRows(paths.rows, header));
    const graph = new Graph(header.dims, header.graphScale, this.graphSearch);
    graph.index.load(paths.graph);
    return new StoredVectors(header, paths.rows, graph, null);
  }

  private async rebuild(
    modelKey: string,
    lexical: LexicalIndex,
    embeddings: EmbeddingSource,
  ): Promise<VectorIndex> {
    const paths = this.paths(modelKey);
    const empty: Header = {
      modelKey,
      numbering: lexical.numbering,
      dims: 0,
      rows: 0,
      present: 0,
      embeddingsRevision: 0,
      ann: false,
      graphScale: 1,
    };
    writeFileSync(paths.rows, new Uint8Array(0));
    return this.update(paths, empty, lexical, embeddings, null);
  }

  /** Applies the embeddings written since the header's revision, and grows the rows to the lexical index. */
  private async update(
    paths: ReturnType<VectorFiles['paths']>,
    saved: Header,
    lexical: LexicalIndex,
    embeddings: EmbeddingSource,
    current: VectorIndex | null,
  ): Promise<VectorIndex> {
    const docOf = new Map(lexical.docIds.map((id, doc) => [id, doc]));
    const header: Header = { ...saved, rows: lexical.docIds.length, embeddingsRevision: embeddings.revision };
    const previous =
      current instanceof StoredVectors && current.header.embeddingsRevision === saved.embeddingsRevision
        ? current
        : saved.ann && saved.dims > 0
          ? this.load(paths, saved)
          : null;
    let graph = previous?.graph ?? null;
    const fd = openSync(paths.rows, 'r+');
    try {
      const changed: { doc: number; vector: Float32Array }[] = [];
      let done = 0;
      const flush = () => {
        if (changed.length === 0) return;
        for (const { doc, vector } of changed) {
          const existed = header.dims > 0 && doc < saved.rows && rowPresent(fd, header.dims, doc);
          if (!existed) header.present++;
          writeSync(fd, bytesOf(vector), 0, vector.byteLength, doc * header.dims * 4);
        }
        if (!graph && header.present >= this.annThreshold) graph = this.buildGraph(fd, header, docOf.size);
        else if (graph) graph.add(changed);
        done += changed.length;
        this.options.onProgress?.('reading vectors', done, Math.max(done, docOf.size));
        changed.length = 0;
      };
      for await (const { paperId, vector } of embeddings.changedSince(saved.embeddingsRevision)) {
        const doc = docOf.get(paperId);
        if (doc === undefined) continue;
        if (header.dims === 0) header.dims = vector.length;
        if (vector.length !== header.dims) {
          throw new Error(`embedding of ${paperId} has ${vector.length} dimensions, not ${header.dims}`);
        }
        changed.push({ doc, vector });
        if (changed.length >= ANN_BATCH) flush();
      }
      ftruncateSync(fd, header.rows * header.dims * 4);
      flush();
      if (done > 0)
        this.options.onProgress?.('reading vectors', Math.max(done, docOf.size), Math.max(done, docOf.size));
    } finally {
      closeSync(fd);
    }
    header.ann = graph !== null;
    if (graph) {
      header.graphScale = graph.scale;
      graph.index.save(`${paths.graph}.tmp`);
      renameSync(`${paths.graph}.tmp`, paths.graph);
    }
    writeFileSync(`${paths.header}.tmp`, JSON.stringify(header));
    renameSync(`${paths.header}.tmp`, paths.header);
    if (graph) return new StoredVectors(header, paths.rows, graph, null);
    return new StoredVectors(header, paths.rows, null, loadRows(paths.rows, header));
  }

  /** The graph over every row written so far, the first time the corpus crosses the threshold. */
  private buildGraph(fd: number, header: Header, rows: number): Graph {
    const rowBytes = header.dims * 4;
    const block = new Float32Array(ANN_BATCH * header.dims);
    const eachBlock = (use: (batch: { doc: number; vector: Float32Array }[], end: number) => void) => {
      for (let start = 0; start < rows; start += ANN_BATCH) {
        const count = Math.min(ANN_BATCH, rows - start);
        const read = readSync(fd, bytesOf(block), 0, count * rowBytes, start * rowBytes);
        const batch: { doc: number; vector: Float32Array }[] = [];
        for (let i = 0; i < Math.floor(read / rowBytes); i++) {
          const vector = block.subarray(i * header.dims, (i + 1) * header.dims);
          if (vector.some((value) => value !== 0)) batch.push({ doc: start + i, vector });
        }
        use(batch, start + count);
      }
    };
    let largest = 0;
    eachBlock((batch) => {
      for (const { vector } of batch)
        for (const value of vector) largest = Math.max(largest, Math.abs(value));
    });
    const graph = new Graph(header.dims, largest > 0 ? 1 / largest : 1, this.graphSearch);
    eachBlock((batch, end) => {
      graph.add(batch);
      this.options.onProgress?.('building the vector graph', end, rows);
    });
    return graph;
  }
}

interface GraphSearch {
  expansion: number;
  rescoreCandidates: number;
}

/** The usearch HNSW graph, keyed by document number, over scaled vectors. */
class Graph {
  readonly index: Index;

  constructor(
    dims: number,
    readonly scale: number,
    readonly searching: GraphSearch,
  ) {
    this.index = new Index({
      dimensions: dims,
      metric: MetricKind.Cos,
      quantization: ScalarKind.I8,
      connectivity: 16,
      expansion_add: 128,
      expansion_search: searching.expansion,
      multi: false,
    });
  }

  add(items: readonly { doc: number; vector: Float32Array }[]): void {
    if (items.length === 0) return;
    const keys = new BigUint64Array(items.map(({ doc }) => BigInt(doc)));
    const replaced = keys.filter((key) => this.index.contains(key) as boolean);
    if (replaced.length > 0) this.index.remove(replaced);
    const dims = (items[0] as { vector: Float32Array }).vector.length;
    const matrix = new Float32Array(items.length * dims);
    items.forEach(({ vector }, i) => matrix.set(vector, i * dims));
    for (let j = 0; j < matrix.length; j++) matrix[j] = clamp((matrix[j] as number) * this.scale);
    this.index.add(keys, matrix, 0);
  }

  /** Document numbers of the nearest `count`, nearest first. */
  search(query: Float32Array, count: number): number[] {
    const scaled = query.map((value) => clamp(value * this.scale));
    return [...this.index.search(scaled, count, 1).keys].map(Number);
  }
}

const clamp = (value: number) => Math.max(-1, Math.min(1, value));

/** A vector index over the stored rows: exact when they are in memory, else through the HNSW graph. */
class StoredVectors implements VectorIndex {
  private readonly fd: number | null;

  constructor(
    readonly header: Header,
    rowsPath: string,
    readonly graph: Graph | null,
    private readonly rows: { data: Float32Array; present: Uint8Array } | null,
  ) {
    this.fd = rows ? null : openSync(rowsPath, 'r');
  }

  get size(): number {
    return this.header.present;
  }

  vector(doc: number): Float32Array | null {
    if (doc >= this.header.rows || this.header.dims === 0) return null;
    const { dims } = this.header;
    if (this.rows) return this.rows.present[doc] ? this.rows.data.slice(doc * dims, (doc + 1) * dims) : null;
    const vector = new Float32Array(dims);
    readSync(this.fd as number, bytesOf(vector), 0, dims * 4, doc * dims * 4);
    return vector.some((value) => value !== 0) ? vector : null;
  }

  search(query: Float32Array, k: number, accept: ((doc: number) => boolean) | null): VectorHit[] {
    if (this.header.dims === 0) return [];
    if (this.rows) return exactVectorSearch({ dims: this.header.dims, ...this.rows }, query, k, accept);
    const graph = this.graph as Graph;
    // int8 distances are coarse: take at least rescoreCandidates and re-score them exactly. A filter drops
    // candidates, so ask for more until k pass or the graph runs dry.
    for (let wanted = Math.max(accept ? k * 8 : k, graph.searching.rescoreCandidates); ; wanted *= 4) {
      const found = graph.search(query, Math.min(wanted, this.header.present));
      const docs = accept ? found.filter(accept) : found;
      if (docs.length >= k || found.length < wanted || wanted >= this.header.present) {
        return this.rescore(docs, query).slice(0, k);
      }
      if (accept && wanted >= Math.max(graph.searching.expansion, 1024)) {
        return this.exactAmongAccepted(query, k, accept, docs);
      }
    }
  }

  /** Exact similarities for the graph's hits: its int8 distances are approximate. */
  private rescore(docs: readonly number[], query: Float32Array): VectorHit[] {
    return docs
      .map((doc) => ({ doc, score: similarity(this.vector(doc), query) }))
      .sort((a, b) => b.score - a.score || a.doc - b.doc);
  }

  /** A narrow filter: score every accepted row exactly, when there are few; else keep the graph's hits. */
  private exactAmongAccepted(
    query: Float32Array,
    k: number,
    accept: (doc: number) => boolean,
    graphDocs: readonly number[],
  ): VectorHit[] {
    const accepted: number[] = [];
    for (let doc = 0; doc < this.header.rows; doc++) {
      if (accept(doc)) {
        accepted.push(doc);
        if (accepted.length > EXACT_FALLBACK_ROWS) return this.rescore(graphDocs, query).slice(0, k);
      }
    }
    const hits: VectorHit[] = [];
    for (const doc of accepted) {
      const vector = this.vector(doc);
      if (vector) hits.push({ doc, score: similarity(vector, query) });
    }
    return hits.sort((a, b) => b.score - a.score || a.doc - b.doc).slice(0, k);
  }
}

function similarity(vector: Float32Array | null, query: Float32Array): number {
  if (!vector) return -1;
  let score = 0;
  for (let j = 0; j < vector.length; j++) score += (vector[j] as number) * (query[j] as number);
  return score;
}

function readHeader(path: string): Header | null {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Header;
  } catch {
    return null;
  }
}

function loadRows(path: string, header: Header): { data: Float32Array; present: Uint8Array } {
  const bytes = readFileSync(path);
  const data = new Float32Array(header.rows * header.dims);
  new Uint8Array(data.buffer).set(bytes.subarray(0, data.byteLength));
  const present = new Uint8Array(header.rows);
  for (let doc = 0; doc < header.rows; doc++) {
    for (let j = doc * header.dims; j < (doc + 1) * header.dims; j++) {
      if (data[j] !== 0) {
        present[doc] = 1;
        break;
      }
    }
  }
  return { data, present };
}

function rowPresent(fd: number, dims: number, doc: number): boolean {
  const row = new Float32Array(dims);
  readSync(fd, bytesOf(row), 0, dims * 4, doc * dims * 4);
  return row.some((value) => value !== 0);
}

function bytesOf(array: Float32Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}
