import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeLatexAccents, splitAuthors } from '../../src/core/authors.js';
import { splitCategories } from '../../src/core/categories.js';
import { beirPaperId, doiPaperId, titlePaperId } from '../../src/core/ids.js';
import { normalizeAbstract, normalizeLine } from '../../src/core/text.js';

test('hard-wrapped titles become one line; LaTeX is kept', () => {
  assert.equal(
    normalizeLine('Calculation of prompt diphoton production cross sections at Tevatron and\n  LHC energies'),
    'Calculation of prompt diphoton production cross sections at Tevatron and LHC energies',
  );
  assert.equal(
    normalizeLine(' The $\\alpha$-model  \\emph{revisited} '),
    'The $\\alpha$-model \\emph{revisited}',
  );
});

test('abstracts: wrapped lines join, indented lines and blank lines start paragraphs', () => {
  const raw = '  We study\nthe problem.\n  Then we\nsolve it.\r\n\r\nFinally $x<y$.\n';
  assert.equal(normalizeAbstract(raw), 'We study the problem.\n\nThen we solve it.\n\nFinally $x<y$.');
  assert.equal(normalizeAbstract('   \n '), '');
});

test('ACM and MSC classes are kept apart from categories, order kept', () => {
  assert.deepEqual(splitCategories(['cs.CL', 'I.2.7; I.2.6', 'cs.AI', '68T45, 68T07']), {
    categories: ['cs.CL', 'cs.AI'],
    classes: ['I.2.7', 'I.2.6', '68T45', '68T07'],
  });
  assert.deepEqual(splitCategories('hep-ph math.MP physics.hist-ph cond-mat.str-el'), {
    categories: ['hep-ph', 'math.MP', 'physics.hist-ph', 'cond-mat.str-el'],
    classes: [],
  });
});

test('author strings split on commas and "and", without affiliations; accents decoded', () => {
  assert.deepEqual(splitAuthors("C. Bal\\'azs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan"), [
    'C. Balázs',
    'E. L. Berger',
    'P. M. Nadolsky',
    'C.-P. Yuan',
  ]);
  assert.deepEqual(splitAuthors('A. Smith (1), B. Jones (1 and 2) and C. Lee ((1) MIT, (2) ETH)'), [
    'A. Smith',
    'B. Jones',
    'C. Lee',
  ]);
  assert.deepEqual(splitAuthors('Alexander Anderson and Brandon Randall'), [
    'Alexander Anderson',
    'Brandon Randall',
  ]);
  assert.equal(
    decodeLatexAccents('G{\\"o}del, \\v{S}koda, Fran\\c{c}ois, Ma\\l{}gorzata, Stra\\ss e'),
    'Gödel, Škoda, François, Małgorzata, Straße',
  );
  assert.equal(decodeLatexAccents("Moreno D'Incà"), "Moreno D'Incà");
});

test('stable ids for papers without an arXiv id', () => {
  assert.equal(beirPaperId('scifact', '4983'), 'beir:scifact:4983');
  assert.equal(doiPaperId('https://doi.org/10.1103/PhysRevD.76.013009'), 'doi:10.1103/physrevd.76.013009');
  const id = titlePaperId('LiPCoT: Linear Predictive Coding based Tokenizer');
  assert.match(id, /^title:[0-9a-f]{16}$/);
  assert.equal(titlePaperId('  lipcot — LINEAR predictive coding based tokenizer '), id);
  assert.notEqual(titlePaperId('LiPCoT: Linear Predictive Coding'), id);
});
