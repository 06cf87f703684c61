/**
 * Batch work (ingest, embedding, the worker's jobs, a server's index builder) runs at a lower CPU priority,
 * so that a server on the same machine keeps answering while a hub fills. Priority only matters when the CPU
 * is contended: on a machine of its own, batch work runs as fast as before.
 */
import { setPriority } from 'node:os';

const BATCH_NICENESS = 10;

/** Lowers this process's priority, or that of the process `pid`. */
export function runAsBatchWork(pid = 0): void {
  try {
    setPriority(pid, BATCH_NICENESS);
  } catch {
    // Not allowed here (some containers): it runs at normal priority.
  }
}
