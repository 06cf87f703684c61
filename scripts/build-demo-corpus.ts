/**
 * Builds demo/papers.jsonl.gz, the demo corpus shipped in the repository, mechanically from shared/data:
 * every paper announced on the last DAYS listing days of the arXiv listings (their real dates), plus the
 * papers of the seed pages — taken from the listings where a seed's title matches one, so they keep their
 * real id and date, and as title-only records otherwise. arXiv metadata is CC0.
 *
 *   npm run demo:corpus -- [--shared DIR] [--days N] [--out FILE]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readSource, type FormatName } from '../src/adapters/sources/formats.js';
import { titlePaperId } from '../src/core/ids.js';
import { mergePaper } from '../src/core/merge.js';
import type { Paper, PaperRecord } from '../src/core/paper.js';
import { sharedDir } from './shared-dir.js';

async function* records(path: string, format: FormatName): AsyncGenerator<PaperRecord> {
  const source = { name: path, path, size: (await stat(path)).size, found: false };
  for await (const item of readSource(source, format)) {
    if (!item.ok) throw new Error(`${path}: ${item.where}: ${item.reason}`);
    yield item.record;
  }
}

async function main(): Promise<void> {
  const shared = sharedDir(process.argv);
  const daysFlag = process.argv.indexOf('--days');
  const days = daysFlag === -1 ? 14 : Number(process.argv[daysFlag + 1]);
  const outFlag = process.argv.indexOf('--out');
  const output = outFlag === -1 ? join('demo', 'papers.jsonl.gz') : (process.argv[outFlag + 1] as string);

  const papers = new Map<string, Paper>();
  const listings = join(shared, 'data', 'arxiv-daily-listings', 'arxiv-daily-listings.jsonl.gz');
  for await (const record of records(listings, 'arxiv-listing')) {
    papers.set(record.id, mergePaper(papers.get(record.id) ?? null, record, '').paper);
  }
  const announcedDays = [...new Set([...papers.values()].map((p) => p.announced as string))].sort();
  const firstDay = announcedDays.at(-days) as string;
  const chosen = new Map([...papers].filter(([, p]) => (p.announced as string) >= firstDay));

  const byTitle = new Map([...papers.values()].map((p) => [titlePaperId(p.title), p]));
  let matchedSeeds = 0;
  const seeds: PaperRecord[] = [];
  for await (const seed of records(join(shared, 'data', 'seeds', 'papers.jsonl'), 'openpapers')) {
    const listed = byTitle.get(seed.id);
    if (listed) {
      matchedSeeds++;
      chosen.set(listed.id, listed);
    } else seeds.push(seed);
  }

  const ordered = [...chosen.values()].sort((a, b) =>
    a.announced === b.announced
      ? a.id.localeCompare(b.id)
      : (b.announced as string).localeCompare(a.announced as string),
  );
  const lines = [...ordered, ...seeds].map(
    ({ sources: _sources, firstSeen: _seen, ...paper }: Paper | (PaperRecord & { firstSeen?: string })) =>
      JSON.stringify(paper),
  );
  mkdirSync(dirname(output), { recursive: true });
  const gz = gzipSync(`${lines.join('\n')}\n`, { level: 9 });
  writeFileSync(output, gz);
  console.log(
    `${output}: ${lines.length} papers (${ordered.length - matchedSeeds} announced ${firstDay}..${announcedDays.at(-1)}, ` +
      `${matchedSeeds} seed papers found in the listings, ${seeds.length} seed papers by title only), ` +
      `${(gz.length / 1024 / 1024).toFixed(2)} MB compressed`,
  );
}

await main();
