/**
 * The graph thread's side (graph-thread.ts starts it): maps each published graph file, and opens its rows
 * file, the first time a search needs them (files are immutable, so a path names one segment for good), and
 * answers searches: the graph's candidates, each re-scored exactly from its row. The rows are read all at
 * once on libuv's pool rather than one after another: on a corpus larger than the page cache most of them
 * come from disk, and while they do, the thread walks the next segment's graph.
 */
import { close, closeSync, openSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { Index } from 'usearch';
import { dotProduct } from '../../core/search/vectors.js';
import type { GraphReply, GraphRequest, GraphSearch } from './graph-thread-protocol.js';
import { newGraph, readRowAsync, type GraphFile } from './vector-segments.js';

const port = parentPort;
if (!port) throw new Error('graph-thread-main.ts runs on a worker thread');

interface OpenGraph {
  index: Index;
  rows: number;
  /** Reads in flight: a forgotten graph's rows file is closed once none is. */
  reading: number;
  forgotten: boolean;
}
const open = new Map<string, OpenGraph>();

function opened(graph: GraphFile): OpenGraph {
  let files = open.get(graph.path);
  if (!files) {
    const index = newGraph(graph.dims, graph.expansion);
    index.view(graph.path);
    files = { index, rows: openSync(graph.rowsPath, 'r'), reading: 0, forgotten: false };
    open.set(graph.path, files);
  }
  return files;
}

async function search({ id, graph, graphQuery, query, count }: GraphSearch & { id: number }) {
  const files = opened(graph);
  const keys = files.index.search(graphQuery, count, 1).keys;
  const rows = Float64Array.from(keys, Number);
  files.reading++;
  try {
    const vectors = await Promise.all(
      Array.from(rows, (row) => readRowAsync(files.rows, graph.rowDims, row, graph.rowsPath)),
    );
    const scores = Float64Array.from(vectors, (vector) => dotProduct(vector, query));
    return { id, rows, scores };
  } finally {
    if (--files.reading === 0 && files.forgotten) close(files.rows, () => undefined);
  }
}

port.on('message', (request: GraphRequest) => {
  if (request.kind === 'forget') {
    const files = open.get(request.graph.path);
    open.delete(request.graph.path);
    if (!files) return;
    files.forgotten = true;
    if (files.reading === 0) closeSync(files.rows);
    return;
  }
  search(request).then(
    (reply: GraphReply) =>
      port.postMessage(
        reply,
        'rows' in reply ? [reply.rows.buffer as ArrayBuffer, reply.scores.buffer as ArrayBuffer] : [],
      ),
    (error: unknown) =>
      port.postMessage({
        id: request.id,
        error: (error as Error).message ?? String(error),
      } satisfies GraphReply),
  );
});
