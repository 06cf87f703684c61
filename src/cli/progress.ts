/** A one-line progress bar on standard error, drawn only when it is a terminal. */
export interface Progress {
  update(doneBytes: number, records: number): void;
  done(): void;
}

export function createProgress(
  label: string,
  totalBytes: number,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  if (!stream.isTTY) return { update() {}, done() {} };
  const started = Date.now();
  let lastDraw = 0;
  const width = 24;
  return {
    update(doneBytes, records) {
      const now = Date.now();
      if (now - lastDraw < 100) return;
      lastDraw = now;
      const fraction = totalBytes > 0 ? Math.min(1, doneBytes / totalBytes) : 0;
      const filled = Math.round(fraction * width);
      const seconds = (now - started) / 1000;
      const rate = seconds > 0 ? Math.round(records / seconds) : 0;
      const eta = fraction > 0 ? Math.round(seconds / fraction - seconds) : 0;
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      const line = `${label} ${bar} ${(fraction * 100).toFixed(0).padStart(3)}%  ${records.toLocaleString('en-US')} records  ${rate.toLocaleString('en-US')}/s  ETA ${eta}s`;
      stream.write(`\r${line.slice(0, (stream.columns ?? 100) - 1)}\x1b[K`);
    },
    done() {
      stream.write('\r\x1b[K');
    },
  };
}
