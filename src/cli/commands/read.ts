/** The read-only commands: show, list, stats. */
import type { PaperStore } from '../../app/ports.js';
import { openStore } from '../../adapters/storage/open.js';
import { parseArxivId } from '../../core/arxiv-id.js';
import { toIsoDay } from '../../core/dates.js';
import { OpenPapersError } from '../../core/errors.js';
import type { Config } from '../config.js';
import { paperDetails, paperLine } from '../format.js';

async function withStore<T>(config: Config, use: (store: PaperStore) => Promise<T>): Promise<T> {
  const store = await openStore(config.dbPath, { mustExist: true });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

export async function showCommand(id: string, options: { json?: boolean }, config: Config): Promise<void> {
  const wanted = parseArxivId(id)?.id ?? id.trim();
  const paper = await withStore(config, (store) => store.getPaper(wanted));
  if (!paper)
    throw new OpenPapersError('OP_ERR_NOT_FOUND', `no paper with id "${wanted}" in ${config.dbName}`);
  process.stdout.write(options.json ? `${JSON.stringify(paper, null, 2)}\n` : paperDetails(paper));
}

export interface ListOptions {
  from?: string;
  to?: string;
  category?: string;
  limit: number;
  json?: boolean;
}

export function parseDayOption(value: string, option: string): string {
  const day = toIsoDay(value);
  if (!day)
    throw new OpenPapersError('OP_ERR_USAGE', `${option} must be a date as YYYY-MM-DD, not "${value}"`);
  return day;
}

export async function listCommand(options: ListOptions, config: Config): Promise<void> {
  if (options.from && options.to && options.from > options.to) {
    throw new OpenPapersError('OP_ERR_USAGE', `--from ${options.from} is after --to ${options.to}`);
  }
  const papers = await withStore(config, (store) =>
    store.listPapers({
      from: options.from,
      to: options.to,
      category: options.category,
      limit: options.limit,
    }),
  );
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ papers }, null, 2)}\n`);
  } else if (papers.length === 0) {
    process.stdout.write('No papers match.\n');
  } else {
    process.stdout.write(`${papers.map(paperLine).join('\n')}\n`);
  }
}

export async function statsCommand(options: { json?: boolean }, config: Config): Promise<void> {
  const stats = await withStore(config, (store) => store.stats());
  if (options.json) {
    process.stdout.write(`${JSON.stringify(stats, null, 2)}\n`);
    return;
  }
  const n = (value: number) => value.toLocaleString('en-US');
  const lines = [`${n(stats.papers)} papers in ${config.dbName}`, '', 'By month:'];
  for (const [month, count] of Object.entries(stats.byMonth))
    lines.push(`  ${month}  ${n(count).padStart(8)}`);
  lines.push('', 'By primary category (top 15):');
  for (const [category, count] of Object.entries(stats.byPrimaryCategory).slice(0, 15)) {
    lines.push(`  ${category.padEnd(18)} ${n(count).padStart(8)}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
