/**
 * The graph thread's side (graph-thread.ts starts it): maps each published graph file, and opens its rows
 * file, the first time a search needs them (files are immutable, so a path names one segment for good), and
 * answers searches in order: the graph's candidates, each re-scored exactly from its row.
 */
import { closeSync, openSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { Index } from 'usearch';
import { dotProduct } from '../../core/search/vectors.js';
import type { GraphReply, GraphRequest } from './graph-thread-protocol.js';
import { newGraph, readRow, type GraphFile } from './vector-segments.js';

const port = parentPort;
if (!port) throw new Error('graph-thread-main.ts runs on a worker thread');
const open = new Map<string, { index: Index; rows: number }>();

function opened(graph: GraphFile): { index: Index; rows: number } {
  let files = open.get(graph.path);
  if (!files) {
    const index = newGraph(graph.dims, graph.expansion);
    index.view(graph.path);
    files = { index, rows: openSync(graph.rowsPath, 'r') };
    open.set(graph.path, files);
  }
  return files;
}

port.on('message', (request: GraphRequest) => {
  if (request.kind === 'forget') {
    const files = open.get(request.graph.path);
    open.delete(request.graph.path);
    if (files) closeSync(files.rows);
    return;
  }
  const { id, graph, graphQuery, query, count } = request;
  let reply: GraphReply;
  try {
    const files = opened(graph);
    const keys = files.index.search(graphQuery, count, 1).keys;
    const rows = new Float64Array(keys.length);
    const scores = new Float64Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      rows[i] = Number(keys[i]);
      scores[i] = dotProduct(readRow(files.rows, graph.rowDims, rows[i] as number, graph.rowsPath), query);
    }
    reply = { id, rows, scores };
  } catch (error) {
    reply = { id, error: (error as Error).message ?? String(error) };
  }
  port.postMessage(
    reply,
    'rows' in reply ? [reply.rows.buffer as ArrayBuffer, reply.scores.buffer as ArrayBuffer] : [],
  );
});
