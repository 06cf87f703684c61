/** Messages between the main thread and the thread that walks HNSW graphs (graph-thread.ts). */
import type { GraphFile } from './vector-segments.js';

export type GraphRequest =
  | {
      kind: 'search';
      id: number;
      graph: GraphFile;
      graphQuery: Float32Array;
      query: Float32Array;
      count: number;
    }
  | { kind: 'forget'; graph: GraphFile };

/** The rows found, nearest first, and their exact similarities. */
export type GraphReply =
  { id: number; rows: Float64Array; scores: Float64Array } | { id: number; error: string };
