/**
 * HNSW graph walks on a worker thread, for servers. usearch searches synchronously on the thread that calls
 * it, and at `expansion_search` 512 a walk is the largest single cost of a new search (about 1.5 ms of the
 * event loop under load); on a thread of its own it runs while the server ranks keywords and renders pages.
 * It re-scores the rows it finds exactly from the rows file; the caller filters and merges them, as before.
 */
import { Worker } from 'node:worker_threads';
import { threadRequests } from '../threads/requests.js';
import type { GraphReply, GraphRequest, GraphSearch } from './graph-thread-protocol.js';
import type { GraphFile, GraphSearcher, VectorHit } from './vector-segments.js';

export function startGraphThread(): GraphSearcher {
  const thread = threadRequests<GraphSearch, GraphReply, VectorHit[]>(
    new Worker(new URL('./graph-thread-main.js', import.meta.url)),
    {
      settle: (reply) =>
        'rows' in reply
          ? Array.from(reply.rows, (row, i) => ({ row, score: reply.scores[i] as number }))
          : new Error(reply.error),
      stopped: (cause) => new Error(`the graph thread stopped: ${cause.message}`),
    },
  );
  return {
    search: (graph: GraphFile, graphQuery: Float32Array, query: Float32Array, count: number) =>
      thread.request({ kind: 'search', graph, graphQuery, query, count }),
    forget: (graph: GraphFile) => thread.tell({ kind: 'forget', graph } satisfies GraphRequest),
  };
}
