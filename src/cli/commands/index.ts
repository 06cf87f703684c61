/**
 * `openpapers index follow` keeps the search index up to date with the store until stopped (the process a
 * server starts as its index builder, at low priority); `openpapers index status` says what the index holds
 * and what its writer is doing.
 */
import { isPostgresUrl } from '../../adapters/storage/location.js';
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { IndexUpdater } from '../../app/indexing.js';
import { SimilarListUpdater } from '../../app/similar-lists.js';
import { modelSettings } from '../../core/search/model-settings.js';
import { readCurrent, readManifest, readStatus } from '../../adapters/search/index-folder.js';
import { openStore } from '../../adapters/storage/open.js';
import type { Config } from '../config.js';
import { runAsBatchWork } from '../priority.js';
import { indexedModels, indexLocation } from './search.js';

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString()} index: ${line}\n`);
}

/** Waits while the configured hold file exists (a test's way to catch the builder mid-way). */
function holdWhileFileExists(path: string | null): (() => Promise<void>) | undefined {
  if (!path) return undefined;
  return async () => {
    while (existsSync(path)) await new Promise((resolve) => setTimeout(resolve, 25));
  };
}

export async function indexFollowCommand(config: Config): Promise<void> {
  const store = await openStore(config.dbPath, { mustExist: true });
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  // Started by a server: stop with it, however it ends.
  process.on('disconnect', onSignal);
  try {
    const location = indexLocation(config);
    let writer = await location.tryOpenWriter();
    if (!writer) {
      log(`another process is writing the index in ${location.description}; waiting for its lock`);
      writer = await location.openWriter({ signal: stop.signal });
    }
    if (!writer) return;
    log(`following ${config.dbName} into ${location.description} (generation ${writer.generation})`);
    let lastLine = 0;
    const updater = new IndexUpdater({
      store,
      writer,
      models: indexedModels(config),
      beforeCommit: holdWhileFileExists(config.indexHoldFile),
      onProgress: ({ phase, done, total }) => {
        if (Date.now() - lastLine < 5_000) return;
        lastLine = Date.now();
        log(
          `${phase}: ${done.toLocaleString('en-US')}${total ? ` of ${total.toLocaleString('en-US')}` : ''}`,
        );
      },
    });
    const [modelKey] = indexedModels(config);
    const reader = location.openReader();
    const similar = new SimilarListUpdater({
      store,
      index: reader,
      model: { key: modelKey as string, settings: modelSettings(config.embedding.model) },
    });
    let listed = 0;
    try {
      await updater.follow(stop.signal, 500, async () => {
        // New papers wait for the step in progress: a second's worth of lists at a time.
        const step = await similar.step(1_000, 1_000);
        listed += step.computed;
        if (step.computed > 0 && !writer.busy) {
          const activity = step.caughtUp ? 'up to date' : 'listing similar papers';
          writer.status('idle', activity, listed, listed);
          if (step.caughtUp || Date.now() - lastLine >= 5_000) {
            lastLine = Date.now();
            log(
              `similar papers: ${listed.toLocaleString('en-US')} listed${step.caughtUp ? '; up to date' : ' so far'}`,
            );
          }
        }
        return !step.caughtUp && step.computed > 0;
      });
    } finally {
      reader.close();
      await writer.close();
    }
    log('stopped');
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal).off('disconnect', onSignal);
    await store.close();
  }
}

export async function indexStatusCommand(options: { json?: boolean }, config: Config): Promise<void> {
  const dir = config.searchDir;
  const generation = readCurrent(dir);
  const manifest = generation === null ? null : await readManifest(dir, generation);
  const writer = await readStatus(dir);
  const store = await openStore(config.dbPath, { mustExist: true });
  const revision = await store.revision();
  await store.close();
  const vectors = Object.fromEntries(
    Object.entries(manifest?.vectors ?? {}).map(([model, entry]) => [
      model,
      { vectors: entry.segments.reduce((sum, s) => sum + s.live, 0), segments: entry.segments.length },
    ]),
  );
  const status = {
    dir,
    generation,
    papers: manifest?.segments.reduce((sum, s) => sum + s.live, 0) ?? 0,
    segments: manifest?.segments.map((s) => ({ id: s.id, docs: s.docs, live: s.live })) ?? [],
    vectors,
    storeRevision: revision,
    indexedRevision: manifest?.storeRevision ?? null,
    upToDate: manifest !== null && manifest.storeRevision >= revision,
    writer,
  };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(status)}\n`);
    return;
  }
  const n = (value: number) => value.toLocaleString('en-US');
  if (!manifest) {
    process.stdout.write(`No search index in ${dir} yet: "openpapers index update" builds it.\n`);
  } else {
    process.stdout.write(
      `Search index in ${dir}, generation ${generation}: ${n(status.papers)} papers in ${manifest.segments.length} segments` +
        ` (${status.upToDate ? 'up to date' : `behind the database: revision ${manifest.storeRevision} of ${revision}`})\n`,
    );
    for (const [model, entry] of Object.entries(vectors)) {
      process.stdout.write(`  ${n(entry.vectors)} vectors of ${model} in ${entry.segments} segments\n`);
    }
  }
  if (writer && writer.state !== 'stopped') {
    process.stdout.write(
      `Writer (pid ${writer.pid}): ${writer.state}, ${writer.activity} (at ${writer.updatedAt})\n`,
    );
  }
}

/**
 * The index builder of a server: `openpapers index follow` in a child process at low priority, so that
 * index work never runs on the server's event loop nor takes the CPU from requests. It is started again
 * if it dies, and stops when the server does.
 */
export function startIndexBuilder(config: Config): { stop(): Promise<void> } {
  const cli = fileURLToPath(new URL('../main.js', import.meta.url));
  // A PostgreSQL URL goes by the environment, where other users' `ps` does not show its password.
  const postgres = isPostgresUrl(config.dbPath);
  const args = [
    ...(postgres ? [] : ['--db', config.dbPath]),
    '--model',
    config.embedding.model,
    ...(config.verbose ? ['--verbose'] : []),
  ];
  let child: ChildProcess | null = null;
  let stopping = false;
  let restart: NodeJS.Timeout | null = null;
  const start = () => {
    const started = fork(cli, [...args, 'index', 'follow'], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: postgres ? { ...process.env, OPENPAPERS_DATABASE_URL: config.dbPath } : process.env,
    });
    child = started;
    if (started.pid) runAsBatchWork(started.pid);
    started.on('exit', (code, signal) => {
      child = null;
      if (stopping) return;
      log(`the index builder stopped (${signal ?? `exit ${code}`}); starting it again in 2 s`);
      restart = setTimeout(start, 2_000);
    });
  };
  start();
  return {
    async stop() {
      stopping = true;
      if (restart) clearTimeout(restart);
      const running = child;
      if (!running) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => running.kill('SIGKILL'), 10_000);
        running.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        running.kill('SIGTERM');
      });
    },
  };
}
