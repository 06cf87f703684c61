/**
 * Hybrid ranking: a convex combination of the lexical and the semantic score of every document that either
 * side ranks, each normalised over that candidate set (lexical by its maximum, semantic min–max). Documents
 * are scored exactly on both sides, not only where they made a side's top list. With weight 1 the ranking is
 * exactly the lexical one, which is why tuning the weight can never rank worse than lexical alone.
 */
export interface FusionCandidate {
  key: number;
  lexical: number;
  semantic: number;
}

export interface FusedHit {
  key: number;
  score: number;
}

export function fuse(candidates: readonly FusionCandidate[], lexicalWeight: number): FusedHit[] {
  if (candidates.length === 0) return [];
  const maxLexical = Math.max(...candidates.map((c) => c.lexical));
  const semantic = candidates.map((c) => c.semantic);
  const minSemantic = Math.min(...semantic);
  const semanticRange = Math.max(...semantic) - minSemantic;
  return candidates
    .map((c) => ({
      key: c.key,
      score:
        lexicalWeight * (maxLexical > 0 ? c.lexical / maxLexical : 0) +
        (1 - lexicalWeight) * (semanticRange > 0 ? (c.semantic - minSemantic) / semanticRange : 0),
    }))
    .sort((a, b) => b.score - a.score || a.key - b.key);
}
