import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LEXICAL_PARAMS } from '../../../src/core/search/bm25.js';
import { MemorySegment } from '../../../src/core/search/memory-segment.js';
import { parseQuery } from '../../../src/core/search/query.js';
import { SegmentBuilder, type IndexableDoc } from '../../../src/core/search/segment.js';
import { LexicalSnapshot } from '../../../src/core/search/snapshot.js';
import { correctQuery, correctWord, editDistance } from '../../../src/core/search/spelling.js';

const TITLES = [
  'Attention is all you need: transformer models for translation',
  'Linear attention transformers for long context',
  'Graph neural networks for molecules',
  'Message passing graph networks',
  'Image segmentation with diffusion models',
  'Semantic segmentation of aerial images',
  'Agents that plan: language agents with tools',
  'Reinforcement learning for robot control',
  'Contrastive learning of visual representations',
  'Large language models as zero-shot reasoners',
  'Tool-using agents for the web',
  'Multi-agent debate among agents',
];

/** The titles spread over two segments, as an index that has taken two ingests holds them. */
function snapshot(): LexicalSnapshot {
  const docs: IndexableDoc[] = TITLES.map((title, i) => ({
    id: `p${i}`,
    title,
    abstract: title,
    authors: [],
    categories: ['cs.LG'],
    day: '2026-10-01',
  }));
  const segments = [docs.slice(0, 5), docs.slice(5)].map((part, s) => {
    const builder = new SegmentBuilder(DEFAULT_LEXICAL_PARAMS);
    part.forEach((doc, i) => builder.add(doc, s * 5 + i));
    return new MemorySegment(s + 1, builder.finish());
  });
  const keys = {
    segments: Uint32Array.from(docs, (_, i) => (i < 5 ? 1 : 2)),
    docs: Uint32Array.from(docs, (_, i) => (i < 5 ? i : i - 5)),
  };
  return new LexicalSnapshot(DEFAULT_LEXICAL_PARAMS, segments, keys, new Map());
}

test('edit distance counts a transposition as one edit and stops past its limit', () => {
  assert.equal(editDistance('transfrom', 'transform', 2), 1);
  assert.equal(editDistance('graph', 'grpah', 2), 1);
  assert.equal(editDistance('attent', 'atent', 2), 1);
  assert.equal(editDistance('kitten', 'sitting', 3), 3);
  assert.equal(editDistance('abcdef', 'uvwxyz', 2), 3, 'more than the limit');
});

test('typos become the words the papers use, found across segments', () => {
  const index = snapshot();
  assert.equal(correctWord(index, 'transfromer'), 'transformer');
  assert.equal(
    correctWord(index, 'atention'),
    'attention',
    'a letter left out beats one struck ("agention")',
  );
  assert.equal(correctWord(index, 'segmentaton'), 'segmentation', 'its stem is far from "segment"');
  assert.equal(correctWord(index, 'netwroks'), 'networks');
  assert.equal(correctWord(index, 'Lerning'), 'learning', 'folded as the index folds it');
});

test('known words, short words, numbers and nonsense are left alone', () => {
  const index = snapshot();
  for (const word of ['attention', 'networks', 'gnn', 'bert4', 'qwxyzzy', 'flurbonic', 'the', 'NETWROKS'])
    assert.equal(correctWord(index, word), null, word);
});

test('a query keeps its operators and filters, and only its unknown words change', () => {
  const index = snapshot();
  const text = '+transfromer "long context" -grpah category:cs.LG atention';
  assert.deepEqual(correctQuery(index, text, parseQuery(text)), {
    original: text,
    corrected: '+transformer "long context" -grpah category:cs.LG attention',
  });
  assert.equal(correctQuery(index, 'graph networks', parseQuery('graph networks')), null);
  assert.equal(correctQuery(index, 'qwxyzzy flurbonic', parseQuery('qwxyzzy flurbonic')), null);
});
