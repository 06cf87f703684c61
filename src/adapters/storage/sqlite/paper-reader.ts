/**
 * Papers read by id on a thread of their own, for servers. better-sqlite3 reads on the thread that calls it,
 * and at full-arXiv size the database is larger than memory: a search's 20 result papers then come from
 * disk, and while batch work writes to the same disk one read could hold the event loop for 80–120 ms (a
 * profile of the live server at 2.6M papers). On this thread, only the search that asked for them waits.
 */
import { Worker } from 'node:worker_threads';
import type { PaperRow } from '../paper-rows.js';
import { threadRequests } from '../../threads/requests.js';

export interface PaperReadRequest {
  ids: readonly string[];
}

export type PaperReadReply = { id: number; rows: PaperRow[] } | { id: number; error: string };

export interface PaperReader {
  /** The rows of these papers that the database holds, in no particular order. */
  read(ids: readonly string[]): Promise<PaperRow[]>;
  /** Whether the thread has stopped (closed, or failed): reads then reject. */
  readonly stopped: boolean;
  close(): Promise<void>;
}

export function startPaperReader(path: string): PaperReader {
  const worker = new Worker(new URL('./paper-reader-main.js', import.meta.url), { workerData: path });
  let stopped = false;
  const thread = threadRequests<PaperReadRequest, PaperReadReply, PaperRow[]>(worker, {
    settle: (reply) => ('rows' in reply ? reply.rows : new Error(reply.error)),
    stopped: (cause) => new Error(`the paper reader thread stopped: ${cause.message}`),
    onStop: () => (stopped = true),
  });
  return {
    read: (ids) => thread.request({ ids }),
    get stopped() {
      return stopped;
    },
    close: async () => {
      await worker.terminate();
    },
  };
}
