/** The addresses of things, in one place, so that pages, feeds and the API link alike. */
import { isArxivId } from '../core/arxiv-id.js';

export function paperPath(id: string): string {
  return `/papers/${encodeURIComponent(id)}`;
}

export function withQuery(path: string, params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

export function arxivLinks(id: string): { abs: string; pdf: string } | null {
  if (!isArxivId(id)) return null;
  return { abs: `https://arxiv.org/abs/${id}`, pdf: `https://arxiv.org/pdf/${id}` };
}

export function authorSearchPath(author: string): string {
  return withQuery('/search', { q: `author:"${author.replace(/"/g, '')}"`, mode: 'lexical' });
}
