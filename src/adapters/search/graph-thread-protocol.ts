/** Messages between the main thread and the thread that walks HNSW graphs (graph-thread.ts). */
import type { GraphFile } from './vector-segments.js';

export type GraphRequest =
  | { kind: 'search'; id: number; graph: GraphFile; query: Float32Array; count: number }
  | { kind: 'forget'; path: string };

export type GraphReply = { id: number; rows: Float64Array } | { id: number; error: string };
