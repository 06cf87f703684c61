import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergePaper } from '../../src/core/merge.js';
import { emptyRecord, type PaperRecord } from '../../src/core/paper.js';

function record(overrides: Partial<PaperRecord>): PaperRecord {
  return {
    ...emptyRecord('2406.12345'),
    title: 'T',
    abstract: 'A',
    authors: ['X'],
    sources: ['kaggle'],
    ...overrides,
  };
}
const v1 = { version: 1, date: '2024-06-01T10:00:00Z' };
const v2 = { version: 2, date: '2024-07-01T10:00:00Z' };

test('a new paper gets its first-seen time', () => {
  const { paper, outcome } = mergePaper(null, record({}), '2026-01-01T00:00:00Z');
  assert.equal(outcome, 'new');
  assert.equal(paper.firstSeen, '2026-01-01T00:00:00Z');
});

test('a newer version replaces the text; the first-seen time stays', () => {
  const first = mergePaper(
    null,
    record({ versions: [v1], published: v1.date, updated: v1.date }),
    'then',
  ).paper;
  const { paper, outcome } = mergePaper(
    first,
    record({ title: 'T2', abstract: 'A2', versions: [v1, v2], published: v1.date, updated: v2.date }),
    'now',
  );
  assert.equal(outcome, 'updated');
  assert.equal(paper.title, 'T2');
  assert.equal(paper.abstract, 'A2');
  assert.deepEqual(paper.versions, [v1, v2]);
  assert.equal(paper.updated, v2.date);
  assert.equal(paper.firstSeen, 'then');
});

test('an older record never replaces newer text, but adds what is missing', () => {
  const stored = mergePaper(
    null,
    record({ title: 'New', versions: [v1, v2], updated: v2.date }),
    'then',
  ).paper;
  const { paper, outcome } = mergePaper(
    stored,
    record({
      title: 'Old',
      versions: [v1],
      updated: v1.date,
      doi: '10.1/x',
      categories: ['cs.CL'],
      sources: ['abs'],
    }),
    'now',
  );
  assert.equal(outcome, 'updated');
  assert.equal(paper.title, 'New');
  assert.equal(paper.doi, '10.1/x');
  assert.deepEqual(paper.categories, ['cs.CL']);
  assert.deepEqual(paper.sources, ['kaggle', 'abs']);
});

test('cross-lists add categories and keep the primary first; the first announcement day is kept', () => {
  const stored = mergePaper(
    null,
    record({ categories: ['cs.CV', 'cs.AI'], announced: '2025-03-18', updated: '2025-03-18' }),
    't',
  ).paper;
  const { paper } = mergePaper(
    stored,
    record({ categories: ['cs.CV', 'cs.LG'], announced: '2025-03-20', updated: '2025-03-20' }),
    't2',
  );
  assert.deepEqual(paper.categories, ['cs.CV', 'cs.LG', 'cs.AI']);
  assert.equal(paper.announced, '2025-03-18');
  assert.equal(paper.updated, '2025-03-20');
});

test('merging the same record again changes nothing', () => {
  const incoming = record({ categories: ['cs.CL'], versions: [v1], updated: v1.date });
  const once = mergePaper(null, incoming, 't').paper;
  const again = mergePaper(once, incoming, 'later');
  assert.equal(again.outcome, 'unchanged');
  assert.deepEqual(again.paper, once);
});
