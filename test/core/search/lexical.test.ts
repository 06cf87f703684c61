import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LEXICAL_PARAMS, NORM_LENGTHS, normByte } from '../../../src/core/search/bm25.js';
import {
  browse,
  lexicalSearch,
  makeDocFilter,
  resolveQuery,
  scoresResolved,
  searchResolved,
  searchResolvedPausing,
} from '../../../src/core/search/lexical-search.js';
import { MemorySegment } from '../../../src/core/search/memory-segment.js';
import { SegmentBuilder, type IndexableDoc } from '../../../src/core/search/segment.js';
import { LexicalSnapshot } from '../../../src/core/search/snapshot.js';
import { parseQuery, plainQuery } from '../../../src/core/search/query.js';
import { analyze } from '../../../src/core/search/tokenize.js';
import { categoryName } from '../../../src/core/taxonomy.js';

const VOCABULARY = `attention transformer graph neural network diffusion model language retrieval sparse dense
  quantum spin lattice protein folding reinforcement learning policy gradient kernel convex optimization
  bayesian inference causal vision image segmentation speech audio robot control planning theorem proof`.split(
  /\s+/,
);
const CATEGORIES = ['cs.LG', 'cs.CL', 'cs.CV', 'quant-ph', 'math.OC', 'stat.ML'];

function randomDocs(count: number, seed: number): IndexableDoc[] {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const words = (n: number) =>
    Array.from({ length: n }, () => VOCABULARY[Math.floor(next() * VOCABULARY.length)]).join(' ');
  return Array.from({ length: count }, (_, i) => ({
    id: `doc-${String(i).padStart(4, '0')}`,
    title: words(3 + Math.floor(next() * 8)),
    abstract: words(20 + Math.floor(next() * 120)),
    authors: [`Ada ${['Lovelace', 'Byron', 'King'][i % 3]}`, `Alan Turing${i % 7}`],
    categories: [
      CATEGORIES[i % CATEGORIES.length] as string,
      CATEGORIES[(i * 5 + 1) % CATEGORIES.length] as string,
    ],
    day: `2026-10-${String(1 + (i % 28)).padStart(2, '0')}`,
  }));
}

/**
 * The documents under keys 0, 1, 2, … (so a hit's key is its document's position), in segments of
 * `perSegment` documents each, one segment by default.
 */
function snapshotOf(documents: readonly IndexableDoc[], perSegment = documents.length): LexicalSnapshot {
  const segments: MemorySegment[] = [];
  for (let start = 0; start < documents.length; start += perSegment) {
    const builder = new SegmentBuilder(DEFAULT_LEXICAL_PARAMS);
    documents.slice(start, start + perSegment).forEach((doc, offset) => builder.add(doc, start + offset));
    segments.push(new MemorySegment(segments.length + 1, builder.finish()));
  }
  const keys = {
    segments: Uint32Array.from(documents.keys(), (key) => Math.floor(key / perSegment) + 1),
    docs: Uint32Array.from(documents.keys(), (key) => key % perSegment),
  };
  return new LexicalSnapshot(DEFAULT_LEXICAL_PARAMS, segments, keys, new Map());
}

/**
 * BM25F written out from its definition, independently of the index's arrays. Lengths are normalised
 * as the index keeps them (norms of one byte: exact below 64 words, then in 3% steps).
 */
function referenceScores(docs: readonly IndexableDoc[], queryWords: string): Map<number, number> {
  const { k1, fields } = DEFAULT_LEXICAL_PARAMS;
  const fieldTexts = (d: IndexableDoc) => ({
    title: analyze(d.title),
    abstract: analyze(d.abstract),
    authors: analyze(d.authors.join(' ')),
    categories: analyze(d.categories.map((c) => categoryName(c) ?? c).join(' ')),
  });
  const analysed = docs.map(fieldTexts);
  const names = ['title', 'abstract', 'authors', 'categories'] as const;
  const average = Object.fromEntries(
    names.map((f) => [f, Math.max(1, analysed.reduce((s, d) => s + d[f].length, 0) / docs.length)]),
  );
  const scores = new Map<number, number>();
  for (const term of new Set(analyze(queryWords))) {
    const df = analysed.filter((d) => names.some((f) => d[f].includes(term))).length;
    if (df === 0) continue;
    const idf = Math.log(1 + (docs.length - df + 0.5) / (df + 0.5));
    analysed.forEach((d, doc) => {
      let pseudo = 0;
      for (const f of names) {
        const tf = d[f].filter((t) => t === term).length;
        if (tf === 0) continue;
        const { weight, b } = fields[f];
        const length = NORM_LENGTHS[normByte(d[f].length)] as number;
        pseudo += (weight * tf) / (1 - b + (b * length) / (average[f] as number));
      }
      if (pseudo > 0) scores.set(doc, (scores.get(doc) ?? 0) + (idf * pseudo * (k1 + 1)) / (pseudo + k1));
    });
  }
  return scores;
}

/** The hits are the reference's top k, up to the rounding of contributions. */
function assertMatchesReference(
  hits: { key: number; score: number }[],
  reference: Map<number, number>,
  k: number,
) {
  const tolerance = 1e-5 * Math.max(1, ...reference.values());
  assert.equal(hits.length, Math.min(k, reference.size));
  for (const hit of hits) assert.ok(Math.abs(hit.score - (reference.get(hit.key) ?? 0)) <= tolerance);
  const weakest = Math.min(...hits.map((h) => h.score));
  const found = new Set(hits.map((h) => h.key));
  for (const [doc, score] of reference) {
    if (!found.has(doc))
      assert.ok(score <= weakest + tolerance, `doc ${doc} (${score}) should be in the top ${k}`);
  }
}

const docs = randomDocs(600, 7);
const index = snapshotOf(docs);
const today = '2026-10-28';

test('MaxScore top-k equals exhaustive BM25F scoring written from the definition', () => {
  for (const words of [
    'attention',
    'graph neural network',
    'quantum spin lattice proof',
    'sparse dense retrieval model',
    'unknownword attention',
  ]) {
    for (const k of [1, 10, 100]) {
      assertMatchesReference(
        lexicalSearch(index, plainQuery(words), { k, today }),
        referenceScores(docs, words),
        k,
      );
    }
  }
});

test('block-max pruning keeps the exact top k when word frequencies are skewed and lists span many blocks', () => {
  // Words drawn from a Zipf distribution over 2,000 made-up words, as real vocabularies are: long lists
  // for a few words, short ones for most, so that most lists only complete scores and are pruned by block.
  let state = 11;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const syllables = ['ka', 'lo', 'mi', 'ru', 'te', 'sa', 'no', 'vi', 'du', 'pe'];
  const vocabulary = Array.from(
    { length: 2_000 },
    (_, i) =>
      [i % 10, Math.floor(i / 10) % 10, Math.floor(i / 100) % 10, Math.floor(i / 1000)]
        .map((s) => syllables[s])
        .join('') + 'x',
  );
  const cumulative: number[] = [];
  vocabulary.reduce((sum, _, rank) => (cumulative[rank] = sum + 1 / (rank + 1)), 0);
  const total = cumulative.at(-1) as number;
  const word = () => {
    const target = next() * total;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((cumulative[mid] as number) < target) low = mid + 1;
      else high = mid;
    }
    return vocabulary[low] as string;
  };
  const words = (n: number) => Array.from({ length: n }, word).join(' ');
  const skewed = Array.from({ length: 6_000 }, (_, i) => ({
    id: `skewed-${i}`,
    title: words(4 + Math.floor(next() * 8)),
    abstract: words(30 + Math.floor(next() * 150)),
    authors: ['Ada Lovelace'],
    categories: ['cs.LG'],
    day: '2026-10-01',
  }));
  const skewedIndex = snapshotOf(skewed);
  for (let q = 0; q < 12; q++) {
    // Distinct words: the reference counts each once, as the query does only for words named once.
    const query = [...new Set(words(3 + (q % 8)).split(' '))].join(' ');
    for (const k of [1, 10, 50]) {
      assertMatchesReference(
        lexicalSearch(skewedIndex, plainQuery(query), { k, today }),
        referenceScores(skewed, query),
        k,
      );
    }
  }
});

test('required, excluded, author, category and date filters select exactly the matching documents', () => {
  const has = (d: IndexableDoc, word: string) =>
    analyze(`${d.title} ${d.abstract}`).includes(analyze(word)[0] as string);
  const expected = docs
    .map((d, doc) => ({ d, doc }))
    .filter(({ d }) => has(d, 'quantum') && !has(d, 'robot') && d.categories.includes('cs.CL'))
    .filter(
      ({ d }) =>
        d.authors.some((a) => a.includes('Byron')) &&
        (d.day as string) >= '2026-10-10' &&
        (d.day as string) <= '2026-10-20',
    );
  const hits = lexicalSearch(index, parseQuery('+quantum spin -robot author:byron category:cs.CL'), {
    k: 1000,
    today,
    from: '2026-10-10',
    to: '2026-10-20',
  });
  assert.ok(expected.length > 0);
  assert.deepEqual(
    hits.map((h) => h.key).sort((a, b) => a - b),
    expected.map((e) => e.doc),
  );
});

test('the filter for rankings outside the postings accepts what the query admits, and lists it when few', () => {
  // Two segments, the second replacing one paper of the first: the replaced document is not live.
  const first = new SegmentBuilder(DEFAULT_LEXICAL_PARAMS);
  docs.slice(0, 400).forEach((doc, key) => first.add(doc, key));
  const second = new SegmentBuilder(DEFAULT_LEXICAL_PARAMS);
  docs.slice(400).forEach((doc, i) => second.add(doc, 400 + i));
  second.add({ ...(docs[7] as IndexableDoc), abstract: 'robot control planning' }, 7);
  const keys = {
    segments: Uint32Array.from(docs.keys(), (key) => (key < 400 && key !== 7 ? 1 : 2)),
    docs: Uint32Array.from(docs.keys(), (key) => (key === 7 ? 200 : key < 400 ? key : key - 400)),
  };
  const segments = [new MemorySegment(1, first.finish()), new MemorySegment(2, second.finish())];
  const split = new LexicalSnapshot(DEFAULT_LEXICAL_PARAMS, segments, keys, new Map());
  const current = docs.map((d, key) => (key === 7 ? { ...d, abstract: 'robot control planning' } : d));
  const has = (d: IndexableDoc, word: string) =>
    analyze(`${d.title} ${d.abstract}`).includes(analyze(word)[0] as string);

  const query = parseQuery('+quantum +spin -robot category:cs.CL');
  const filter = makeDocFilter(split, resolveQuery(split, query, { today }));
  assert.ok(filter?.enumerate);
  const expected = current.flatMap((d, key) =>
    has(d, 'quantum') && has(d, 'spin') && !has(d, 'robot') && d.categories.includes('cs.CL') ? [key] : [],
  );
  assert.ok(expected.length > 3);
  assert.deepEqual(
    current.flatMap((_, key) => (filter(key) ? [key] : [])),
    expected,
  );
  assert.deepEqual(
    filter.enumerate(1_000)?.sort((a, b) => a - b),
    expected,
  );
  assert.equal(filter.enumerate(expected.length - 1), null, 'more than the limit: not listed');
  // Excluded words and dates alone cannot be listed from a posting list: the caller tests every key.
  assert.equal(
    makeDocFilter(split, resolveQuery(split, parseQuery('-robot since:3d'), { today }))?.enumerate,
    undefined,
  );
});

test('since: counts back from today; an unknown required word or category matches nothing', () => {
  const hits = lexicalSearch(index, parseQuery('attention since:3d'), { k: 1000, today });
  assert.ok(hits.length > 0);
  assert.ok(hits.every((h) => (docs[h.key]?.day as string) >= '2026-10-26'));
  assert.deepEqual(lexicalSearch(index, parseQuery('attention +zzzz'), { k: 10, today }), []);
  assert.deepEqual(lexicalSearch(index, parseQuery('attention category:hep-th'), { k: 10, today }), []);
});

test('exact scores for given documents agree with the ranked scores', () => {
  const query = plainQuery('diffusion model image');
  const hits = lexicalSearch(index, query, { k: 20, today });
  const { scoring } = resolveQuery(index, query, { today });
  const scores = scoresResolved(index, scoring, hits.map((h) => h.key).reverse());
  // Exactly: a fused ranking takes the keyword hits' own scores and scores the others this way.
  hits.reverse().forEach((hit, i) => assert.equal(scores[i], hit.score));
});

test('browsing by filters alone lists the newest documents first', () => {
  const hits = browse(index, (key) => docs[key]?.categories[0] === 'quant-ph', 5);
  const days = hits.map((h) => docs[h.key]?.day as string);
  assert.deepEqual(days, [...days].sort().reverse());
  assert.equal(days[0], '2026-10-28');
});

test('stemming and accents: "models" finds "modelling", "Schrödinger" finds "Schrodinger"', () => {
  const small = snapshotOf([
    {
      id: 'a',
      title: 'Modelling Schrodinger bridges',
      abstract: '',
      authors: [],
      categories: [],
      day: null,
    },
    { id: 'b', title: 'Unrelated', abstract: 'nothing here', authors: [], categories: [], day: null },
  ]);
  for (const words of ['models', 'Schrödinger', 'BRIDGE']) {
    assert.deepEqual(
      lexicalSearch(small, plainQuery(words), { k: 5, today }).map((h) => h.key),
      [0],
      words,
    );
  }
});

test('ranking that pauses between segments gives the same hits, pausing once between each two', async () => {
  // Three segments holding the same documents under the same keys as the one-segment index.
  const segmented = snapshotOf(docs, 200);
  for (const words of ['graph neural network', 'sparse dense retrieval model', 'policy']) {
    const resolved = resolveQuery(segmented, plainQuery(words), { today });
    let pauses = 0;
    const paused = await searchResolvedPausing(segmented, resolved, 20, {
      pause: async () => {
        pauses++;
      },
      due: () => false,
    });
    assert.equal(pauses, 2);
    assert.deepEqual(paused, searchResolved(segmented, resolved, 20));
    assert.deepEqual(paused, lexicalSearch(index, plainQuery(words), { k: 20, today }));
  }
});

test('the top k over many windows and several segments equals every document scored exhaustively, paused or not', async () => {
  // 40,000 documents of words with log-uniform ranks (Zipf-like) over 3 segments: lists dense and sparse,
  // the disjunction scored over many windows, and the threshold carried from one segment to the next.
  let state = 5;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const word = () => `w${Math.floor(Math.exp(next() * Math.log(5_000)))}`;
  const words = (n: number) => Array.from({ length: n }, word).join(' ');
  const count = 40_000;
  const snapshot = snapshotOf(
    Array.from({ length: count }, (_, key) => ({
      id: `z-${key}`,
      title: words(3 + Math.floor(next() * 6)),
      abstract: words(10 + Math.floor(next() * 40)),
      authors: [],
      categories: ['cs.LG'],
      day: '2026-10-01',
    })),
    Math.ceil(count / 3),
  );
  const everyKey = Array.from({ length: count }, (_, key) => key);
  for (let q = 0; q < 15; q++) {
    const query = plainQuery(words(2 + (q % 10)));
    const resolved = resolveQuery(snapshot, query, { today });
    const exhaustive = [...scoresResolved(snapshot, resolved.scoring, everyKey)]
      .map((score, key) => ({ key, score }))
      .filter((hit) => hit.score > 0)
      .sort((a, b) => b.score - a.score || a.key - b.key);
    for (const k of [1, 10, 50]) {
      assert.deepEqual(searchResolved(snapshot, resolved, k), exhaustive.slice(0, k));
    }
    // Paused between every two windows, with another ranking run in each pause (which takes the shared
    // contribution tables and window scratch): the same top k.
    const other = resolveQuery(snapshot, plainQuery(words(8)), { today });
    let pauses = 0;
    const interleaved = {
      pause: async () => {
        pauses++;
        searchResolved(snapshot, other, 10);
      },
      due: () => true,
    };
    assert.deepEqual(
      await searchResolvedPausing(snapshot, resolved, 50, interleaved),
      exhaustive.slice(0, 50),
    );
    assert.ok(pauses > 2, `${pauses} pauses: within segments, not only between them`);
  }
  // A required word of thousands of documents per segment pauses along its list too.
  const required = resolveQuery(snapshot, parseQuery(`+w1 ${words(6)}`), { today });
  assert.deepEqual(required.required, [analyze('w1')[0]]);
  let pauses = 0;
  const paused = await searchResolvedPausing(snapshot, required, 50, {
    pause: async () => {
      pauses++;
      searchResolved(snapshot, resolveQuery(snapshot, plainQuery(words(8)), { today }), 10);
    },
    due: () => true,
  });
  assert.ok(paused.length === 50 && pauses > 2, `${paused.length} hits, ${pauses} pauses`);
  assert.deepEqual(paused, searchResolved(snapshot, required, 50));
});

test('a disjunction primed from its rarest word keeps the exact top k under excluded words, categories and dates', () => {
  // A rare word in 90 of 3,000 documents, over 3 segments: its documents are scored first, and many of them
  // fail the filters (another category, an excluded word, a day outside the range), which priming must honour.
  const base = randomDocs(3_000, 13);
  const documents = base.map((d, i) =>
    i % 33 === 0 ? { ...d, title: `zircon ${d.title}`, abstract: `${d.abstract} zircon` } : d,
  );
  const snapshot = snapshotOf(documents, 1_000);
  const everyKey = documents.map((_, key) => key);
  const options = { today, from: '2026-10-05', to: '2026-10-24' };
  for (const text of [
    'zircon graph neural network -robot category:cs.CL',
    'zircon attention -speech',
    'zircon diffusion model category:quant-ph',
  ]) {
    const resolved = resolveQuery(snapshot, parseQuery(text), options);
    const accept = makeDocFilter(snapshot, resolved) as (key: number) => boolean;
    const scores = scoresResolved(snapshot, resolved.scoring, everyKey);
    const exhaustive = everyKey
      .filter((key) => (scores[key] as number) > 0 && accept(key))
      .map((key) => ({ key, score: scores[key] as number }))
      .sort((a, b) => b.score - a.score || a.key - b.key);
    const zircons = exhaustive.filter(({ key }) => key % 33 === 0).length;
    assert.ok(zircons > 3 && zircons < 90, `${zircons} documents with the rare word pass the filters`);
    for (const k of [1, 10, 50]) {
      assert.deepEqual(searchResolved(snapshot, resolved, k), exhaustive.slice(0, k), `${text}, top ${k}`);
    }
  }
});
