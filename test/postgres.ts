/**
 * A throwaway PostgreSQL server for the tests of one test file: initdb into a temporary folder, started on a
 * free port (as the `postgres` user when the tests run as root, which PostgreSQL refuses), a fresh database
 * for each caller, stopped when the process exits. Found in OPENPAPERS_PG_BIN, Debian's
 * /usr/lib/postgresql/<version>/bin, or the PATH. Without a server the PostgreSQL tests are skipped with
 * that reason, unless OPENPAPERS_TEST_POSTGRES=required (as in CI), which makes a missing server a failure.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const POSTGRES_REQUIRED = process.env.OPENPAPERS_TEST_POSTGRES === 'required';

function binDir(): string | null {
  if (process.env.OPENPAPERS_PG_BIN) return process.env.OPENPAPERS_PG_BIN;
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => existsSync(join(debian, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(debian, versions[0], 'bin');
  }
  const found = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  return found.status === 0 ? join(found.stdout.trim(), '..') : null;
}

/** Why PostgreSQL tests cannot run here, or null when they can. */
export function postgresUnavailable(): string | null {
  const dir = binDir();
  if (dir && existsSync(join(dir, 'pg_ctl'))) return null;
  const reason = 'PostgreSQL is not installed (apt-get install postgresql, or set OPENPAPERS_PG_BIN)';
  if (POSTGRES_REQUIRED) throw new Error(`${reason}, and OPENPAPERS_TEST_POSTGRES=required`);
  return reason;
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

interface Server {
  port: number;
  adminUrl: string;
}

let started: Promise<Server> | null = null;
let databases = 0;

async function start(): Promise<Server> {
  const bin = binDir() as string;
  const root = mkdtempSync(join(tmpdir(), 'openpapers-pg-'));
  chmodSync(root, 0o755);
  const data = join(root, 'data');
  const log = join(root, 'server.log');
  const asRoot = process.getuid?.() === 0;
  // PostgreSQL will not run as root: the folder, socket and log belong to the postgres user.
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
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  run('pg_ctl', ['-D', data, '-l', log, '-o', options, '-w', 'start']);
  process.once('exit', () => {
    spawnSync(
      asRoot ? 'runuser' : join(bin, 'pg_ctl'),
      asRoot
        ? ['-u', 'postgres', '--', join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', 'stop']
        : ['-D', data, '-m', 'immediate', 'stop'],
      { stdio: 'ignore' },
    );
    rmSync(root, { recursive: true, force: true });
  });
  return { port, adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres` };
}

/** The URL of a new, empty database on this process's throwaway server. */
export async function freshDatabase(): Promise<string> {
  started ??= start();
  const server = await started;
  const name = `openpapers_${process.pid}_${++databases}`;
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return `postgres://postgres@127.0.0.1:${server.port}/${name}`;
}
