/**
 * Stable ids for papers that have no arXiv id. They are derived from what identifies the paper in its source,
 * so re-ingesting the same source gives the same ids.
 */
import { normalizeLine } from './text.js';

export function doiPaperId(doi: string): string {
  return `doi:${cleanDoi(doi).toLowerCase()}`;
}

/** BEIR documents keep their corpus-local id, scoped by the corpus name: `beir:scifact:4983`. */
export function beirPaperId(corpus: string, docId: string): string {
  return `beir:${corpus}:${docId}`;
}

/** Papers known only by their title: a hash of the title with case, accents and punctuation folded away. */
export function titlePaperId(title: string): string {
  return `title:${fnv1a64(foldedTitle(title))}`;
}

/** A title with case, accents and punctuation folded away: two spellings of one title fold alike. */
export function foldedTitle(title: string): string {
  return normalizeLine(title)
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/** A DOI as printed, without the `doi:` or resolver-URL prefixes that some sources add. */
export function cleanDoi(doi: string): string {
  return doi.trim().replace(/^(?:https?:\/\/(?:dx\.)?doi\.org\/|doi:\s*)/i, '');
}

/** A stable fingerprint of a text (for "has this changed since it was embedded?"). */
export function textHash(text: string): string {
  return fnv1a64(text);
}

/** 64-bit FNV-1a over UTF-16 code units, as 16 hex digits: small, stable and dependency-free. */
function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * prime) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}
