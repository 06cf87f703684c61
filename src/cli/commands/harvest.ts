/**
 * `openpapers harvest`: brings in what arXiv announced, over OAI-PMH, set by set, each from its checkpoint;
 * the worker's `harvest` job runs the same. Progress is one line per page on standard error.
 */
import { describeHarvest, harvestNewest, harvestOai, plural, type HarvestCounts } from '../../app/harvest.js';
import type { Rejection } from '../../app/ingest.js';
import type { PaperStore } from '../../app/ports.js';
import { parseArxivFeed } from '../../adapters/harvest/arxiv-feed.js';
import { parseOaiPage } from '../../adapters/harvest/oai-pmh-page.js';
import { politeHttp } from '../../adapters/harvest/polite-http.js';
import { openStore } from '../../adapters/storage/open.js';
import { daysBefore, type MetadataPrefix } from '../../core/harvest/oai-pmh.js';
import type { Config } from '../config.js';

export interface HarvestOptions {
  /** oai: the sets over OAI-PMH; api: the newest submissions in the categories; both by default. */
  source?: 'oai' | 'api';
  set?: string[];
  category?: string[];
  format?: MetadataPrefix;
  from?: string;
  json?: boolean;
}

/** Harvests each set in turn, then the categories' newest submissions; returns what each brought. */
export async function harvestSets(
  store: PaperStore,
  config: Config,
  options: HarvestOptions,
  log: (line: string) => void,
): Promise<{ set: string; counts: HarvestCounts; from: string }[]> {
  const http = politeHttp({
    intervalMs: config.harvest.intervalMs,
    onWait: (seconds, why) => log(`arXiv answered ${why}: waiting ${seconds.toFixed(0)} s as it asks`),
  });
  const now = () => new Date();
  const onRejected = (rejection: Rejection) =>
    log(`rejected: ${rejection.source}: ${rejection.where}: ${rejection.reason}`);
  const firstFrom = daysBefore(now().toISOString().slice(0, 10), config.harvest.firstDays);
  const results = [];
  const categories = options.category ?? config.harvest.categories;
  if (options.source !== 'oai' && categories.length > 0) {
    const { counts, newest } = await harvestNewest(
      {
        store,
        http,
        parseFeed: parseArxivFeed,
        now,
        onRejected,
      },
      { base: config.arxivApi, categories, firstFrom },
    );
    const set = categories.join(' ');
    log(
      `${set} (arXiv API, newest): ${plural(counts.pages, 'page')}, ${describeHarvest(counts)}; newest ${newest ?? 'none'}`,
    );
    results.push({ set, counts, from: newest?.slice(0, 10) ?? firstFrom });
  }
  if (options.source === 'api') return results;
  for (const set of options.set ?? config.harvest.sets) {
    const target = { set, metadataPrefix: options.format ?? config.harvest.metadataPrefix };
    const { counts, checkpoint } = await harvestOai(
      {
        store,
        http,
        parsePage: parseOaiPage,
        now,
        onPage: ({ counts: sofar }) =>
          log(
            `${set}: page ${sofar.pages}, ${sofar.read} records (${sofar.new} new, ${sofar.updated} updated)`,
          ),
        onRejected,
      },
      {
        base: config.harvest.oaiUrl,
        target,
        firstFrom,
        from: options.from,
      },
    );
    log(
      `${set} (${target.metadataPrefix}): ${plural(counts.pages, 'page')}, ${describeHarvest(counts)}; next from ${checkpoint.from}`,
    );
    results.push({ set, counts, from: checkpoint.from });
  }
  return results;
}

export async function harvestCommand(options: HarvestOptions, config: Config): Promise<void> {
  const store = await openStore(config.dbPath);
  try {
    const results = await harvestSets(store, config, options, (line) => process.stderr.write(`${line}\n`));
    if (options.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    if (results.some(({ counts }) => counts.rejected > 0)) process.exitCode = 1;
  } finally {
    await store.close();
  }
}
