/**
 * Keeping a search index up to date: the index follows the store's change feeds — papers, then each
 * model's embeddings — from where its last published generation stopped, and publishes as it goes. Any
 * process may do this (the server's index builder, the worker, a command catching up before it searches);
 * the index's writer lock lets one at a time.
 */
import { paperDay, type Paper } from '../core/paper.js';
import type { IndexableDoc } from '../core/search/segment.js';
import type { EmbeddingStore, PaperCatalog, SearchIndexWriter } from './ports.js';

export function indexableDoc(paper: Paper): IndexableDoc {
  return {
    id: paper.id,
    title: paper.title,
    abstract: paper.abstract,
    authors: paper.authors,
    categories: paper.categories,
    day: paperDay(paper),
  };
}

export interface IndexProgress {
  phase: 'papers' | 'vectors';
  done: number;
  /** How many there are in all, when known (a first build). */
  total: number | null;
}

export interface IndexingDependencies {
  store: PaperCatalog & EmbeddingStore;
  writer: SearchIndexWriter;
  /** The embedding model keys whose vectors the index holds. */
  models: readonly string[];
  onProgress?: (progress: IndexProgress) => void;
  /** Changes read per store call. */
  pageSize?: number;
  /** Papers per new segment, at most (a first build writes segments of this size). */
  segmentDocs?: number;
  /** Vectors handed to the writer before it is told to write them out. */
  vectorBatch?: number;
  /**
   * Awaited with the changes read and before they are committed: a pause for tests to hold the index
   * work in progress while they look at a server.
   */
  beforeCommit?: () => Promise<void>;
}

export interface CatchUpCounts {
  papers: number;
  vectors: number;
}

export class IndexUpdater {
  private seen: { papers: number; embeddings: Map<string, number> } | null = null;

  constructor(private readonly deps: IndexingDependencies) {}

  /** Applies every change the index has not seen yet and publishes; returns how many were applied. */
  async catchUp(): Promise<CatchUpCounts> {
    const { store, writer } = this.deps;
    const pageSize = this.deps.pageSize ?? 2_000;
    const segmentDocs = this.deps.segmentDocs ?? 100_000;
    // Read before the changes: once they are applied, the index has every change up to this revision.
    const revision = await store.revision();
    const revisions = new Map<string, number>();
    for (const model of this.deps.models) revisions.set(model, await store.embeddingsRevision(model));
    const total = writer.cursors.papers === null ? (await store.stats()).papers : null;
    let cursor = writer.cursors.papers;
    let papers = 0;
    let pending = 0;
    for (;;) {
      const page = await store.paperChanges(cursor, pageSize);
      writer.putPapers(page.papers.map(indexableDoc));
      if (page.removed.length > 0) writer.removePapers(page.removed);
      cursor = page.cursor;
      papers += page.papers.length + page.removed.length;
      pending += page.papers.length + page.removed.length;
      const last = page.papers.length + page.removed.length < pageSize;
      if (
        pending >= segmentDocs ||
        (last && (pending > 0 || cursor !== writer.cursors.papers || writer.generation === 0))
      ) {
        writer.status('indexing', 'indexing papers', papers, total ?? papers);
        this.deps.onProgress?.({ phase: 'papers', done: papers, total });
        await this.deps.beforeCommit?.();
        await writer.commit(cursor, revision);
        pending = 0;
      }
      if (last) break;
    }

    let vectors = 0;
    for (const model of this.deps.models) {
      let modelCursor = writer.cursors.embeddings[model] ?? null;
      let batch = 0;
      let unflushed = false;
      for (;;) {
        const page = await store.embeddingChanges(model, modelCursor, pageSize);
        modelCursor = page.cursor;
        writer.putVectors(model, page.embeddings, modelCursor);
        vectors += page.embeddings.length;
        batch += page.embeddings.length;
        const last = page.embeddings.length < pageSize;
        // The last page commits even when it is empty if an earlier commit left the segment open (a count
        // that is a multiple of the batch), so that the segment is finished.
        if (batch >= (this.deps.vectorBatch ?? 20_000) || (last && (batch > 0 || unflushed))) {
          writer.status('indexing', `indexing vectors of ${model}`, vectors, vectors);
          this.deps.onProgress?.({ phase: 'vectors', done: vectors, total: null });
          await this.deps.beforeCommit?.();
          await writer.commit(cursor, revision, { flushVectors: last });
          unflushed = !last;
          batch = 0;
        }
        if (last) break;
      }
    }
    this.seen = { papers: revision, embeddings: revisions };
    writer.status(writer.busy ? 'merging' : 'idle', writer.busy ? 'merging segments' : 'up to date', 0, 0);
    return { papers, vectors };
  }

  /** Whether the store has changed since the last catch-up (a cheap look at its revisions). */
  async changed(): Promise<boolean> {
    if (!this.seen) return true;
    if ((await this.deps.store.revision()) !== this.seen.papers) return true;
    for (const model of this.deps.models) {
      if ((await this.deps.store.embeddingsRevision(model)) !== this.seen.embeddings.get(model)) return true;
    }
    return false;
  }

  /**
   * Follows the store until `signal` aborts: catches up whenever it changes, and lets the writer merge
   * segments in the background meanwhile. `backgroundStep` (the similar-paper lists) runs a step at a time
   * between catch-ups, so that new papers never wait for it; it says whether it has more to do at once.
   */
  async follow(signal: AbortSignal, pollMs = 500, backgroundStep?: () => Promise<boolean>): Promise<void> {
    while (!signal.aborted) {
      if (await this.changed()) await this.catchUp();
      if (!this.deps.writer.scheduleMerges() && !this.deps.writer.busy) {
        this.deps.writer.status('idle', 'up to date', 0, 0);
      }
      const more = backgroundStep ? await backgroundStep() : false;
      if (!more) await sleep(pollMs, signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
