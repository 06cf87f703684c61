/** Messages between the main thread and the thread that walks HNSW graphs (graph-thread.ts). */
import type { GraphFile } from './vector-segments.js';

export interface GraphSearch {
  kind: 'search';
  graph: GraphFile;
  graphQuery: Float32Array;
  query: Float32Array;
  count: number;
}

/** A search carries an id that its reply repeats; forgetting a graph is not answered. */
export type GraphRequest = (GraphSearch & { id: number }) | { kind: 'forget'; graph: GraphFile };

/** The rows found, nearest first, and their exact similarities. */
export type GraphReply =
  { id: number; rows: Float64Array; scores: Float64Array } | { id: number; error: string };
