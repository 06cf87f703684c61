import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseQuery, plainQuery, queryText, QuerySyntaxError } from '../../../src/core/search/query.js';

test('words, phrases, required and excluded terms, and filters parse into one frozen tree', () => {
  const query = parseQuery(
    'linear "state space model" +mamba -transformer -"vision model" author:"Albert Gu" au:dao category:cs.LG cat:cs.CL since:2w',
  );
  assert.deepEqual(
    query.clauses.map((c) => [c.kind, c.words.join(' '), c.occur]),
    [
      ['word', 'linear', 'should'],
      ['phrase', 'state space model', 'must'],
      ['word', 'mamba', 'must'],
      ['word', 'transformer', 'mustNot'],
      ['phrase', 'vision model', 'mustNot'],
    ],
  );
  assert.deepEqual(query.authors, ['Albert Gu', 'dao']);
  assert.deepEqual(query.categories, ['cs.LG', 'cs.CL']);
  assert.equal(query.sinceDays, 14);
  assert.ok(Object.isFrozen(query) && Object.isFrozen(query.clauses) && Object.isFrozen(query.clauses[0]));
  assert.throws(() => (query.clauses as unknown as unknown[]).push('x'), TypeError);
});

test('periods for since: are days, weeks, months and years', () => {
  assert.equal(parseQuery('since:7d').sinceDays, 7);
  assert.equal(parseQuery('since:3m').sinceDays, 90);
  assert.equal(parseQuery('SINCE:1Y').sinceDays, 365);
});

test('a lone + or -, an unclosed quote and a field-like word that is not a field are taken as text', () => {
  assert.deepEqual(
    parseQuery('a - b').clauses.map((c) => c.words[0]),
    ['a', '-', 'b'],
  );
  assert.deepEqual(parseQuery('"open ended').clauses[0]?.words, ['open', 'ended']);
  assert.deepEqual(parseQuery('https://arxiv.org').clauses[0]?.words, ['https://arxiv.org']);
});

test('malformed filters are rejected with a message that says how to write them', () => {
  assert.throws(
    () => parseQuery('since:yesterday'),
    (error: Error) => {
      assert.ok(error instanceof QuerySyntaxError);
      assert.match(error.message, /since:yesterday is not a period; write since:7d/);
      return true;
    },
  );
  assert.throws(() => parseQuery('author:'), /author: needs a value/);
  assert.throws(() => parseQuery('category:""'), /category: needs a value/);
});

test('the semantic text keeps what is wanted and drops what is excluded; plain queries have no operators', () => {
  assert.equal(queryText(parseQuery('graph "neural network" -survey author:x')), 'graph neural network');
  const plain = plainQuery('Is +BRCA1 "linked" -to cancer?');
  assert.ok(plain.clauses.every((c) => c.kind === 'word' && c.occur === 'should'));
  assert.deepEqual(
    plain.clauses.map((c) => c.words[0]),
    ['Is', '+BRCA1', '"linked"', '-to', 'cancer?'],
  );
});
