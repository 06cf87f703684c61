import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, basename } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { createGunzip } from 'node:zlib';
import { AutoTokenizer, env, pipeline } from '@huggingface/transformers';
import { httpEmbedder } from '../../src/adapters/embed/openai-http.js';
import {
  loadTransformersEmbedder,
  memoizeWordTokenizer,
  splitAtWordMarks,
} from '../../src/adapters/embed/transformers.js';
import type { Embedder } from '../../src/app/ports.js';
import { OpenPapersError } from '../../src/core/errors.js';
import { REPO_ROOT, sharedPath } from '../helpers.js';

const MODEL = sharedPath('models', 'converted', 'universal-sentence-encoder-lite');

async function demoTexts(count: number): Promise<string[]> {
  const texts: string[] = [];
  const lines = createInterface({
    input: createReadStream(`${REPO_ROOT}/demo/papers.jsonl.gz`).pipe(createGunzip()),
  });
  for await (const line of lines) {
    const paper = JSON.parse(line) as { title: string; abstract: string };
    texts.push(`${paper.title}. ${paper.abstract}`);
    if (texts.length === count) break;
  }
  return texts;
}

const cosine = (a: Float32Array, b: Float32Array) => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += (a[i] as number) * (b[i] as number);
    na += (a[i] as number) ** 2;
    nb += (b[i] as number) ** 2;
  }
  return dot / Math.sqrt(na * nb);
};

let texts: string[];
let embedder: Embedder;
before(async () => {
  texts = await demoTexts(300);
  embedder = await loadTransformersEmbedder(MODEL, '/nonexistent-cache');
});

test('splitting at word marks and remembering words gives the very same token ids', async () => {
  env.allowRemoteModels = false;
  env.localModelPath = dirname(MODEL);
  const plain = await AutoTokenizer.from_pretrained(basename(MODEL));
  const fast = await AutoTokenizer.from_pretrained(basename(MODEL));
  assert.equal(splitAtWordMarks(fast as never), true);
  memoizeWordTokenizer(fast as never);
  // Twice: the second pass reads the remembered words.
  for (const pass of [1, 2]) {
    for (const text of texts)
      assert.deepEqual(fast.encode(text), plain.encode(text), `pass ${pass}: ${text.slice(0, 60)}`);
  }
});

test('the embedder gives the vectors of the plain transformers.js pipeline, one per text, in order', async () => {
  const extractor = await pipeline('feature-extraction', basename(MODEL), { dtype: 'fp32' });
  const sample = [...texts.slice(0, 20), 'x', '   '];
  const ours = await embedder.embedDocuments(sample);
  assert.equal(ours.length, sample.length);
  for (const [i, text] of sample.entries()) {
    // The pipeline reads at most 128 tokens too; empty text becomes "." on both sides.
    const output = await extractor(text.trim() || '.', { pooling: 'mean', normalize: true });
    const theirs = output.data as Float32Array;
    assert.equal(ours[i]?.length, 512);
    assert.ok(cosine(ours[i] as Float32Array, theirs) > 0.9999, `text ${i}`);
  }
  const query = await embedder.embedQuery('linear attention for long context');
  assert.ok(Math.abs(cosine(query, query) - 1) < 1e-6);
});

test('a model folder that cannot be loaded is one clear OP_ERR_SEMANTIC error', async () => {
  await assert.rejects(
    loadTransformersEmbedder('/nonexistent/model-folder', '/nonexistent-cache'),
    (error: Error) => {
      assert.ok(error instanceof OpenPapersError);
      assert.equal(error.code, 'OP_ERR_SEMANTIC');
      assert.match(error.message, /cannot load the embedding model \/nonexistent\/model-folder/);
      return true;
    },
  );
});

test('an OpenAI-compatible endpoint: the request as the API defines it, vectors back in input order', async (t) => {
  const requests: { model: string; input: string[]; authorization?: string }[] = [];
  // A real embeddings server on localhost, answering with the real model's vectors, listed in reverse order.
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk));
    request.on('end', async () => {
      if (request.method !== 'POST' || request.url !== '/v1/embeddings') {
        response.writeHead(404).end('{"error":"not found"}');
        return;
      }
      const parsed = JSON.parse(body) as { model: string; input: string[] };
      requests.push({ ...parsed, authorization: request.headers.authorization });
      if (parsed.input.includes('fail')) {
        response.writeHead(429, { 'content-type': 'application/json' }).end('{"error":"rate limited"}');
        return;
      }
      const vectors = await embedder.embedDocuments(parsed.input);
      const data = vectors.map((v, index) => ({
        object: 'embedding',
        index,
        embedding: [...v].map((x) => x * 3),
      }));
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ object: 'list', model: parsed.model, data: data.reverse() }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const remote = httpEmbedder(`${url}/`, 'universal-sentence-encoder-lite', 'secret-key');
  const sample = texts.slice(0, 5);
  const got = await remote.embedDocuments(sample);
  const local = await embedder.embedDocuments(sample);
  got.forEach((vector, i) => assert.ok(cosine(vector, local[i] as Float32Array) > 0.9999));
  assert.ok(
    Math.abs(Math.hypot(...(got[0] as Float32Array)) - 1) < 1e-5,
    'normalised as the model settings say',
  );
  assert.deepEqual(requests[0], {
    model: 'universal-sentence-encoder-lite',
    input: sample,
    authorization: 'Bearer secret-key',
  });
  assert.notEqual(remote.key, embedder.key, 'vectors from an endpoint are kept apart from local ones');
  await assert.rejects(remote.embedDocuments(['fail']), /answered 429: \{"error":"rate limited"\}/);
  await assert.rejects(
    httpEmbedder('http://127.0.0.1:9/v1', 'm', undefined).embedQuery('x'),
    /cannot reach the embeddings endpoint/,
  );
});

after(() => {
  env.allowRemoteModels = false;
});
