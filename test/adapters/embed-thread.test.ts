/**
 * The model on a thread of its own. ONNX Runtime's Node binding serves one thread per process, so this file
 * never loads the model on its main thread: the vectors to compare with come from another process.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { threadEmbedder } from '../../src/adapters/embed/thread.js';
import { OpenPapersError } from '../../src/core/errors.js';
import { sharedPath } from '../helpers.js';

const MODEL = sharedPath('models', 'converted', 'universal-sentence-encoder-lite');
const TEXTS = [
  'Graph neural networks for molecule property prediction',
  'Linear attention for long context language models',
  'Protein folding with diffusion',
  'Spin glasses and the replica method',
  'x',
];

/** The vectors of loadTransformersEmbedder on the main thread of a process of its own. */
function mainThreadVectors(): { documents: number[][]; queries: number[][] } {
  const module = new URL('../../src/adapters/embed/transformers.js', import.meta.url).href;
  const script = `
    const { loadTransformersEmbedder } = await import(${JSON.stringify(module)});
    const embedder = await loadTransformersEmbedder(${JSON.stringify(MODEL)}, '/nonexistent-cache');
    const texts = ${JSON.stringify(TEXTS)};
    const documents = (await embedder.embedDocuments(texts)).map((v) => [...v]);
    const queries = [];
    for (const text of texts) queries.push([...(await embedder.embedQuery(text))]);
    process.stdout.write(JSON.stringify({ documents, queries }));`;
  return JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
  ) as { documents: number[][]; queries: number[][] };
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  a.length === b.length && Array.from(a).every((value, i) => Math.abs(value - (b[i] as number)) < 1e-5);

test('on its own thread the model gives the same vectors, queries sent together embedded in one batch', async () => {
  const expected = mainThreadVectors();
  const embedder = await threadEmbedder(MODEL, '/nonexistent-cache');
  const documents = await embedder.embedDocuments(TEXTS);
  documents.forEach((vector, i) => assert.ok(close(vector, expected.documents[i] as number[]), `text ${i}`));
  // Every query at once, three times over, as a loaded server asks, with documents among them: each answer
  // is its own text's vector.
  const asked = [...TEXTS, ...TEXTS, ...TEXTS];
  const answers = await Promise.all([
    ...asked.map((text) => embedder.embedQuery(text)),
    embedder.embedDocuments(TEXTS.slice(0, 2)),
  ]);
  asked.forEach((text, i) =>
    assert.ok(close(answers[i] as Float32Array, expected.queries[i % TEXTS.length] as number[]), text),
  );
  assert.equal((answers[asked.length] as Float32Array[]).length, 2);
});

test('a model the thread cannot load is the same OP_ERR_SEMANTIC error as on the main thread', async () => {
  await assert.rejects(threadEmbedder('/nonexistent/model-folder', '/nonexistent-cache'), (error: Error) => {
    assert.ok(error instanceof OpenPapersError);
    assert.equal(error.code, 'OP_ERR_SEMANTIC');
    assert.match(error.message, /cannot load the embedding model \/nonexistent\/model-folder/);
    return true;
  });
});
