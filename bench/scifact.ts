/** The SciFact corpus as the benchmarks read it: id, title and abstract of each document. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ScifactDoc {
  id: string;
  title: string;
  abstract: string;
}

export function readScifactCorpus(dir: string): ScifactDoc[] {
  return readFileSync(join(dir, 'corpus.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const doc = JSON.parse(line) as { _id: string; title: string; text: string };
      return { id: doc._id, title: doc.title, abstract: doc.text };
    });
}
