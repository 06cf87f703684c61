/** Every recorded real response and file format in shared/data parses, with the fields a person would check. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sharedPath, tempDir } from '../helpers.js';
import { isWithdrawn } from '../../src/core/paper.js';
import { readAll, records, rejections } from './read.js';

const fixtures = (...parts: string[]) => sharedPath('data', 'fixtures', ...parts);

test('Kaggle snapshot sample: 200 papers with versions, DOIs and classes apart', async () => {
  const { format, items } = await readAll(
    sharedPath('data', 'arxiv-kaggle-snapshot-sample', 'arxiv-metadata-oai-snapshot.first200.json'),
  );
  assert.equal(format, 'kaggle');
  assert.deepEqual(rejections(items), []);
  const papers = records(items);
  assert.equal(papers.length, 200);
  const first = papers[0];
  assert.equal(first?.id, '0704.0001');
  assert.equal(
    first?.title,
    'Calculation of prompt diphoton production cross sections at Tevatron and LHC energies',
  );
  assert.deepEqual(first?.authors, ['C. Balázs', 'E. L. Berger', 'P. M. Nadolsky', 'C.-P. Yuan']);
  assert.equal(first?.doi, '10.1103/PhysRevD.76.013009');
  assert.deepEqual(first?.versions, [
    { version: 1, date: '2007-04-02T19:18:42Z' },
    { version: 2, date: '2007-07-24T20:10:27Z' },
  ]);
  assert.equal(first?.published, '2007-04-02T19:18:42Z');
  assert.match(
    first?.abstract ?? '',
    /^A fully differential calculation in perturbative quantum chromodynamics is presented/,
  );
  assert.ok(!first?.abstract.includes('\n'));
});

test('arXiv Atom API, classic format (2016): entries, primary category first, DOI, journal ref', async () => {
  const dir = fixtures('arxiv-api-atom', 'arxiv-py-2016');
  const counts: Record<string, number> = {};
  for (const file of readdirSync(dir)) {
    const { format, items } = await readAll(join(dir, file));
    assert.equal(format, 'arxiv-atom');
    assert.deepEqual(rejections(items), [], file);
    counts[file] = records(items).length;
  }
  assert.deepEqual(counts, {
    'id_list_1111.2011v2.xml': 1,
    'search_au_del_maestro.xml': 10,
    'search_au_del_maestro_ANDNOT_ti_checkerboard_OR_ti_Pyrochlore.xml': 10,
    'search_au_del_maestro_AND_ti_checkerboard.xml': 1,
    'search_au_del_maestro_AND_ti_quantum_criticality.xml': 2,
  });
  const [paper] = records((await readAll(join(dir, 'id_list_1111.2011v2.xml'))).items);
  assert.equal(paper?.id, '1111.2011');
  assert.deepEqual(paper?.authors, ['James M. Murray', 'Adrian Del Maestro', 'Zlatko Tesanovic']);
  assert.equal(paper?.doi, '10.1103/PhysRevB.85.115117');
  assert.equal(paper?.categories[0], 'cond-mat.str-el');
  assert.deepEqual(paper?.versions, [
    { version: 1, date: '2011-11-08T18:48:36Z' },
    { version: 2, date: '2012-04-02T12:38:54Z' },
  ]);
});

test('arXiv Atom API, current format (2026): old-style ids, an empty result and an error entry', async (t) => {
  const dir = fixtures('arxiv-api-atom', 'arxiv-py-recorded-2026');
  const out = tempDir(t);
  let total = 0;
  for (const file of readdirSync(dir)) {
    // The recorder wrapped each response body in JSON; the body is the byte-exact Atom document.
    const { body } = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { body: string };
    const xml = join(out, file.replace(/\.json$/, '.xml'));
    writeFileSync(xml, body);
    const { format, items } = await readAll(xml);
    assert.equal(format, 'arxiv-atom', file);
    if (file.startsWith('id_abc_')) {
      assert.deepEqual(records(items), []);
      assert.match(
        rejections(items).join('\n'),
        /entry 1 \(line \d+\): the arXiv API answered with an error: incorrect id format for abc/,
      );
      continue;
    }
    assert.deepEqual(rejections(items), [], file);
    total += records(items).length;
    if (file.startsWith('id_0000.0000_')) assert.equal(records(items).length, 0);
    if (file.startsWith('id_astro-ph_0601001_')) {
      const [paper] = records(items);
      assert.equal(paper?.id, 'astro-ph/0601001');
      assert.match(paper?.abstract ?? '', /Gould & Morgan \(2003\)/);
    }
    if (file.startsWith('q_testing_s0_m100_')) assert.equal(records(items).length, 100);
  }
  assert.ok(total > 200, `read ${total} entries`);
});

test('arXiv Atom API, three overlapping pages of a search (2017): 30 entries, 12 papers', async () => {
  const ids: string[] = [];
  for (const page of [0, 1, 2]) {
    const { items } = await readAll(fixtures('arxiv-api-atom', 'orijtech-2017', `deep_dream-${page}.atom`));
    assert.deepEqual(rejections(items), []);
    ids.push(...records(items).map((paper) => paper.id));
  }
  // The recorded pages start one entry apart, so they overlap: the same papers, one id each.
  assert.equal(ids.length, 30);
  assert.equal(new Set(ids).size, 12);
  assert.ok(ids.includes('0706.3031'));
});

test('OAI-PMH, arXiv format: ListRecords and GetRecord responses, with and without the default namespace', async () => {
  const dir = fixtures('arxiv-oai-pmh', 'hepcrawl');
  const counts: Record<string, number> = {};
  for (const file of readdirSync(dir).sort()) {
    const { format, items } = await readAll(join(dir, file));
    assert.equal(format, 'oai-pmh');
    assert.deepEqual(rejections(items), [], file);
    counts[file] = records(items).length;
  }
  assert.equal(counts['arxiv-physics-hep-th.xml'], 3);
  assert.equal(counts['arxiv-physics-hep-ex.xml'], 3);
  assert.equal(counts['arxiv-single.xml'], 1);
  assert.equal(counts['sample_arxiv_record.xml'], 12);
  for (let i = 0; i <= 10; i++) assert.equal(counts[`sample_arxiv_record${i}.xml`], 1);

  const [hoehn] = records((await readAll(join(dir, 'arxiv-physics-hep-th.xml'))).items);
  assert.equal(hoehn?.id, '1412.8323');
  assert.deepEqual(hoehn?.authors, ['Philipp A Hoehn']);
  assert.deepEqual(hoehn?.categories, [
    'quant-ph',
    'gr-qc',
    'hep-th',
    'math-ph',
    'math.MP',
    'physics.hist-ph',
  ]);
  assert.equal(hoehn?.license, 'http://creativecommons.org/licenses/by/4.0/');
  assert.equal(hoehn?.published, '2014-12-29T00:00:00Z');
  assert.equal(hoehn?.updated, '2017-12-13T00:00:00Z');
});

test('OAI-PMH, Dublin Core format: subjects mapped to category codes, comments apart', async () => {
  const { format, items } = await readAll(
    fixtures('arxiv-oai-pmh', 'atomiklabs-listrecords-oai_dc-cs-2024-01-27.xml'),
  );
  assert.equal(format, 'oai-pmh');
  assert.deepEqual(rejections(items), []);
  const papers = records(items);
  assert.equal(papers.length, 5);
  const first = papers[0];
  assert.equal(first?.id, '1303.2033');
  assert.deepEqual(first?.authors, ['Vilnis Liepins']);
  assert.deepEqual(first?.categories, ['cs.DS', 'cs.IT', 'math.NA']);
  assert.equal(first?.comments, '32 pages, 9 figures');
  assert.deepEqual(
    first?.versions.map((v) => v.version),
    [1, 2],
  );
  assert.match(first?.abstract ?? '', /^This summary of the doctoral thesis/);
});

test('BEIR SciFact corpus: every document, ids scoped by corpus', async () => {
  const { format, items } = await readAll(sharedPath('data', 'beir-scifact', 'corpus.jsonl'));
  assert.equal(format, 'beir');
  assert.deepEqual(rejections(items), []);
  const papers = records(items);
  assert.equal(papers.length, 5183);
  assert.equal(papers[0]?.id, 'beir:scifact:4983');
  assert.match(papers[0]?.title ?? '', /^Microstructural development of human newborn cerebral white matter/);
});

test('OpenPapers JSON lines: the seed pages, titled ids of their own', async () => {
  const { format, items } = await readAll(sharedPath('data', 'seeds', 'papers.jsonl'));
  assert.equal(format, 'openpapers');
  assert.deepEqual(rejections(items), []);
  const papers = records(items);
  assert.equal(papers.length, 349);
  assert.ok(papers.every((p) => /^title:[0-9a-f]{16}$/.test(p.id)));
});

test('withdrawn papers are recognised from arXiv’s own wording, in the real snapshot and nowhere else', async () => {
  const { items } = await readAll(
    sharedPath('data', 'arxiv-kaggle-snapshot-sample', 'arxiv-metadata-oai-snapshot.first200.json'),
  );
  const withdrawn = records(items).filter((paper) => isWithdrawn(paper));
  assert.deepEqual(
    withdrawn.map((paper) => paper.id),
    ['0704.0156'],
    'its comments: "This paper has been withdrawn by the authors"',
  );
  const base = { comments: null, abstract: 'We study withdrawn liquidity in markets.' };
  assert.equal(isWithdrawn(base), false, 'the word alone, in an abstract, is not a withdrawal');
  assert.equal(isWithdrawn({ ...base, comments: 'Withdrawn due to an error in Lemma 2' }), true);
  assert.equal(
    isWithdrawn({ ...base, abstract: 'This submission has been withdrawn by arXiv administrators.' }),
    true,
  );
});
