/** Chooses the embedder the configuration names: an endpoint when a URL is set, else a local model. */
import type { Embedder } from '../../app/ports.js';
import { httpEmbedder } from './openai-http.js';
import { threadEmbedder } from './thread.js';
import { loadTransformersEmbedder } from './transformers.js';
import { modelKey, modelSettings } from '../../core/search/model-settings.js';

export interface EmbeddingConfig {
  model: string;
  url: string | null;
  apiKey: string | null;
  cacheDir: string;
}

/**
 * Loads the embedder once, on first use; a failure is remembered and reported the same way each time.
 * `onThread`: a local model runs on a thread of its own (servers, whose event loop must stay free).
 */
export function lazyEmbedder(
  config: EmbeddingConfig,
  options: { onThread?: boolean } = {},
): () => Promise<Embedder> {
  let loading: Promise<Embedder> | null = null;
  const loadLocal = options.onThread ? threadEmbedder : loadTransformersEmbedder;
  return () => {
    loading ??= config.url
      ? Promise.resolve(httpEmbedder(config.url, config.model, config.apiKey ?? undefined))
      : loadLocal(config.model, config.cacheDir);
    return loading;
  };
}

/** The key the configured model's embeddings are stored under, known without loading the model. */
export function embeddingKey(config: EmbeddingConfig): string {
  const settings = modelSettings(config.model);
  return modelKey(config.url ? `${config.model}@${config.url}` : config.model, settings);
}
