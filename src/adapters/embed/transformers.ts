/**
 * Local embedding models through @huggingface/transformers (ONNX Runtime on the CPU): a Hugging Face hub
 * id, downloaded once into the cache folder, or a local model folder, read offline.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Embedder } from '../../app/ports.js';
import { OpenPapersError } from '../../core/errors.js';
import { modelKey, modelSettings } from '../../core/search/model-settings.js';

type Extractor = ((
  texts: string[],
  options: { pooling: 'mean' | 'cls'; normalize: boolean },
) => Promise<{ dims: number[]; data: Float32Array }>) & { tokenizer?: { model?: { tokenize?: unknown } } };

/**
 * Unigram and WordPiece tokenizers split text into words first and tokenize each word on its own, so
 * remembering each word's tokens gives the very same ids. In transformers.js that per-word step is the
 * slowest part of embedding a paper (more than the model itself), and words repeat across abstracts.
 */
export function memoizeWordTokenizer(extractor: Extractor, capacity = 200_000): void {
  const model = extractor.tokenizer?.model as { tokenize?: (word: string) => string[] } | undefined;
  const tokenize = model?.tokenize;
  if (!model || typeof tokenize !== 'function') return;
  const cache = new Map<string, string[]>();
  model.tokenize = (word: string) => {
    let tokens = cache.get(word);
    if (tokens === undefined) {
      tokens = tokenize.call(model, word);
      if (cache.size >= capacity) cache.clear();
      cache.set(word, tokens);
    }
    return tokens;
  };
}

export async function loadTransformersEmbedder(model: string, cacheDir: string): Promise<Embedder> {
  const settings = modelSettings(model);
  const { env, pipeline } = await import('@huggingface/transformers');
  const local = existsSync(model) && statSync(model).isDirectory();
  let modelId = model;
  if (local) {
    env.allowRemoteModels = false;
    env.localModelPath = dirname(resolve(model));
    modelId = basename(resolve(model));
  } else {
    env.allowRemoteModels = true;
    env.cacheDir = cacheDir;
  }
  let extractor: Extractor;
  try {
    extractor = (await pipeline('feature-extraction', modelId, { dtype: 'fp32' })) as unknown as Extractor;
  } catch (error) {
    const hint = local ? '' : ' (is the Hugging Face hub reachable? a local model folder works offline)';
    throw new OpenPapersError(
      'OP_ERR_SEMANTIC',
      `cannot load the embedding model ${model}${hint}: ${(error as Error).message.split('\n')[0]}`,
      { cause: error },
    );
  }
  memoizeWordTokenizer(extractor);
  // Models read at most maxTokens; cutting the text near there first saves tokenising what is dropped.
  // Scientific English runs about 3.5 characters a token, so 4 a token keeps the whole window.
  const maxChars = settings.maxTokens * 4;
  const embed = async (texts: readonly string[]) => {
    const prepared = texts.map((text) => text.slice(0, maxChars).trim() || '.');
    const output = await extractor(prepared, { pooling: settings.pooling, normalize: settings.normalize });
    const dims = output.dims[1] as number;
    return prepared.map((_, i) => output.data.slice(i * dims, (i + 1) * dims));
  };
  return {
    model,
    key: modelKey(model, settings),
    settings,
    embedDocuments: embed,
    embedQuery: async (text) => (await embed([`${settings.queryPrefix}${text}`]))[0] as Float32Array,
  };
}
