import { addCounts, emptyCounts, ingestSource, type IngestCounts, type Rejection } from '../../app/ingest.js';
import { openStore } from '../../adapters/storage/open.js';
import { expandInputs, readSource, recogniseFile, type FormatName } from '../../adapters/sources/formats.js';
import { OpenPapersError } from '../../core/errors.js';
import type { Config } from '../config.js';
import { createProgress } from '../progress.js';

export interface IngestCommandOptions {
  format?: FormatName;
  json?: boolean;
  batchSize?: number;
}

export interface IngestReport extends IngestCounts {
  files: number;
  skippedFiles: number;
  seconds: number;
}

export async function ingestCommand(
  paths: string[],
  options: IngestCommandOptions,
  config: Config,
): Promise<void> {
  const { sources: found, skipped } = await expandInputs(paths);
  let skippedFiles = skipped;
  // On a terminal, a line of its own first clears the progress line it interrupts.
  const clearLine = process.stderr.isTTY ? '\r\x1b[K' : '';
  const formats = new Map<string, FormatName>();
  for (const source of found) {
    const recognised = options.format ? { format: options.format, skip: null } : await recogniseFile(source);
    if (recognised.format) formats.set(source.path, recognised.format);
    else {
      skippedFiles++;
      process.stderr.write(`${source.name}: skipped: ${recognised.skip}\n`);
    }
  }
  const sources = found.filter((source) => formats.has(source.path));

  const store = await openStore(config.dbPath);
  const totals = emptyCounts();
  const started = process.hrtime.bigint();
  const totalBytes = sources.reduce((sum, s) => sum + s.size, 0);
  const progress = createProgress('ingesting', totalBytes);
  let doneBytes = 0;
  const printRejection = (r: Rejection) =>
    process.stderr.write(`${clearLine}${r.source}: ${r.where}: ${r.reason}\n`);
  try {
    for (const source of sources) {
      const before = doneBytes;
      let skippedEntries = 0;
      const items = readSource(source, formats.get(source.path) as FormatName, {
        onBytes: (bytes) => (doneBytes = before + bytes),
        onSkipped: () => skippedEntries++,
      });
      const counts = await ingestSource(store, source.name, items, {
        now: () => new Date().toISOString(),
        batchSize: options.batchSize,
        onRejected: printRejection,
        onBatch: (partial) => progress.update(doneBytes, totals.read + partial.read),
      });
      doneBytes = before + source.size;
      addCounts(totals, counts);
      if (skippedEntries > 0) {
        skippedFiles += skippedEntries;
        process.stderr.write(
          `${clearLine}${source.name}: skipped ${skippedEntries.toLocaleString('en-US')} archive entries that are not .abs records (listings, empty files)\n`,
        );
      }
    }
  } finally {
    progress.done();
    await store.close();
  }

  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const report: IngestReport = {
    ...totals,
    files: sources.length,
    skippedFiles,
    seconds: round(seconds, 3),
  };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } else {
    process.stdout.write(`${describe(report)}\n`);
  }
  if (totals.rejected > 0) {
    throw new OpenPapersError(
      'OP_ERR_REJECTED',
      `${totals.rejected.toLocaleString('en-US')} record(s) rejected (listed above); the valid records were stored`,
    );
  }
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function describe(report: IngestReport): string {
  const n = (value: number) => value.toLocaleString('en-US');
  const rate = report.seconds > 0 ? Math.round(report.read / report.seconds) : report.read;
  const files = `${n(report.files)} file${report.files === 1 ? '' : 's'}`;
  const skipped = report.skippedFiles ? ` (${n(report.skippedFiles)} other files skipped)` : '';
  return (
    `Read ${n(report.read)} records from ${files}${skipped}: ${n(report.new)} new, ${n(report.updated)} updated, ` +
    `${n(report.unchanged)} unchanged, ${n(report.rejected)} rejected (${report.seconds.toFixed(1)} s, ${n(rate)} records/s)`
  );
}
