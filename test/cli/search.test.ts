import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { embeddedDemo } from '../embedded-demo.js';
import { runCli, sharedPath, tempDir } from '../helpers.js';

interface Result {
  id: string;
  title: string;
  score: number;
  snippet: string;
  highlights: [number, number][];
  day: string;
  categories: string[];
}

/**
 * The top results of a few queries on the demo corpus, checked by reading each paper: if ranking changes,
 * read the new results before updating these.
 */
const GOLDEN_LEXICAL: Record<string, string[]> = {
  'linear attention for long context': ['2606.30562', '2606.26560', 'title:b3214af53a028ff6'],
  '"state space model"': ['2606.23126', 'title:e9b1007b54226b97', '2606.23028'],
  'protein structure prediction': ['title:d2ab30729d112bf3', 'title:62148f6a09fcb963', '2606.22138'],
  'retrieval augmented generation -survey': ['title:36065a11a337cc3b', '2606.30093', '2606.17619'],
};
const GOLDEN_HYBRID: Record<string, string[]> = {
  'linear attention for long context': ['2606.30562', 'title:b3214af53a028ff6'],
  'mamba state space sequence model': ['title:26bfd20b27363f35', 'title:79bfac79168a2987'],
};

describe('search, similar and embed on the demo corpus', () => {
  let env: NodeJS.ProcessEnv;
  const search = async (...args: string[]) => {
    const result = await runCli(['search', ...args, '--json'], env);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as { mode: string; notice: string | null; results: Result[] };
  };

  before(async () => {
    ({ env } = await embeddedDemo({ after: (fn) => process.on('exit', fn) }));
  });

  test('golden: the top results of keyword and hybrid queries', async () => {
    for (const [query, ids] of Object.entries(GOLDEN_LEXICAL)) {
      const { results, mode } = await search(query, '--mode', 'lexical', '--limit', String(ids.length));
      assert.equal(mode, 'lexical');
      assert.deepEqual(
        results.map((r) => r.id),
        ids,
        query,
      );
    }
    for (const [query, ids] of Object.entries(GOLDEN_HYBRID)) {
      const { results, mode } = await search(query, '--limit', String(ids.length));
      assert.equal(mode, 'hybrid');
      assert.deepEqual(
        results.map((r) => r.id),
        ids,
        query,
      );
    }
  });

  test('results carry id, title, score, snippet and highlights that point at query words', async () => {
    const { results } = await search('diffusion models', '--limit', '5');
    assert.equal(results.length, 5);
    for (const result of results) {
      assert.ok(result.id && result.title && result.snippet);
      assert.equal(typeof result.score, 'number');
      for (const [start, end] of result.highlights)
        assert.match(result.snippet.slice(start, end), /^diffus|^model/i);
    }
    assert.ok(results.every((r, i) => i === 0 || (results[i - 1] as Result).score >= r.score));
  });

  test('filters: category, dates, since:, required, excluded and phrases', async () => {
    const { results: inCategory } = await search(
      'reinforcement learning',
      '--category',
      'cs.RO',
      '--limit',
      '20',
    );
    assert.ok(inCategory.length > 0 && inCategory.every((r) => r.categories.includes('cs.RO')));
    const { results: dated } = await search(
      'language models',
      '--from',
      '2026-06-23',
      '--to',
      '2026-06-25',
      '--limit',
      '30',
    );
    assert.ok(dated.length > 0 && dated.every((r) => r.day >= '2026-06-23' && r.day <= '2026-06-25'));
    const { results: phrase } = await search(
      '"state space model" -transformer',
      '--mode',
      'lexical',
      '--limit',
      '10',
    );
    assert.ok(phrase.length > 0);
    for (const r of phrase) {
      const shown = await runCli(['show', r.id, '--json'], env);
      const paper = JSON.parse(shown.stdout) as { title: string; abstract: string };
      assert.match(`${paper.title} ${paper.abstract}`, /state[- ]space models?/i);
      assert.doesNotMatch(`${paper.title} ${paper.abstract}`, /transformer/i);
    }
  });

  test('similar: neighbours of a paper, not the paper itself', async () => {
    const {
      results: [first],
    } = await search('protein structure', '--limit', '1');
    const similar = await runCli(['similar', (first as Result).id, '--limit', '5', '--json'], env);
    assert.equal(similar.code, 0, similar.stderr);
    const { results } = JSON.parse(similar.stdout) as { results: Result[] };
    assert.equal(results.length, 5);
    assert.ok(results.every((r) => r.id !== (first as Result).id));
  });

  // Papers chosen so that a reader can judge: hybrid attention, Turkish tokenisation, flood mapping from
  // satellites. Each list is what a reader would call on topic; a ranking change that moves them shows here.
  test('golden: the similar papers of three demo papers', async () => {
    const golden: Record<string, string[]> = {
      // Morphing into Hybrid Attention Models
      '2606.30562': ['2606.27791', '2606.20971', '2606.20097'],
      // Morpheus: A Morphology-Aware Neural Tokenizer and Word Embedder for Turkish
      '2606.18717': ['2606.15144', '2606.23943', '2606.29614'],
      // High-Resolution Flood Mapping With Sentinel-1 and Sentinel-2 …
      '2606.30511': ['2606.16302', '2606.29134', '2606.17713'],
    };
    for (const [id, expected] of Object.entries(golden)) {
      const similar = await runCli(['similar', id, '--limit', '3', '--json'], env);
      assert.equal(similar.code, 0, similar.stderr);
      const { mode, results } = JSON.parse(similar.stdout) as { mode: string; results: Result[] };
      assert.equal(mode, 'hybrid');
      assert.deepEqual(
        results.map((r) => r.id),
        expected,
        `${id}: ${results.map((r) => r.title).join(' | ')}`,
      );
    }
  });

  test('index brings the index up to date, rebuild builds it again, status says what it holds', async () => {
    for (const [args, done] of [
      [['index'], /0 paper and 0 vector changes applied/],
      [['index', 'rebuild'], /rebuilt/],
    ] as const) {
      const result = await runCli([...args], env);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^Search index in .*demo\.db\.search: 4,329 papers; 4,329 embedded with /);
      assert.match(result.stdout, done);
    }
    const status = await runCli(['index', 'status', '--json'], env);
    assert.equal(status.code, 0, status.stderr);
    const parsed = JSON.parse(status.stdout) as { papers: number; upToDate: boolean; vectors: object };
    assert.equal(parsed.papers, 4_329);
    assert.equal(parsed.upToDate, true);
    assert.deepEqual(
      Object.values(parsed.vectors).map((v: { vectors: number }) => v.vectors),
      [4_329],
    );
    const text = await runCli(['index', 'status'], env);
    assert.match(text.stdout, /generation \d+: 4,329 papers in \d+ segments \(up to date\)/);
  });

  test('a second embed run has nothing to do', async () => {
    const again = await runCli(['embed'], env);
    assert.match(again.stdout, /^Nothing to embed: no paper changed since the last run/);
  });

  test('errors: one line and a distinct exit status', async () => {
    const noModel = { ...env, OPENPAPERS_EMBED_MODEL: '/nonexistent/model' };
    const semantic = await runCli(['search', 'attention', '--mode', 'semantic'], noModel);
    assert.equal(semantic.code, 6);
    assert.match(
      semantic.stderr,
      /^openpapers: semantic search is off: cannot load the embedding model \/nonexistent\/model.*\n$/,
    );
    const hybrid = await runCli(['search', 'attention', '--limit', '2', '--json'], noModel);
    assert.equal(hybrid.code, 0);
    assert.equal((JSON.parse(hybrid.stdout) as { mode: string }).mode, 'lexical');
    assert.match(hybrid.stderr, /showing keyword results/);
    const cases: [string[], number, RegExp][] = [
      [['search', 'x', '--mode', 'fuzzy'], 2, /--mode/],
      [['search', 'attention since:soon'], 2, /since:soon is not a period/],
      [['similar', '2999.99999'], 3, /no paper with id "2999.99999"/],
    ];
    for (const [args, code, message] of cases) {
      const result = await runCli(args, env);
      assert.equal(result.code, code, args.join(' '));
      const [first, ...rest] = result.stderr.trim().split('\n');
      assert.match(first as string, message);
      // At most a hint to --help after it, never a stack trace.
      assert.ok(
        rest.every((line) => line === '(run with --help for usage)'),
        result.stderr,
      );
    }
  });
});

// Hybrid and semantic evaluation, which need the whole corpus embedded, is npm run bench:relevance.
describe('eval on the SciFact train split', () => {
  test('lexical reaches the published BM25 level', async (t) => {
    const dir = tempDir(t);
    const env = { OPENPAPERS_EMBED_MODEL: '/nonexistent/model' };
    const scifact = sharedPath('data', 'beir-scifact');
    const run = async (mode: string) => {
      const result = await runCli(
        [
          'eval',
          scifact,
          '--queries',
          join(scifact, 'queries.train.jsonl'),
          '--qrels',
          join(scifact, 'qrels', 'train.tsv'),
          '--mode',
          mode,
          '--json',
          '--db',
          join(dir, 'scifact.db'),
        ],
        env,
      );
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(result.stdout) as Record<'ndcg@10' | 'recall@100' | 'mrr@10' | 'queries', number>;
    };
    const lexical = await run('lexical');
    assert.equal(lexical.queries, 809);
    assert.ok(lexical['ndcg@10'] >= 0.66, `lexical nDCG@10 ${lexical['ndcg@10']}`);
    assert.ok(lexical['recall@100'] > 0.85 && lexical['mrr@10'] > 0.6);
  });
});
