/**
 * HNSW graph walks on a worker thread, for servers. usearch searches synchronously on the thread that calls
 * it, and at `expansion_search` 512 a walk is the largest single cost of a new search (about 1.5 ms of the
 * event loop under load); on a thread of its own it runs while the server ranks keywords and renders pages.
 * It re-scores the rows it finds exactly from the rows file; the caller filters and merges them, as before.
 */
import { Worker } from 'node:worker_threads';
import type { GraphReply, GraphRequest } from './graph-thread-protocol.js';
import type { GraphFile, GraphSearcher, VectorHit } from './vector-segments.js';

export function startGraphThread(): GraphSearcher {
  const worker = new Worker(new URL('./graph-thread-main.js', import.meta.url));
  const pending = new Map<number, { resolve: (hits: VectorHit[]) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let stopped: Error | null = null;
  // Held only while a search is pending, so that an idle thread never keeps a process alive.
  const holdProcess = () => (pending.size > 0 ? worker.ref() : worker.unref());
  const stop = (error: Error) => {
    stopped ??= new Error(`the graph thread stopped: ${error.message}`);
    for (const { reject } of pending.values()) reject(stopped);
    pending.clear();
  };
  worker.on('error', stop);
  worker.on('exit', (code) => stop(new Error(`exit ${code}`)));
  worker.on('message', (reply: GraphReply) => {
    const waiting = pending.get(reply.id);
    pending.delete(reply.id);
    holdProcess();
    if ('rows' in reply)
      waiting?.resolve(Array.from(reply.rows, (row, i) => ({ row, score: reply.scores[i] as number })));
    else waiting?.reject(new Error(reply.error));
  });
  // After the listeners: adding a 'message' listener takes the thread's hold on the process again.
  holdProcess();
  const post = (request: GraphRequest) => worker.postMessage(request);
  return {
    search(graph: GraphFile, graphQuery: Float32Array, query: Float32Array, count: number) {
      if (stopped) return Promise.reject(stopped);
      const id = nextId++;
      return new Promise<VectorHit[]>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        holdProcess();
        post({ kind: 'search', id, graph, graphQuery, query, count });
      });
    },
    forget(graph: GraphFile): void {
      if (!stopped) post({ kind: 'forget', graph });
    },
  };
}
