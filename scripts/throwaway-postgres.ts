/**
 * A throwaway PostgreSQL server for the tests and benchmarks: initdb into a temporary folder, started on a
 * free port (as the `postgres` user when run as root, which PostgreSQL refuses), stopped and removed when
 * the process exits. Found in OPENPAPERS_PG_BIN, Debian's /usr/lib/postgresql/<version>/bin, or the PATH.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export function postgresBinDir(): string | null {
  if (process.env.OPENPAPERS_PG_BIN) return process.env.OPENPAPERS_PG_BIN;
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => existsSync(join(debian, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(debian, versions[0], 'bin');
  }
  const found = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const dir = found.status === 0 ? join(found.stdout.trim(), '..') : null;
  return dir && existsSync(join(dir, 'pg_ctl')) ? dir : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ThrowawayPostgres {
  /** The URL of a new, empty database on the server. */
  createDatabase(name: string): Promise<string>;
}

/**
 * Starts a server. `durable: false` (the tests) turns fsync off; otherwise (the benchmarks) it runs with
 * PostgreSQL's defaults except synchronous_commit = off, which is what the SQLite file does too (WAL,
 * synchronous = NORMAL: a crash of the process loses nothing, a power cut may lose the last commits).
 */
export async function startThrowawayPostgres(options: { durable: boolean }): Promise<ThrowawayPostgres> {
  const bin = postgresBinDir();
  if (!bin)
    throw new Error('PostgreSQL is not installed (apt-get install postgresql, or set OPENPAPERS_PG_BIN)');
  const root = mkdtempSync(join(tmpdir(), 'openpapers-pg-'));
  chmodSync(root, 0o755);
  const data = join(root, 'data');
  const log = join(root, 'server.log');
  const asRoot = process.getuid?.() === 0;
  const run = (command: string, args: string[]) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, command), ...args], { stdio: 'pipe' })
      : execFileSync(join(bin, command), args, { stdio: 'pipe' });
  if (asRoot) {
    writeFileSync(log, '');
    execFileSync('chown', ['-R', 'postgres', root]);
  }
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const settings = options.durable
    ? '-c synchronous_commit=off'
    : '-c fsync=off -c synchronous_commit=off -c full_page_writes=off';
  const serverOptions = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 ${settings} -c max_connections=200`;
  run('pg_ctl', ['-D', data, '-l', log, '-o', serverOptions, '-w', 'start']);
  process.once('exit', () => {
    const stop = ['-D', data, '-m', 'immediate', 'stop'];
    spawnSync(
      asRoot ? 'runuser' : join(bin, 'pg_ctl'),
      asRoot ? ['-u', 'postgres', '--', join(bin, 'pg_ctl'), ...stop] : stop,
      { stdio: 'ignore' },
    );
    rmSync(root, { recursive: true, force: true });
  });
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    async createDatabase(name) {
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
  };
}
