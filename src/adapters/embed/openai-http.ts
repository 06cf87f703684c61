/** Any OpenAI-compatible `/v1/embeddings` endpoint: OpenAI, Ollama, Text Embeddings Inference, vLLM. */
import type { Embedder } from '../../app/ports.js';
import { OpenPapersError } from '../../core/errors.js';
import { modelKey, modelSettings } from '../../core/search/model-settings.js';
import { normalize } from '../../core/search/vectors.js';

interface EmbeddingsResponse {
  data: { embedding: number[]; index: number }[];
}

export function httpEmbedder(
  baseUrl: string,
  model: string,
  apiKey: string | undefined,
  fetchImpl: typeof fetch = fetch,
): Embedder {
  const settings = modelSettings(model);
  const url = `${baseUrl.replace(/\/+$/, '')}/embeddings`;
  const embed = async (texts: readonly string[]): Promise<Float32Array[]> => {
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
        },
        body: JSON.stringify({ model, input: texts }),
      });
    } catch (error) {
      throw new OpenPapersError(
        'OP_ERR_SEMANTIC',
        `cannot reach the embeddings endpoint ${url}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    if (!response.ok) {
      const body = (await response.text()).slice(0, 200);
      throw new OpenPapersError(
        'OP_ERR_SEMANTIC',
        `the embeddings endpoint ${url} answered ${response.status}: ${body}`,
      );
    }
    const json = (await response.json()) as EmbeddingsResponse;
    if (!Array.isArray(json.data) || json.data.length !== texts.length) {
      throw new OpenPapersError(
        'OP_ERR_SEMANTIC',
        `the embeddings endpoint ${url} did not return one vector per text`,
      );
    }
    return [...json.data]
      .sort((a, b) => a.index - b.index)
      .map((row) => {
        const vector = Float32Array.from(row.embedding);
        return settings.normalize ? normalize(vector) : vector;
      });
  };
  return {
    model,
    key: modelKey(`${model}@${baseUrl}`, settings),
    settings,
    embedDocuments: (texts) => embed(texts.map((t) => t.trim() || '.')),
    embedQuery: async (text) => (await embed([`${settings.queryPrefix}${text}`]))[0] as Float32Array,
  };
}
