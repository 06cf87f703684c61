/**
 * Batch work (ingest, embedding, the worker's jobs) runs at a lower CPU priority, as the index builder
 * does, so that a server on the same machine keeps answering while a hub fills. Priority only matters when
 * the CPU is contended: on a machine of its own, batch work runs as fast as before.
 */
import { setPriority } from 'node:os';

const BATCH_NICENESS = 10;

export function runAsBatchWork(): void {
  try {
    setPriority(BATCH_NICENESS);
  } catch {
    // Not allowed here (some containers): it runs at normal priority.
  }
}
