import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isArxivId, parseArxivId } from '../../src/core/arxiv-id.js';

test('new-style ids lose their version and keep it apart', () => {
  assert.deepEqual(parseArxivId('2406.12345'), { id: '2406.12345', version: null });
  assert.deepEqual(parseArxivId('2406.12345v3'), { id: '2406.12345', version: 3 });
  assert.deepEqual(parseArxivId('0704.0001'), { id: '0704.0001', version: null });
});

test('old-style ids, with or without a subject class', () => {
  assert.deepEqual(parseArxivId('hep-th/9901001'), { id: 'hep-th/9901001', version: null });
  assert.deepEqual(parseArxivId('quant-ph/0201082v1'), { id: 'quant-ph/0201082', version: 1 });
  assert.deepEqual(parseArxivId('math.AG/0309136'), { id: 'math/0309136', version: null });
});

test('prefixes and URLs that real sources use', () => {
  for (const raw of [
    'arXiv:2406.12345v2',
    'oai:arXiv.org:2406.12345',
    'http://arxiv.org/abs/2406.12345v2',
    'https://arxiv.org/pdf/2406.12345v2.pdf',
    'https://export.arxiv.org/abs/2406.12345',
    '  2406.12345  ',
  ]) {
    assert.equal(parseArxivId(raw)?.id, '2406.12345', raw);
  }
  assert.equal(parseArxivId('http://arxiv.org/abs/astro-ph/0601001v1')?.id, 'astro-ph/0601001');
});

test('things that are not arXiv ids', () => {
  for (const raw of [
    '',
    'abc',
    '0000.0000',
    '2413.12345',
    '1412.12345',
    '1501.1234',
    'hep-th/99010',
    '10.1103/PhysRevD.76.013009',
  ]) {
    assert.equal(parseArxivId(raw), null, raw);
  }
  assert.equal(isArxivId('2406.12345'), true);
  assert.equal(isArxivId('2406.12345v1'), false);
});
