/**
 * The baseline of bench:recs: sparse tf-idf vectors over the lexical analyser's terms (sublinear tf, smoothed
 * idf, unit length), the features arxiv-sanity ranks by.
 */
import { analyze } from '../src/core/search/tokenize.js';

/** Term → weight; unit length once made by a TfIdfSpace. */
export type SparseVector = Map<string, number>;

export class TfIdfSpace {
  private readonly idf = new Map<string, number>();
  private readonly unseenIdf: number;

  /** Document frequencies from a sample of texts (the corpus, or the candidates being ranked). */
  constructor(texts: Iterable<string>) {
    const df = new Map<string, number>();
    let docs = 0;
    for (const text of texts) {
      docs++;
      for (const term of new Set(analyze(text))) df.set(term, (df.get(term) ?? 0) + 1);
    }
    for (const [term, count] of df) this.idf.set(term, Math.log((1 + docs) / (1 + count)) + 1);
    this.unseenIdf = Math.log(1 + docs) + 1;
  }

  vector(text: string): SparseVector {
    const counts = new Map<string, number>();
    for (const term of analyze(text)) counts.set(term, (counts.get(term) ?? 0) + 1);
    const vector: SparseVector = new Map();
    let norm = 0;
    for (const [term, count] of counts) {
      const weight = (1 + Math.log(count)) * (this.idf.get(term) ?? this.unseenIdf);
      vector.set(term, weight);
      norm += weight * weight;
    }
    norm = Math.sqrt(norm);
    if (norm > 0) for (const [term, weight] of vector) vector.set(term, weight / norm);
    return vector;
  }
}

export function sparseDot(a: SparseVector, b: SparseVector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let sum = 0;
  for (const [term, weight] of small) sum += weight * (large.get(term) ?? 0);
  return sum;
}

/**
 * English function words for the arxiv-sanity-style baseline below (scikit-learn's `stop_words='english'`
 * is a list of this kind; this one is ours).
 */
const ENGLISH_STOP_WORDS = new Set(
  `a about above across after afterwards again against all almost alone along already also although always am
  among amongst an and another any anyhow anyone anything anyway anywhere are around as at back be became
  because become becomes becoming been before beforehand behind being below beside besides between beyond both
  but by can cannot could did do does doing done down due during each eg either else elsewhere enough etc even
  ever every everyone everything everywhere except few for former formerly from further had has have having he
  hence her here hereafter hereby herein hers herself him himself his how however i ie if in indeed into is it
  its itself just last latter latterly least less made many may me meanwhile might more moreover most mostly
  much must my myself namely neither never nevertheless next no nobody none noone nor not nothing now nowhere
  of off often on once one only onto or other others otherwise our ours ourselves out over own per perhaps
  please quite rather re same seem seemed seeming seems several she should since so some somehow someone
  something sometime sometimes somewhere still such than that the their theirs them themselves then thence
  there thereafter thereby therefore therein thereupon these they this those though through throughout thru
  thus to together too toward towards under until up upon us very via was we well were what whatever when
  whence whenever where whereafter whereas whereby wherein whereupon wherever whether which while whither who
  whoever whole whom whose why will with within without would yet you your yours yourself yourselves`.split(
    /\s+/,
  ),
);

export interface NgramTfIdfOptions {
  /** Keep the most frequent features only (scikit-learn's max_features); Infinity keeps all. */
  maxFeatures: number;
  /** Ignore features in fewer documents than this. */
  minDf: number;
  /** Ignore features in more than this fraction of documents. */
  maxDf: number;
}

/** Words as scikit-learn's TfidfVectorizer finds them with arxiv-sanity-lite's token pattern. */
function sklearnWords(text: string): string[] {
  const folded = text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  return (folded.match(/\b[a-z_][a-z0-9_]+\b/g) ?? []).filter((word) => !ENGLISH_STOP_WORDS.has(word));
}

function ngrams(text: string): string[] {
  const words = sklearnWords(text);
  const grams = [...words];
  for (let i = 1; i < words.length; i++) grams.push(`${words[i - 1]} ${words[i]}`);
  return grams;
}

/**
 * arxiv-sanity-lite's paper features (compute.py): tf-idf over words and word pairs, English stop words
 * removed, sublinear tf, smoothed idf, unit length.
 */
export function ngramTfIdfVectors(texts: readonly string[], options: NgramTfIdfOptions): SparseVector[] {
  const grams = texts.map(ngrams);
  const df = new Map<string, number>();
  const total = new Map<string, number>();
  for (const doc of grams) {
    for (const gram of doc) total.set(gram, (total.get(gram) ?? 0) + 1);
    for (const gram of new Set(doc)) df.set(gram, (df.get(gram) ?? 0) + 1);
  }
  const docs = texts.length;
  let features = [...df].filter(([, n]) => n >= options.minDf && n <= options.maxDf * docs).map(([g]) => g);
  if (features.length > options.maxFeatures) {
    features = features
      .sort((a, b) => (total.get(b) as number) - (total.get(a) as number) || (a < b ? -1 : 1))
      .slice(0, options.maxFeatures);
  }
  const idf = new Map(features.map((g) => [g, Math.log((1 + docs) / (1 + (df.get(g) as number))) + 1]));
  return grams.map((doc) => {
    const counts = new Map<string, number>();
    for (const gram of doc) if (idf.has(gram)) counts.set(gram, (counts.get(gram) ?? 0) + 1);
    const vector: SparseVector = new Map();
    let norm = 0;
    for (const [gram, count] of counts) {
      const weight = (1 + Math.log(count)) * (idf.get(gram) as number);
      vector.set(gram, weight);
      norm += weight * weight;
    }
    norm = Math.sqrt(norm);
    if (norm > 0) for (const [gram, weight] of vector) vector.set(gram, weight / norm);
    return vector;
  });
}
