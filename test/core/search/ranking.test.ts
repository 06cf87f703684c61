import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fuse } from '../../../src/core/search/fusion.js';
import { evaluate, mrrAt, ndcgAt, recallAt } from '../../../src/core/search/metrics.js';
import { containsPhrase, highlight, makeSnippet } from '../../../src/core/search/snippet.js';
import { analyze } from '../../../src/core/search/tokenize.js';

test('metrics on a case computed by hand', () => {
  // Relevant: d1 (grade 1) and d4 (grade 2). Ranked: d3 d1 d2 d4.
  const relevant = new Map([
    ['d1', 1],
    ['d4', 2],
  ]);
  const ranked = ['d3', 'd1', 'd2', 'd4'];
  // DCG = 1/log2(3) + 2/log2(5) = 0.63093 + 0.86135 = 1.49228; IDCG = 2/1 + 1/log2(3) = 2.63093.
  assert.ok(Math.abs(ndcgAt(10, ranked, relevant) - 1.49228 / 2.63093) < 1e-5);
  assert.ok(Math.abs(ndcgAt(3, ranked, relevant) - 0.63093 / 2.63093) < 1e-5);
  assert.equal(recallAt(2, ranked, relevant), 0.5);
  assert.equal(recallAt(100, ranked, relevant), 1);
  assert.equal(mrrAt(10, ranked, relevant), 0.5);
  assert.equal(mrrAt(1, ranked, relevant), 0);
  const scores = evaluate(
    new Map([
      ['q1', ranked],
      ['q2', ['x']],
    ]),
    new Map([
      ['q1', relevant],
      ['q2', new Map([['y', 1]])],
    ]),
  );
  assert.equal(scores.queries, 2);
  assert.ok(Math.abs(scores['ndcg@10'] - 1.49228 / 2.63093 / 2) < 1e-5);
  assert.equal(scores['mrr@10'], 0.25);
  assert.equal(scores['recall@100'], 0.5);
});

test('fusion: weight 1 is the lexical ranking, weight 0 the semantic one, and between them a blend', () => {
  const candidates = [
    { key: 1, lexical: 10, semantic: 0.2 },
    { key: 2, lexical: 8, semantic: 0.9 },
    { key: 3, lexical: 1, semantic: 0.95 },
    { key: 4, lexical: 0, semantic: 0.1 },
  ];
  assert.deepEqual(
    fuse(candidates, 1).map((h) => h.key),
    [1, 2, 3, 4],
  );
  assert.deepEqual(
    fuse(candidates, 0).map((h) => h.key),
    [3, 2, 1, 4],
  );
  assert.deepEqual(
    fuse(candidates, 0.5).map((h) => h.key),
    [2, 1, 3, 4],
  );
  assert.deepEqual(fuse([], 0.5), []);
});

test('snippets centre on the query words, cut at word boundaries, and mark every form of them', () => {
  const text = `${'Filler words come first here. '.repeat(20)}We study linear attention, and attentive models of long contexts. ${'More filler follows. '.repeat(20)}`;
  const terms = new Set(analyze('linear attention long context'));
  const snippet = makeSnippet(text, terms, 200);
  assert.ok(snippet.text.startsWith('…') && snippet.text.endsWith('…'));
  assert.ok(snippet.text.length <= 202);
  // It starts at a word boundary of the text, a little before the first match.
  const at = text.indexOf(snippet.text.slice(1, -1));
  assert.ok(at > 0 && text[at - 1] === ' ', `starts mid-word: ${snippet.text.slice(0, 40)}`);
  assert.ok(text.indexOf('We study') - at <= 60);
  const marked = snippet.highlights.map(([s, e]) => snippet.text.slice(s, e));
  assert.deepEqual(marked, ['linear', 'attention', 'attentive', 'long', 'contexts']);
  const title = highlight('Attention Is All You Need', new Set(analyze('attention')));
  assert.deepEqual(title.highlights, [[0, 9]]);
  assert.deepEqual(makeSnippet('Short.', terms).text, 'Short.');
});

test('highlighting marks exactly the words whose analysed terms the query holds, accents and case aside', () => {
  const text =
    'Émile studied Happy, happiness and HAPPILY; Ölfeld used 3D models, modelling and ﬁne-tuning of Yield curves.';
  const query = new Set(analyze('happy emile olfeld 3d model fine yield'));
  const marked = highlight(text, query).highlights.map(([s, e]) => text.slice(s, e));
  // The reference: every word analysed on its own.
  const expected = [...text.matchAll(/[\p{L}\p{N}]+/gu)]
    .map((m) => m[0])
    .filter((word) => analyze(word).some((term) => query.has(term)));
  assert.deepEqual(marked, expected);
  assert.ok(marked.includes('Émile') && marked.includes('Ölfeld') && marked.includes('Happy'));
});

test('phrases match consecutive words after the same analysis, stop words aside', () => {
  const text = analyze('A state-space model of the sequence');
  assert.ok(containsPhrase(text, analyze('state space models')));
  assert.ok(containsPhrase(text, analyze('model of sequences')));
  assert.ok(!containsPhrase(text, analyze('space state model')));
});
