/**
 * Comments are written in a safe subset of Markdown: emphasis, code, lists, quotes, links and headings
 * rendered by markdown-it with raw HTML off (it is shown as text), images and tables off, and only
 * http(s) and mailto links, which open as `nofollow ugc` links.
 */
import MarkdownIt from 'markdown-it';

const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false }).disable([
  'image',
  'table',
]);
markdown.validateLink = (url) => /^(https?:|mailto:)/i.test(url.trim());

const defaultLinkOpen =
  markdown.renderer.rules.link_open ??
  ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
markdown.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]?.attrSet('rel', 'nofollow ugc noopener');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

export function renderMarkdown(text: string): string {
  return markdown.render(text);
}
