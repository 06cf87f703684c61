import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recommend, trainPersonalModel, type RecItem } from '../../../src/core/recs/personal.js';
import { Bm25Space, countTerms } from '../../../src/core/recs/bm25.js';

const TEXTS: Record<string, string> = {
  a1: 'Linear attention for long context transformers with kernel feature maps',
  a2: 'Efficient attention kernels scale transformers to long context windows',
  a3: 'State space models rival attention on long context language modelling',
  b1: 'Protein folding predicted from sequence with geometric deep learning',
  b2: 'Crystal structures of membrane proteins solved by cryo electron microscopy',
  b3: 'Gene expression atlas of the developing mouse brain at single cell resolution',
  b4: 'Dark matter halos in cosmological simulations of galaxy formation',
  b5: 'Reinforcement learning for robotic grasping from raw camera pixels',
  x1: 'Long context attention with linear kernels for efficient transformers',
};

const SPACE = new Bm25Space(Object.values(TEXTS).map(countTerms));

function items(withVectors: boolean): Map<string, RecItem> {
  // Two-dimensional "embeddings": the first axis is the attention topic, the second everything else.
  return new Map(
    Object.entries(TEXTS).map(([id, text]) => [
      id,
      {
        id,
        vector: withVectors ? Float32Array.from(id.startsWith('b') ? [0.1, 0.99] : [0.99, 0.1]) : null,
        terms: countTerms(text),
      },
    ]),
  );
}

test('BM25 with a library as the query: rare words weigh more, repeats saturate, long papers count less', () => {
  const query = new Map([
    ['kernel', 1],
    ['featur', 1],
  ]);
  const score = (text: string) => SPACE.score(query, countTerms(text));
  assert.ok(score('feature maps') > score('kernel maps'), 'kernel is in 3 texts, feature in 1');
  assert.ok(score('kernel kernel kernel') < 3 * score('kernel'), 'a repeated word saturates');
  assert.ok(score('kernel maps') > score('kernel maps for long context windows of efficient models'));
  assert.equal(score(''), 0);
  assert.equal(SPACE.score(new Map([['kernel', 2]]), countTerms('kernel')), 2 * score('kernel'));
});

for (const withVectors of [true, false]) {
  test(`the personal model ranks the reader's topic first and says which paper each is like (${withVectors ? 'with' : 'without'} embeddings)`, () => {
    const all = items(withVectors);
    const pick = (...ids: string[]) => ids.map((id) => all.get(id) as RecItem);
    const model = trainPersonalModel(
      {
        positives: pick('a1', 'a2'),
        negatives: pick('b5'),
        background: pick('b1', 'b2', 'b3', 'b4'),
      },
      SPACE,
    );
    const ranked = recommend(model, [...all.values()], 3);
    assert.deepEqual(
      ranked
        .slice(0, 2)
        .map((r) => r.id)
        .sort(),
      ['a3', 'x1'],
    );
    assert.ok(!ranked.some((r) => r.id === 'a1' || r.id === 'a2'), "the reader's own papers are left out");
    assert.equal(ranked.find((r) => r.id === 'x1')?.because, 'a1', 'x1 is nearly a1 reworded');
    assert.deepEqual(recommend(model, [...all.values()], 3), ranked, 'deterministic');
  });
}

test('a reader with no papers yet gets no model-driven ranking, not an error', () => {
  const all = items(true);
  const model = trainPersonalModel({ positives: [], negatives: [], background: [...all.values()] }, SPACE);
  assert.equal(recommend(model, [...all.values()], 5).length, 5);
});
