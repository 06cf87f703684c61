/**
 * Per-model embedding settings: how to pool and normalise, what to put before queries and documents, how
 * much text the model reads, and how much the lexical side weighs in hybrid ranking with this model.
 * The lexical weight is tuned per model on the SciFact train split (docs/search.md).
 */
export interface EmbeddingModelSettings {
  readonly pooling: 'mean' | 'cls';
  readonly normalize: boolean;
  readonly queryPrefix: string;
  readonly documentPrefix: string;
  readonly maxTokens: number;
  /** Weight of the lexical score in hybrid ranking (1 = lexical only). */
  readonly hybridLexicalWeight: number;
  /**
   * How many candidates each side brings to hybrid fusion, at least (a deeper page takes more). A model that
   * only nudges the keyword ranking needs fewer than one weighted more, and the keyword side's top k is the
   * search's largest cost at full-arXiv size: its top 50 takes 1.3–1.8 times as long as its top 30.
   */
  readonly hybridFusionDepth: number;
  /** The same for similar papers, where the query is a whole paper (tuned with bench:similar). */
  readonly similarLexicalWeight: number;
  /**
   * The cosine similarity below which a paper that shares no word with the query is not a result: without
   * it, the semantic side returns neighbours for any query, however far away. Calibrated with
   * bench:relevance (judged query–paper pairs against queries of nonsense words); -1 for no floor.
   */
  readonly semanticFloor: number;
}

/** For models we have not tuned: lexical-heavy, since an untested model can be weak on scientific text. */
const GENERIC: EmbeddingModelSettings = Object.freeze({
  pooling: 'mean',
  normalize: true,
  queryPrefix: '',
  documentPrefix: '',
  maxTokens: 512,
  hybridLexicalWeight: 0.7,
  hybridFusionDepth: 50,
  similarLexicalWeight: 0.7,
  semanticFloor: -1,
});

const KNOWN: Record<string, Partial<EmbeddingModelSettings>> = {
  // Tests and benchmarks: small and weak on scientific text, so it only nudges the lexical ranking.
  // Floor: 95% of judged SciFact pairs lie above 0.467; nonsense queries' nearest papers reach 0.44.
  // Fusion depth: 30 ranks SciFact's first pages as well as 50 (docs/benchmarks.md, relevance).
  'universal-sentence-encoder-lite': {
    maxTokens: 128,
    hybridLexicalWeight: 0.85,
    hybridFusionDepth: 30,
    similarLexicalWeight: 0.9,
    semanticFloor: 0.45,
  },
  'bge-small-en-v1.5': {
    pooling: 'cls',
    queryPrefix: 'Represent this sentence for searching relevant passages: ',
    hybridLexicalWeight: 0.5,
  },
  'all-MiniLM-L6-v2': { maxTokens: 256, hybridLexicalWeight: 0.6 },
  'nomic-embed-text-v1.5': {
    queryPrefix: 'search_query: ',
    documentPrefix: 'search_document: ',
    hybridLexicalWeight: 0.5,
  },
};

/** The default for real users: bge-small-en-v1.5, see docs/search.md for why. */
export const DEFAULT_EMBEDDING_MODEL = 'Xenova/bge-small-en-v1.5';

/** Settings for a model id, hub id or local folder, matched by its last path segment. */
export function modelSettings(model: string): EmbeddingModelSettings {
  const name =
    model
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? model;
  return Object.freeze({ ...GENERIC, ...(KNOWN[name] ?? {}) });
}

/**
 * The key that embeddings are stored under: the model and every setting that changes its vectors, so that
 * changing either re-embeds.
 */
export function modelKey(model: string, settings: EmbeddingModelSettings): string {
  const name =
    model
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? model;
  return `${name}|${settings.pooling}|${settings.normalize ? 'norm' : 'raw'}|${settings.documentPrefix}|${settings.maxTokens}`;
}

/** The text a paper is embedded from. */
export function documentText(
  paper: { title: string; abstract: string },
  settings: EmbeddingModelSettings,
): string {
  return `${settings.documentPrefix}${paper.title}. ${paper.abstract}`.trim();
}
