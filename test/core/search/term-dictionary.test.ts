/** The term dictionary kept as bytes finds every term, and only those, as the sorted strings would. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareTerms, termLowerBound } from '../../../src/core/search/segment.js';
import { TermDictionary } from '../../../src/core/search/term-dictionary.js';
import { random } from '../../helpers.js';

test('lookups by term and by ordinal agree with the sorted strings, for any size and any characters', () => {
  const next = random(17);
  // Letters, digits, filter terms, accents, CJK, and characters outside the BMP, whose UTF-16 order
  // differs from their UTF-8 byte order.
  const alphabet = ['a', 'b', 'z', '0', '9', '\u0001', 'é', 'ü', '中', '\uffee', '😀', '𝔸'];
  for (const size of [0, 1, 15, 16, 17, 500, 1_200]) {
    const terms = new Set<string>();
    while (terms.size < size) {
      const length = 1 + Math.floor(next() * 8);
      terms.add(Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''));
    }
    const sorted = [...terms].sort(compareTerms);
    const dictionary = new TermDictionary(new TextEncoder().encode(sorted.join('\n')));
    assert.equal(dictionary.count, sorted.length);
    sorted.forEach((term, ordinal) => {
      assert.equal(dictionary.term(ordinal), term);
      assert.equal(dictionary.ordinal(term), ordinal, term);
    });
    for (let i = 0; i < 300; i++) {
      const probe = Array.from(
        { length: 1 + Math.floor(next() * 8) },
        () => alphabet[Math.floor(next() * alphabet.length)],
      ).join('');
      assert.equal(dictionary.ordinal(probe), sorted.indexOf(probe), probe);
      // Binary search through term(), as spelling correction does, lands where it does on the strings.
      assert.equal(
        termLowerBound(dictionary.count, (t) => dictionary.term(t), probe),
        termLowerBound(sorted.length, (t) => sorted[t] as string, probe),
      );
    }
  }
});
