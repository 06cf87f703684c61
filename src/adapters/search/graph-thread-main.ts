/**
 * The graph thread's side (graph-thread.ts starts it): maps each published graph file the first time it is
 * asked about (files are immutable, so a path names one graph for good) and answers searches in order.
 */
import { parentPort } from 'node:worker_threads';
import type { Index } from 'usearch';
import type { GraphReply, GraphRequest } from './graph-thread-protocol.js';
import { newGraph } from './vector-segments.js';

const port = parentPort;
if (!port) throw new Error('graph-thread-main.ts runs on a worker thread');
const graphs = new Map<string, Index>();

port.on('message', (request: GraphRequest) => {
  if (request.kind === 'forget') {
    graphs.delete(request.path);
    return;
  }
  const { id, graph, query, count } = request;
  let reply: GraphReply;
  try {
    let index = graphs.get(graph.path);
    if (!index) {
      index = newGraph(graph.dims, graph.expansion);
      index.view(graph.path);
      graphs.set(graph.path, index);
    }
    const keys = index.search(query, count, 1).keys;
    const rows = new Float64Array(keys.length);
    for (let i = 0; i < keys.length; i++) rows[i] = Number(keys[i]);
    reply = { id, rows };
  } catch (error) {
    reply = { id, error: (error as Error).message ?? String(error) };
  }
  port.postMessage(reply);
});
