/**
 * Progress of long work on standard error: a one-line bar redrawn in place on a terminal; elsewhere (a log,
 * a pipe, CI) a plain line every few seconds, so that long work never looks hung.
 */
export interface Progress {
  update(done: number, records: number): void;
  done(): void;
}

/** How often a plain progress line is written where there is no terminal. */
export const PLAIN_INTERVAL_MS = 5_000;

export function createProgress(
  label: string,
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
  now: () => number = Date.now,
): Progress {
  const started = now();
  const rateOf = (records: number, at: number) => {
    const seconds = (at - started) / 1000;
    return seconds > 0 ? Math.round(records / seconds) : 0;
  };
  if (!stream.isTTY) {
    let lastLine = started;
    let wrote = false;
    let last = { done: 0, records: 0 };
    const line = (at: number) => {
      const percent = total > 0 ? ` ${Math.min(100, Math.floor((last.done / total) * 100))}%` : '';
      stream.write(
        `${label}:${percent} ${last.records.toLocaleString('en-US')} records, ${rateOf(last.records, at).toLocaleString('en-US')}/s\n`,
      );
      wrote = true;
    };
    return {
      update(done, records) {
        last = { done, records };
        const at = now();
        if (at - lastLine < PLAIN_INTERVAL_MS) return;
        lastLine = at;
        line(at);
      },
      done() {
        // Only work that went on long enough to report along the way reports its end.
        if (wrote) line(now());
      },
    };
  }
  let lastDraw = 0;
  const width = 24;
  return {
    update(done, records) {
      const at = now();
      if (at - lastDraw < 100) return;
      lastDraw = at;
      const fraction = total > 0 ? Math.min(1, done / total) : 0;
      const filled = Math.round(fraction * width);
      const seconds = (at - started) / 1000;
      const eta = fraction > 0 ? Math.round(seconds / fraction - seconds) : 0;
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      const line = `${label} ${bar} ${(fraction * 100).toFixed(0).padStart(3)}%  ${records.toLocaleString('en-US')} records  ${rateOf(records, at).toLocaleString('en-US')}/s  ETA ${eta}s`;
      stream.write(`\r${line.slice(0, (stream.columns ?? 100) - 1)}\x1b[K`);
    },
    done() {
      stream.write('\r\x1b[K');
    },
  };
}
