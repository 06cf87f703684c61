/** Where the shared data lives for scripts and benchmarks: --shared DIR, else OPENPAPERS_SHARED_DIR, else ../shared. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export function sharedDir(argv: string[]): string {
  const flag = argv.indexOf('--shared');
  const dir = flag !== -1 ? argv[flag + 1] : (process.env.OPENPAPERS_SHARED_DIR ?? resolve('..', 'shared'));
  if (!dir || !existsSync(dir)) {
    throw new Error(`no shared data folder at ${dir}; pass --shared DIR or set OPENPAPERS_SHARED_DIR`);
  }
  return dir;
}
