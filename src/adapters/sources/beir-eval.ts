/** BEIR evaluation files: `queries.jsonl` (`{"_id", "text"}`) and `qrels/*.tsv` (query-id, corpus-id, score). */
import { readFileSync } from 'node:fs';
import { OpenPapersError } from '../../core/errors.js';
import type { Qrels } from '../../core/search/metrics.js';

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new OpenPapersError(
      'OP_ERR_INPUT',
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
}

export function readBeirQueries(path: string): Map<string, string> {
  const queries = new Map<string, string>();
  read(path)
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      let row: { _id?: unknown; text?: unknown };
      try {
        row = JSON.parse(line) as typeof row;
      } catch {
        throw new OpenPapersError('OP_ERR_INPUT', `${path}: line ${i + 1}: invalid JSON`);
      }
      if (typeof row.text !== 'string' || (typeof row._id !== 'string' && typeof row._id !== 'number')) {
        throw new OpenPapersError('OP_ERR_INPUT', `${path}: line ${i + 1}: needs "_id" and "text"`);
      }
      queries.set(String(row._id), row.text);
    });
  return queries;
}

export function readQrels(path: string): Qrels {
  const qrels = new Map<string, Map<string, number>>();
  read(path)
    .split('\n')
    .forEach((line, i) => {
      const fields = line.trim().split('\t');
      if (line.trim() === '' || (i === 0 && fields[0] === 'query-id')) return;
      const [query, doc, score] = fields;
      if (!query || !doc || score === undefined || Number.isNaN(Number(score))) {
        throw new OpenPapersError(
          'OP_ERR_INPUT',
          `${path}: line ${i + 1}: expected query-id, corpus-id and score separated by tabs`,
        );
      }
      if (!qrels.has(query)) qrels.set(query, new Map());
      qrels.get(query)?.set(doc, Number(score));
    });
  return qrels;
}
