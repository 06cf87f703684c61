/**
 * `openpapers worker` runs the scheduled jobs (embed the backlog, send daily and weekly digests) until it is
 * stopped; `openpapers jobs` shows the schedule and the record of runs. Any number of workers may run at
 * once, on any machines sharing the database: each scheduled run is leased to one of them.
 */
import { hostname } from 'node:os';
import type { JobRun, Mailer, PaperStore } from '../../app/ports.js';
import { Worker, type ScheduledJob, type WorkerEvent } from '../../app/worker.js';
import { lazyEmbedder } from '../../adapters/embed/open.js';
import { smtpMailer } from '../../adapters/mail/mailer.js';
import { openStore } from '../../adapters/storage/open.js';
import { cronSchedule } from '../../core/schedule.js';
import { JOB_SETTINGS, type Config, type JobName } from '../config.js';
import { describeCounts, digestService } from './digest.js';
import { harvestSets } from './harvest.js';
import { describeHarvest } from '../../app/harvest.js';
import { catchUpIndex, embedWithProgress } from './search.js';

function schedules(config: Config) {
  return (Object.keys(JOB_SETTINGS) as JobName[]).flatMap((name) => {
    const expression = config.worker.cron[name];
    return expression
      ? [{ name, schedule: cronSchedule(expression, JOB_SETTINGS[name].setting, config.worker.timezone) }]
      : [];
  });
}

async function buildJobs(
  config: Config,
  scheduled: ReturnType<typeof schedules>,
  store: PaperStore,
  mailer: Mailer | null,
): Promise<ScheduledJob[]> {
  const embedder = lazyEmbedder(config.embedding);
  const digests =
    mailer && scheduled.some(({ name }) => name !== 'embed')
      ? await digestService(config, store, mailer)
      : null;
  // Embedding reads every paper to find the new and changed ones: not again until papers change.
  let embeddedAtRevision: number | null = null;
  return scheduled.flatMap(({ name, schedule }): ScheduledJob[] => {
    if (name === 'embed') {
      return [
        {
          name,
          schedule,
          run: async () => {
            const revision = await store.revision();
            if (revision === embeddedAtRevision) return 'no papers changed since the last run';
            const model = await embedder();
            const counts = await embedWithProgress(store, model);
            // The search index takes the new vectors now, unless a server's index builder holds it (then it does).
            const indexed = await catchUpIndex(store, config);
            embeddedAtRevision = revision;
            return (
              `embedded ${counts.embedded} papers (${counts.upToDate} up to date) with ${model.model}` +
              (indexed ? `; indexed ${indexed.papers} papers and ${indexed.vectors} vectors` : '')
            );
          },
        },
      ];
    }
    if (name === 'harvest') {
      return [
        {
          name,
          schedule,
          run: async () => {
            const results = await harvestSets(store, config, {}, log);
            return results
              .map(({ set, counts, from }) => `${set}: ${describeHarvest(counts)}, next from ${from}`)
              .join('; ');
          },
        },
      ];
    }
    if (!digests) return [];
    const frequency = name === 'daily-digests' ? 'daily' : 'weekly';
    return [
      {
        name,
        schedule,
        run: async () => {
          return describeCounts(await digests.sendDue(frequency));
        },
      },
    ];
  });
}

function describeEvent(event: WorkerEvent): string {
  const what = `${event.run.job} (${event.run.slot}${event.run.attempts > 1 ? `, attempt ${event.run.attempts}` : ''})`;
  switch (event.type) {
    case 'started':
      return `${what}: started`;
    case 'done':
      return `${what}: done in ${event.seconds.toFixed(1)} s: ${event.summary}`;
    case 'failed':
      return `${what}: failed: ${event.error.message}; ${event.retryAt ? `trying again at ${event.retryAt}` : 'giving up'}`;
    case 'lost':
      return `${what}: another worker took this run over (its lease ran out); its outcome here is not recorded`;
  }
}

export async function workerCommand(options: { once?: boolean }, config: Config): Promise<void> {
  const scheduled = schedules(config);
  const store = await openStore(config.dbPath, { mustExist: true });
  const sendsMail = Boolean(config.mail.smtpUrl && config.publicUrl);
  const mailer = sendsMail ? smtpMailer(config.mail.smtpUrl as string, config.mail.from) : null;
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) process.exit(130);
    log('stopping after the job in progress (again to stop at once)');
    stop.abort();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  try {
    const jobs = await buildJobs(config, scheduled, store, mailer);
    const workerId = `${hostname()}:${process.pid}`;
    if (!sendsMail)
      log('digests are off: set OPENPAPERS_SMTP_URL and OPENPAPERS_PUBLIC_URL (the address digests link to)');
    const now = new Date();
    for (const job of jobs)
      log(
        `${job.name}: "${job.schedule.expression}" (${config.worker.timezone}), next ${job.schedule.next(now)?.toISOString() ?? 'never'}`,
      );
    if (jobs.length === 0) {
      log('no jobs to run');
      return;
    }
    const worker = new Worker({
      store,
      jobs,
      workerId,
      leaseSeconds: config.worker.leaseSeconds,
      now: () => new Date(),
      onEvent: (event) => {
        log(describeEvent(event));
        if (event.type === 'failed' && config.verbose) process.stderr.write(`${event.error.stack}\n`);
      },
    });
    log(`worker ${workerId} started`);
    if (options.once) await worker.runDue();
    else await worker.runUntil(stop.signal);
    log(`worker ${workerId} stopped`);
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    mailer?.close();
    await store.close();
  }
}

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

export async function jobsCommand(options: { limit: number; json?: boolean }, config: Config): Promise<void> {
  const store = await openStore(config.dbPath, { mustExist: true });
  try {
    const now = new Date();
    const schedule = schedules(config).map(({ name, schedule }) => ({
      job: name,
      cron: schedule.expression,
      next: schedule.next(now)?.toISOString() ?? null,
    }));
    const runs = await store.jobRuns({ limit: options.limit });
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ timezone: config.worker.timezone, schedule, runs })}\n`);
      return;
    }
    process.stdout.write(`Schedule (${config.worker.timezone}):\n`);
    for (const job of schedule)
      process.stdout.write(`  ${job.job.padEnd(15)} ${job.cron.padEnd(16)} next ${job.next ?? 'never'}\n`);
    process.stdout.write(
      runs.length > 0 ? 'Latest runs:\n' : 'No runs yet: start one with "openpapers worker".\n',
    );
    for (const run of runs) process.stdout.write(`  ${describeRun(run)}\n`);
  } finally {
    await store.close();
  }
}

function describeRun(run: JobRun): string {
  const outcome =
    run.status === 'done'
      ? run.summary
      : run.status === 'running'
        ? `running on ${run.worker}, leased until ${run.leaseUntil}`
        : run.status === 'retry'
          ? `failed (${run.lastError}); trying again at ${run.leaseUntil}`
          : `failed for good: ${run.lastError}`;
  return `${run.slot}  ${run.job.padEnd(15)} ${run.status.padEnd(7)} attempts ${run.attempts}  ${outcome}`;
}
