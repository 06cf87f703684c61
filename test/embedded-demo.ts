/**
 * The demo corpus ingested, embedded with the shared USE-lite model and indexed by the real CLI — once per
 * build, however many test files (in parallel processes) ask for it. Each caller gets its own copy.
 *
 * The first process to ask builds it under dist/ (which every `npm run build` starts afresh), holding a
 * lock folder while it does; the others wait for the folder's "ready" mark. A lock left by a builder that
 * died is taken over.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT, runCli, sharedPath, tempDir } from './helpers.js';

export const DEMO_MODEL = sharedPath('models', 'converted', 'universal-sentence-encoder-lite');
export const DEMO_CORPUS = join(REPO_ROOT, 'demo', 'papers.jsonl.gz');

const CACHE = join(REPO_ROOT, 'dist', '.test-cache', 'embedded-demo');
const LOCK = `${CACHE}.lock`;
const READY = join(CACHE, 'ready');
const DB_NAME = 'demo.db';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether the lock's holder is gone: its pid is not running, or it never wrote one (10 s on). */
function lockAbandoned(): boolean {
  try {
    return !alive(Number(readFileSync(join(LOCK, 'pid'), 'utf8')));
  } catch {
    try {
      return Date.now() - statSync(LOCK).mtimeMs > 10_000;
    } catch {
      return false;
    }
  }
}

async function build(): Promise<void> {
  rmSync(CACHE, { recursive: true, force: true });
  mkdirSync(CACHE, { recursive: true });
  const env = { OPENPAPERS_DB: join(CACHE, DB_NAME), OPENPAPERS_EMBED_MODEL: DEMO_MODEL };
  for (const args of [['ingest', DEMO_CORPUS], ['embed'], ['index']]) {
    const result = await runCli(args, env);
    if (result.code !== 0) throw new Error(`openpapers ${args.join(' ')}: ${result.stderr}`);
  }
  writeFileSync(READY, '');
}

async function ensureBuilt(): Promise<void> {
  for (;;) {
    if (existsSync(READY)) return;
    mkdirSync(dirname(LOCK), { recursive: true });
    try {
      mkdirSync(LOCK);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (lockAbandoned()) rmSync(LOCK, { recursive: true, force: true });
      await sleep(250);
      continue;
    }
    try {
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      if (!existsSync(READY)) await build();
      return;
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}

/**
 * A fresh copy of the embedded demo database (and its search index) in a temporary folder of the test's;
 * returns the database's path and the environment that points the CLI at it and at the model.
 */
export async function embeddedDemo(
  t: { after: (fn: () => void) => void },
  name = DB_NAME,
): Promise<{ dir: string; db: string; env: Record<string, string> }> {
  await ensureBuilt();
  const dir = tempDir(t);
  const db = join(dir, name);
  cpSync(join(CACHE, DB_NAME), db);
  cpSync(join(CACHE, `${DB_NAME}.search`), `${db}.search`, { recursive: true });
  return { dir, db, env: { OPENPAPERS_DB: db, OPENPAPERS_EMBED_MODEL: DEMO_MODEL } };
}
