import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ERRORS } from '../src/core/errors.js';
import { REPO_ROOT } from './helpers.js';

test('docs/errors.md lists every error code with its exit and HTTP status', () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'errors.md'), 'utf8');
  const rows = [...doc.matchAll(/^\|\s*`(OP_ERR_\w+)`\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|/gm)].map(
    ([, code, exit, http]) => ({
      code,
      exit: Number(exit),
      http: Number(http),
    }),
  );
  const expected = Object.entries(ERRORS).map(([code, { exit, http }]) => ({ code, exit, http }));
  const byCode = (a: { code?: string }, b: { code?: string }) => (a.code ?? '').localeCompare(b.code ?? '');
  assert.deepEqual(rows.sort(byCode), expected.sort(byCode));
});
