import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recommend, trainPersonalModel, type RecItem } from '../../../src/core/recs/personal.js';
import { sparseDot, TfIdfSpace } from '../../../src/core/recs/tfidf.js';

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

function items(space: TfIdfSpace, withVectors: boolean): Map<string, RecItem> {
  // Two-dimensional "embeddings": the first axis is the attention topic, the second everything else.
  return new Map(
    Object.entries(TEXTS).map(([id, text]) => [
      id,
      {
        id,
        vector: withVectors ? Float32Array.from(id.startsWith('b') ? [0.1, 0.99] : [0.99, 0.1]) : null,
        terms: space.vector(text),
      },
    ]),
  );
}

test('tf-idf vectors have unit length and weigh rare words above common ones', () => {
  const space = new TfIdfSpace(Object.values(TEXTS));
  const vector = space.vector(TEXTS.a1 as string);
  assert.ok(Math.abs(sparseDot(vector, vector) - 1) < 1e-9);
  assert.ok(
    (vector.get('kernel') as number) < (vector.get('featur') as number),
    'kernel is in 3 texts, feature in 1',
  );
  assert.equal(space.vector('').size, 0);
});

for (const withVectors of [true, false]) {
  test(`the personal model ranks the reader's topic first and says which paper each is like (${withVectors ? 'with' : 'without'} embeddings)`, () => {
    const space = new TfIdfSpace(Object.values(TEXTS));
    const all = items(space, withVectors);
    const pick = (...ids: string[]) => ids.map((id) => all.get(id) as RecItem);
    const model = trainPersonalModel({
      positives: pick('a1', 'a2'),
      negatives: pick('b5'),
      background: pick('b1', 'b2', 'b3', 'b4'),
    });
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
  const space = new TfIdfSpace(Object.values(TEXTS));
  const all = items(space, true);
  const model = trainPersonalModel({ positives: [], negatives: [], background: [...all.values()] });
  assert.equal(recommend(model, [...all.values()], 5).length, 5);
});
