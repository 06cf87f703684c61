/**
 * Two converters checked against each other: arXiv's raw .abs files and the Kaggle snapshot describe the same
 * papers 0704.0001..0704.0200. They must agree, except where the snapshot is simply newer metadata.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import type { PaperRecord } from '../../src/core/paper.js';
import { sharedPath, tempDir } from '../helpers.js';
import { readAll, records } from './read.js';
import { expandInputs, readSource, detectFileFormat } from '../../src/adapters/sources/formats.js';

test('the Kaggle sample and the .abs files give equal records for the ids they share', async (t) => {
  const dir = tempDir(t);
  execFileSync('tar', [
    '-xzf',
    sharedPath('data', 'arxiv-abs-files', 'arxiv-browse-abs-files.tar.gz'),
    '-C',
    dir,
  ]);

  const fromAbs = new Map<string, PaperRecord>();
  const { sources } = await expandInputs([join(dir, 'abs_files', 'ftp')]);
  for (const source of sources) {
    const format = await detectFileFormat(source).catch(() => null);
    if (format !== 'abs') continue;
    for await (const item of readSource(source, format))
      if (item.ok) fromAbs.set(item.record.id, item.record);
  }
  const kaggle = records(
    (
      await readAll(
        sharedPath('data', 'arxiv-kaggle-snapshot-sample', 'arxiv-metadata-oai-snapshot.first200.json'),
      )
    ).items,
  );

  let compared = 0;
  let identical = 0;
  for (const k of kaggle) {
    const a = fromAbs.get(k.id);
    if (!a) continue;
    compared++;
    // The snapshot has no MSC/ACM class fields; the .abs files do.
    const strip = ({ sources: _s, classes: _c, ...rest }: PaperRecord) => rest;
    if (JSON.stringify(strip(k)) === JSON.stringify(strip(a))) {
      identical++;
      continue;
    }
    // Where they differ, the snapshot must be the newer description: later versions, or a journal ref or DOI
    // that authors added or corrected after the .abs copy was taken. The first version never differs.
    assert.deepEqual(k.versions.slice(0, a.versions.length), a.versions, k.id);
    assert.equal(k.published, a.published, k.id);
    const newerVersion = k.versions.length > a.versions.length;
    for (const field of [
      'title',
      'abstract',
      'authors',
      'categories',
      'comments',
      'license',
      'reportNo',
    ] as const) {
      if (!newerVersion) assert.deepEqual(k[field], a[field], `${k.id} ${field}`);
    }
    for (const field of ['journalRef', 'doi'] as const) {
      if (k[field] === null) assert.equal(a[field], null, `${k.id} ${field}`);
    }
  }
  assert.equal(compared, 200);
  assert.ok(identical >= 145, `${identical} of ${compared} identical`);
});
