/**
 * `openpapers eval <beir-dir>`: indexes a BEIR corpus (into a temporary database unless --db is given), runs
 * its queries and prints nDCG@10, Recall@100 and MRR@10.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embedMissing } from '../../app/embed.js';
import { ingestSource } from '../../app/ingest.js';
import type { Embedder } from '../../app/ports.js';
import type { SearchMode } from '../../app/search.js';
import { lazyEmbedder } from '../../adapters/embed/open.js';
import { beirCorpusName, readSource } from '../../adapters/sources/formats.js';
import { readBeirQueries, readQrels } from '../../adapters/sources/beir-eval.js';
import { openStore } from '../../adapters/storage/open.js';
import { OpenPapersError } from '../../core/errors.js';
import { beirPaperId } from '../../core/ids.js';
import { evaluate } from '../../core/search/metrics.js';
import type { Config } from '../config.js';
import { createProgress } from '../progress.js';
import { openSearch } from './search.js';

/** A page of search results as the web app shows it by default. */
const FIRST_PAGE = 20;

export interface EvalOptions {
  queries?: string;
  qrels?: string;
  mode: SearchMode;
  json?: boolean;
  lexicalWeight?: number;
}

export async function evalCommand(
  dir: string,
  options: EvalOptions,
  config: Config,
  dbGiven: boolean,
): Promise<void> {
  const corpus = join(dir, 'corpus.jsonl');
  const queries = readBeirQueries(options.queries ?? join(dir, 'queries.jsonl'));
  const qrels = readQrels(options.qrels ?? join(dir, 'qrels', 'test.tsv'));
  const temporary = dbGiven ? null : mkdtempSync(join(tmpdir(), 'openpapers-eval-'));
  const evalConfig: Config = temporary
    ? {
        ...config,
        dbPath: join(temporary, 'eval.db'),
        dbName: join(temporary, 'eval.db'),
        searchDir: join(temporary, 'eval.db.search'),
      }
    : config;
  const store = await openStore(evalConfig.dbPath);
  try {
    let size: number;
    try {
      size = statSync(corpus).size;
    } catch {
      throw new OpenPapersError('OP_ERR_INPUT', `cannot read ${corpus}: no such file`);
    }
    const counts = await ingestSource(
      store,
      corpus,
      readSource({ name: corpus, path: corpus, size, found: false }, 'beir'),
      {
        now: () => new Date().toISOString(),
      },
    );
    if (counts.rejected > 0)
      process.stderr.write(`openpapers: ${counts.rejected} corpus documents rejected\n`);

    let embedder = lazyEmbedder(evalConfig.embedding);
    if (options.mode !== 'lexical') {
      const loaded = await embedder();
      const weighted: Embedder =
        options.lexicalWeight === undefined
          ? loaded
          : { ...loaded, settings: { ...loaded.settings, hybridLexicalWeight: options.lexicalWeight } };
      embedder = () => Promise.resolve(weighted);
      const progress = createProgress(
        `embedding corpus (${loaded.model})`,
        counts.new + counts.updated + counts.unchanged,
      );
      await embedMissing(store, weighted, {
        onProgress: (c) => progress.update(c.embedded + c.upToDate, c.embedded),
      });
      progress.done();
    }

    const { search: service, reader } = await openSearch(store, evalConfig, embedder);
    const prefix = beirPaperId(beirCorpusName(corpus), '');
    // The top 10 is measured on a first page as users get it: hybrid search fuses as deep as the page asks,
    // so a search for 100 results would rank its top 10 from deeper lists than a page does.
    const firstPages = new Map<string, string[]>();
    const deepRuns = new Map<string, string[]>();
    const judged = [...qrels.keys()].filter((id) => queries.has(id));
    const progress = createProgress('queries', judged.length);
    for (const [i, id] of judged.entries()) {
      for (const [runs, limit] of [
        [firstPages, FIRST_PAGE],
        [deepRuns, 100],
      ] as const) {
        const response = await service.search({
          query: queries.get(id) as string,
          mode: options.mode,
          limit,
          plain: true,
        });
        if (response.notice) throw new OpenPapersError('OP_ERR_SEMANTIC', response.notice);
        runs.set(
          id,
          response.hits.map((hit) => hit.paper.id.slice(prefix.length)),
        );
      }
      progress.update(i + 1, i + 1);
    }
    progress.done();
    reader.close();
    const judgedQrels = new Map([...qrels].filter(([id]) => queries.has(id)));
    const scores = {
      ...evaluate(firstPages, judgedQrels),
      'recall@100': evaluate(deepRuns, judgedQrels)['recall@100'],
    };
    if (options.json) {
      process.stdout.write(`${JSON.stringify(scores)}\n`);
    } else {
      process.stdout.write(
        `${options.mode} search on ${dir}, ${scores.queries} queries:\n` +
          `  nDCG@10     ${scores['ndcg@10'].toFixed(4)}\n  Recall@100  ${scores['recall@100'].toFixed(4)}\n  MRR@10      ${scores['mrr@10'].toFixed(4)}\n`,
      );
    }
  } finally {
    await store.close();
    if (temporary) rmSync(temporary, { recursive: true, force: true });
  }
}
