/**
 * Local embedding models through @huggingface/transformers (ONNX Runtime on the CPU): a Hugging Face hub
 * id, downloaded once into the cache folder, or a local model folder, read offline.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Embedder } from '../../app/ports.js';
import { OpenPapersError } from '../../core/errors.js';
import { modelKey, modelSettings } from '../../core/search/model-settings.js';

/** The parts of a transformers.js tokenizer that the speed-ups below wrap. */
interface TokenizerInternals {
  model?: { tokenize?: unknown; vocab?: unknown };
  pre_tokenizer?: { replacement?: unknown; pre_tokenize_text?: unknown };
}

/**
 * SentencePiece (Metaspace) tokenizers mark each word's start with "▁". transformers.js 3 ignores the
 * tokenizer's `split` setting and hands the whole text to the Unigram model as one word, whose lattice costs
 * quadratic time in its length. When no vocabulary piece has "▁" inside it, every "▁" starts a new piece, so
 * splitting there first gives exactly the same tokens (test/adapters/embed-tokenizer.test.ts checks this).
 */
export function splitAtWordMarks(tokenizer: TokenizerInternals): boolean {
  const pre = tokenizer.pre_tokenizer;
  const vocab = tokenizer.model?.vocab;
  if (!pre || typeof pre.replacement !== 'string' || typeof pre.pre_tokenize_text !== 'function')
    return false;
  if (!Array.isArray(vocab)) return false;
  const mark = pre.replacement;
  if (vocab.some((piece) => typeof piece === 'string' && piece.indexOf(mark, 1) !== -1)) return false;
  const preTokenize = pre.pre_tokenize_text as (text: string, options?: object) => string[];
  const wordStart = new RegExp(`(?=${mark.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})`, 'u');
  pre.pre_tokenize_text = (text: string, options?: object) =>
    preTokenize.call(pre, text, options).flatMap((part) => part.split(wordStart).filter((w) => w !== ''));
  return true;
}

/**
 * Unigram and WordPiece tokenizers tokenize each word on its own, so remembering each word's tokens gives
 * the very same ids, and words repeat across abstracts.
 */
export function memoizeWordTokenizer(tokenizer: TokenizerInternals, capacity = 200_000): void {
  const model = tokenizer.model as { tokenize?: (word: string) => string[] } | undefined;
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

/**
 * Texts per model call. On 2 cores, ONNX Runtime embeds small batches faster than large ones (16: 290
 * docs/s, 64: 225, 128: 190 for the USE-lite model), since padding and attention grow with the batch.
 */
const MICRO_BATCH = 16;

/**
 * `threads`: how many cores one model call may use (ONNX Runtime's intra-op threads; by default all).
 * A server's query model takes one, so that it never spins on the cores the event loop needs.
 */
export async function loadTransformersEmbedder(
  model: string,
  cacheDir: string,
  options: { threads?: number } = {},
): Promise<Embedder> {
  const settings = modelSettings(model);
  const transformers = await import('@huggingface/transformers');
  const { env, AutoTokenizer, AutoModel, mean_pooling } = transformers;
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
  let tokenizer: Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;
  let network: Awaited<ReturnType<typeof AutoModel.from_pretrained>>;
  try {
    tokenizer = await AutoTokenizer.from_pretrained(modelId);
    network = await AutoModel.from_pretrained(modelId, {
      dtype: 'fp32',
      ...(options.threads
        ? { session_options: { intraOpNumThreads: options.threads, interOpNumThreads: 1 } }
        : {}),
    });
  } catch (error) {
    const hint = local ? '' : ' (is the Hugging Face hub reachable? a local model folder works offline)';
    throw new OpenPapersError(
      'OP_ERR_SEMANTIC',
      `cannot load the embedding model ${model}${hint}: ${(error as Error).message.split('\n')[0]}`,
      { cause: error },
    );
  }
  splitAtWordMarks(tokenizer as unknown as TokenizerInternals);
  memoizeWordTokenizer(tokenizer as unknown as TokenizerInternals);
  // Models read at most maxTokens; cutting the text first saves tokenising what is dropped. A token is
  // rarely longer than 8 characters, so the cut never shortens what the model reads.
  const maxChars = settings.maxTokens * 8;

  type Tensor = InstanceType<typeof transformers.Tensor>;
  const pool = (outputs: Record<string, Tensor>, attentionMask: Tensor): Tensor => {
    // Sentence-transformers exports (and our USE-lite conversion) may give the pooled vector directly.
    const pooled =
      outputs.sentence_embedding ?? poolHidden(outputs.last_hidden_state as Tensor, attentionMask);
    return settings.normalize ? pooled.normalize(2, -1) : pooled;
  };
  const poolHidden = (hidden: Tensor, attentionMask: Tensor): Tensor =>
    settings.pooling === 'cls' ? hidden.slice(null, 0, null) : mean_pooling(hidden, attentionMask);

  const embed = async (texts: readonly string[]): Promise<Float32Array[]> => {
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += MICRO_BATCH) {
      const batch = texts
        .slice(start, start + MICRO_BATCH)
        .map((text) => text.slice(0, maxChars).trim() || '.');
      const inputs = tokenizer(batch, { padding: true, truncation: true, max_length: settings.maxTokens });
      const pooled = pool((await network(inputs)) as Record<string, Tensor>, inputs.attention_mask as Tensor);
      const data = pooled.data as Float32Array;
      const dims = pooled.dims[1] as number;
      for (let i = 0; i < batch.length; i++) vectors.push(data.slice(i * dims, (i + 1) * dims));
    }
    return vectors;
  };
  return {
    model,
    key: modelKey(model, settings),
    settings,
    embedDocuments: embed,
    embedQuery: async (text) => (await embed([`${settings.queryPrefix}${text}`]))[0] as Float32Array,
  };
}
