/** Shared test setup: where the shared data is, temporary folders, and running the real CLI as a child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DigestStore, Subscriber } from '../src/app/ports.js';

/** The repository root (tests run from dist/test/...). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The shared data folder: OPENPAPERS_SHARED_DIR, else ../shared beside the checkout. */
export const SHARED_DIR = process.env.OPENPAPERS_SHARED_DIR ?? resolve(REPO_ROOT, '..', 'shared');
export const sharedPath = (...parts: string[]) => join(SHARED_DIR, ...parts);

export const CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

export function tempDir(t: { after: (fn: () => void) => void }, prefix = 'openpapers-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * What every CLI run in a test starts from: no database or data folder of the user's, and no harvest of the
 * real arXiv (a test that harvests turns it on against its own replay server).
 */
export const TEST_ENV: NodeJS.ProcessEnv = Object.freeze({
  OPENPAPERS_DB: '',
  OPENPAPERS_DATA_DIR: '',
  OPENPAPERS_CRON_HARVEST: 'off',
});

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...TEST_ENV, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}

/** A CLI process left running (serve, worker), with everything it has printed so far. */
export interface RunningCli {
  child: ChildProcess;
  output: () => string;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...TEST_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d));
  child.stderr?.on('data', (d: Buffer) => (output += d));
  return { child, output: () => output };
}

/** The summary that `ingest --json` prints. */
export interface IngestSummary {
  read: number;
  new: number;
  updated: number;
  unchanged: number;
  rejected: number;
  files: number;
  skippedFiles: number;
  seconds: number;
}

export function parseSummary(stdout: string): IngestSummary {
  return JSON.parse(stdout) as IngestSummary;
}

/** An active daily subscription to new papers in cs.CL, as the CLI tests store it directly. */
export function activeSubscriber(id: string, email: string): Subscriber {
  const now = new Date().toISOString();
  return {
    id,
    email,
    userId: null,
    linkToken: `token-${id}`,
    frequency: 'daily',
    topics: { trending: false, personal: false, categories: ['cs.CL'], searches: [] },
    status: 'active',
    statusReason: null,
    createdAt: now,
    updatedAt: now,
  };
}

/** A seeded pseudo-random sequence in [0, 1), so that generated test data is the same every run. */
export function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/** Polls `probe` until it gives a value (null: not yet); fails naming `what` after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Writes `count` papers in cs.CL announced today as a JSON-lines file (what daily digests pick from). */
export function writeTodaysPapers(path: string, count: number): void {
  const today = new Date().toISOString().slice(0, 10);
  writeFileSync(
    path,
    Array.from({ length: count }, (_, n) =>
      JSON.stringify({
        id: `2611.${String(n + 1).padStart(5, '0')}`,
        title: `Fresh paper number ${n + 1}`,
        abstract: 'Announced today.',
        authors: ['Ada Lovelace'],
        categories: ['cs.CL'],
        announced: today,
        sources: ['test'],
      }),
    ).join('\n'),
  );
}

/** The id of the i-th of the readers that subscribeReaders adds. */
export const readerId = (i: number) => `s${String(i).padStart(4, '0')}`;

/** Adds `count` active daily subscribers (readerId(i), reader<i>@example.org). */
export async function subscribeReaders(store: DigestStore, count: number): Promise<void> {
  for (let i = 0; i < count; i++)
    await store.putSubscriber(activeSubscriber(readerId(i), `reader${i}@example.org`), null);
}
