/**
 * The paper reader thread's side (paper-reader.ts starts it): its own read-only connection to the
 * database, which WAL lets read beside the store's, answering reads of papers by id.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import type { PaperRow } from '../paper-rows.js';
import { InListReads, PAPERS_BY_ID } from './in-lists.js';
import type { PaperReadReply, PaperReadRequest } from './paper-reader.js';
import { BUSY_TIMEOUT_MS } from './write.js';

const port = parentPort;
if (!port) throw new Error('paper-reader-main.ts runs on a worker thread');

const db = new Database(workerData as string, { readonly: true, fileMustExist: true });
db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
const reads = new InListReads(db);

port.on('message', ({ id, ids }: PaperReadRequest & { id: number }) => {
  let reply: PaperReadReply;
  try {
    reply = { id, rows: reads.rows<PaperRow>(PAPERS_BY_ID, ids) };
  } catch (error) {
    reply = { id, error: (error as Error).message };
  }
  port.postMessage(reply);
});
