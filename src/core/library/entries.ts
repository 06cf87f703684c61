/**
 * Entries of a reference library (a BibTeX file, a Zotero CSL-JSON export) and what identifies their paper:
 * an arXiv id, a DOI, or else the title. Reference managers write arXiv ids in many places (`eprint`, the URL,
 * arXiv's own DOI, `journal = {arXiv preprint arXiv:…}`), so every one of them is looked at.
 */
import { parseArxivId } from '../arxiv-id.js';
import { decodeLatexAccents } from '../authors.js';
import { cleanDoi } from '../ids.js';

export interface LibraryEntry {
  /** Where the entry is in its file: `entry 3 (vaswani2017)`. */
  where: string;
  title: string;
  arxivId: string | null;
  doi: string | null;
}

/** arXiv registers a DOI for every paper: 10.48550/arXiv.<id>. */
const ARXIV_DOI = /^10\.48550\/arxiv\.(.+)$/i;
const ARXIV_IN_TEXT =
  /(?:arxiv\s*:\s*|arxiv\.org\/(?:abs|pdf|html)\/)((?:\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[a-z]{2})?\/\d{7})(?:v\d+)?)/i;

/**
 * The arXiv id an entry names. `eprint` counts when it is an arXiv id (the archive prefix is often left out);
 * other fields count when they spell one out (`arXiv:2106.01234`, an arxiv.org link, arXiv's DOI).
 */
export function arxivIdOf(fields: {
  eprint?: string | null;
  doi?: string | null;
  texts: readonly (string | null | undefined)[];
}): string | null {
  if (fields.eprint) {
    const id = parseArxivId(fields.eprint)?.id;
    if (id) return id;
  }
  const doi = fields.doi ? ARXIV_DOI.exec(cleanDoi(fields.doi)) : null;
  if (doi) {
    const id = parseArxivId(doi[1] as string)?.id;
    if (id) return id;
  }
  for (const text of fields.texts) {
    const match = text ? ARXIV_IN_TEXT.exec(text) : null;
    const id = match ? parseArxivId(match[1] as string)?.id : null;
    if (id) return id;
  }
  return null;
}

/** A DOI as stored for matching: without resolver prefixes, or null when it is not one. */
export function doiOf(text: string | null | undefined): string | null {
  if (!text) return null;
  const doi = cleanDoi(text);
  return /^10\.\d{4,9}\/\S+$/.test(doi) ? doi : null;
}

/**
 * A title folded for comparison: LaTeX commands, math marks, braces, accents, case, punctuation and spaces
 * dropped, so that `{BERT}: Pre-training of Deep…` and `BERT: pre-training of deep…` are the same.
 */
export function foldTitle(title: string): string {
  return decodeLatexAccents(title)
    .replace(/\\[a-zA-Z]+\*?/g, ' ')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/** Whether two titles name the same paper: equal once folded, and long enough to mean something. */
export function sameTitle(a: string, b: string): boolean {
  const folded = foldTitle(a);
  return folded.length >= 8 && folded === foldTitle(b);
}
