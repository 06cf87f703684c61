/**
 * Static assets: the stylesheet (light and dark, readable on a phone) and KaTeX's stylesheet and fonts from
 * its package, all read once and served with long cache lifetimes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Env, Hono } from 'hono';

const STYLE = `
:root { --bg: #fdfdfc; --fg: #1c1d1f; --muted: #5b5f66; --line: #e3e4e8; --card: #fff; --accent: #2958c9;
  --mark: #ffe58a; --badge: #1f7a4d; color-scheme: light dark; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #15171a; --fg: #e8e9eb; --muted: #a2a7b0; --line: #2c3036; --card: #1c1f23; --accent: #8ab0ff;
    --mark: #6b5a12; --badge: #4cc38a; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 16px/1.55 system-ui, -apple-system, "Segoe UI",
  Roboto, sans-serif; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid var(--accent);
  outline-offset: 2px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: var(--card); padding: .5rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
header.site, main, footer.site { max-width: 60rem; margin: 0 auto; padding: 0 1rem; }
header.site { border-bottom: 1px solid var(--line); padding-top: .75rem; }
header.site nav { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; }
header.site nav a { text-decoration: none; }
header.site nav a[aria-current=page] { font-weight: 600; text-decoration: underline; }
.brand { font-weight: 700; font-size: 1.2rem; color: var(--fg) !important; }
.search-box { display: flex; gap: .25rem; margin-left: auto; flex: 1 1 14rem; max-width: 24rem; }
.search-box input { flex: 1; min-width: 0; }
/* On a phone the search box takes the second row, with Sign in beside it rather than on a row of its own. */
@media (max-width: 40rem) {
  .search-box { order: 10; flex: 1 1 10rem; min-width: 0; max-width: none; margin-left: 0; }
  .search-box input { width: 6rem; }
  header.site nav a.account { order: 11; }
}
input, select, button { font: inherit; padding: .35rem .5rem; border: 1px solid var(--line); border-radius: 6px;
  background: var(--card); color: var(--fg); }
button { cursor: pointer; }
.invite { margin: .5rem 0 .75rem; font-size: .95rem; }
section.submitted { margin: .75rem 0 1.25rem; padding: .25rem .75rem .75rem; border-left: 4px solid var(--badge);
  background: color-mix(in srgb, var(--badge) 6%, transparent); border-radius: 6px; }
section.submitted h2 { font-size: 1.1rem; margin: .5rem 0; }
section.endpoint { border-top: 1px solid var(--line); padding: .25rem 0 .5rem; }
section.endpoint h2 { font-size: 1.05rem; margin: .75rem 0 .25rem; }
section.endpoint table { border-collapse: collapse; font-size: .92rem; width: 100%; }
section.endpoint th, section.endpoint td { text-align: left; padding: .2rem .5rem .2rem 0; vertical-align: top;
  border-bottom: 1px solid var(--line); }
.responses { color: var(--muted); font-size: .9rem; }
.invite a { font-weight: 600; }
h1 { font-size: 1.6rem; margin: 1.25rem 0 .5rem; line-height: 1.25; }
.tabs { display: flex; gap: .25rem; margin: .5rem 0; }
.tabs a { padding: .3rem .8rem; border: 1px solid var(--line); border-radius: 999px; text-decoration: none; }
.tabs a[aria-current=page] { background: var(--accent); color: var(--bg); border-color: var(--accent); }
.period-bar { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: .5rem;
  margin: .75rem 0; }
.period-bar h2 { font-size: 1.1rem; margin: 0; }
.disabled { color: var(--muted); }
.date-picker { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
.count, .meta, .authors, .lede { color: var(--muted); font-size: .92rem; }
.cards { display: grid; gap: .75rem; padding: 0; list-style: none; }
ol.cards > li { list-style: none; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: .8rem 1rem; }
.card h3 { font-size: 1.08rem; margin: 0 0 .25rem; line-height: 1.35; }
.card h3 a { color: var(--fg); text-decoration: none; } .card h3 a:hover { text-decoration: underline; }
.card p { margin: .2rem 0; }
.card .reason { color: var(--muted); font-size: .9rem; font-style: italic; }
.abstract { overflow-wrap: anywhere; }
.badge { display: inline-block; margin-left: .5rem; padding: 0 .45rem; border-radius: 4px; font-size: .75rem;
  background: var(--badge); color: var(--bg); vertical-align: middle; }
.votes { margin-left: .75rem; }
form.vote { display: inline; }
form.vote button { padding: 0 .45rem; font-size: .9rem; color: var(--muted); }
form.vote button[aria-pressed=true] { color: var(--accent); border-color: var(--accent); font-weight: 600; }
form.stacked { display: grid; gap: .5rem; max-width: 28rem; }
form.stacked fieldset { display: grid; gap: .4rem; margin: 0; padding: .5rem .75rem .75rem; border: 1px solid var(--line);
  border-radius: 8px; min-width: 0; }
form.stacked fieldset.choices { display: flex; flex-wrap: wrap; gap: .5rem 1.25rem; }
form.stacked fieldset label:has(> input[type=text]), form.stacked fieldset label[for] { margin-top: .25rem; }
form.stacked input[type=text], form.stacked input[type=email], form.stacked input:not([type]),
form.stacked textarea { width: 100%; }
.categories { display: flex; flex-wrap: wrap; gap: .3rem; padding: 0; margin: .3rem 0; list-style: none;
  font-size: .8rem; }
.categories a { padding: 0 .4rem; border: 1px solid var(--line); border-radius: 4px; text-decoration: none; }
mark { background: var(--mark); color: inherit; padding: 0 .1em; border-radius: 2px; }
.pagination { display: flex; gap: 1rem; justify-content: center; margin: 1.5rem 0; }
.search-form fieldset { border: 1px solid var(--line); border-radius: 8px; display: flex; flex-wrap: wrap;
  gap: .5rem; align-items: center; margin: .5rem 0; }
.search-form #q { width: 100%; }
.notice { background: var(--card); border-left: 4px solid var(--accent); padding: .5rem .75rem; }
.error { font-size: 1.1rem; }
.paper .author-list { display: flex; flex-wrap: wrap; gap: .25rem .75rem; padding: 0; list-style: none; }
.paper .abstract.full { font-size: 1.05rem; }
.details { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
.details dt { color: var(--muted); } .details dd { margin: 0; }
.versions { margin: 0; padding-left: 1.2rem; }
.similar li { margin: .35rem 0; }
.similar-link { margin: .25rem 0 0 .25rem; font-size: .9rem; }
.formula { font-size: 1.15rem; }
.comments, .replies { list-style: none; padding-left: 0; }
.replies { margin-left: 1rem; padding-left: .75rem; border-left: 2px solid var(--line); }
.comment { margin: .75rem 0; }
.comment .meta { margin: 0; }
.comment-body p { margin: .25rem 0; }
.comment-actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: flex-start; font-size: .9rem; }
.comment-actions form { display: inline; }
.comment-form { display: grid; gap: .35rem; max-width: 40rem; margin: .5rem 0; }
.comment-form button, form.stacked button { justify-self: start; }
div.meta { margin: .2rem 0; }
.comment-form textarea { font: inherit; padding: .4rem; border: 1px solid var(--line); border-radius: 6px;
  background: var(--card); color: var(--fg); }
.removed { color: var(--muted); font-style: italic; }
.badge.private { background: var(--muted); }
.badge.withdrawn { background: #a33; color: #fff; }
.muted { color: var(--muted); font-size: .92rem; }
.note { margin: .35rem 1rem; white-space: pre-wrap; }
.note-actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin: .35rem 0 0 1rem; }
.note-form { display: flex; flex-wrap: wrap; gap: .35rem; align-items: end; flex: 1 1 20rem; }
.note-form textarea, .stacked textarea { font: inherit; flex: 1 1 16rem; padding: .3rem; border: 1px solid var(--line);
  border-radius: 6px; background: var(--card); color: var(--fg); }
.save-form { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.collections li { margin: .3rem 0; }
footer.site { border-top: 1px solid var(--line); margin-top: 2rem; color: var(--muted); font-size: .9rem; }
@media (max-width: 40rem) {
  .search-box { margin-left: 0; max-width: none; }
  .details { grid-template-columns: 1fr; } .details dt { margin-top: .4rem; }
  h1 { font-size: 1.35rem; }
}
`;

/** A page of paper with its corner folded, in the accent colour: the site's icon. */
const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<path d="M7 2h13l7 7v21H7z" fill="#2958c9"/><path d="M20 2v7h7" fill="#8ab0ff"/>
<path d="M11 15h12M11 19h12M11 23h8" stroke="#fff" stroke-width="2" stroke-linecap="round"/></svg>
`;

const FONT_TYPES: Record<string, string> = {
  woff2: 'font/woff2',
  woff: 'font/woff',
  ttf: 'font/ttf',
};

export function registerAssets<E extends Env>(app: Hono<E>): void {
  const katexDist = join(dirname(createRequire(import.meta.url).resolve('katex/package.json')), 'dist');
  const katexCss = readFileSync(join(katexDist, 'katex.min.css'));
  const fonts = new Map(
    readdirSync(join(katexDist, 'fonts')).map((name) => [name, readFileSync(join(katexDist, 'fonts', name))]),
  );
  const longLived = 'public, max-age=86400';
  app.get('/assets/style.css', (c) => {
    c.header('content-type', 'text/css; charset=utf-8');
    c.header('cache-control', longLived);
    return c.body(STYLE);
  });
  for (const path of ['/favicon.svg', '/favicon.ico']) {
    app.get(path, (c) => {
      c.header('content-type', 'image/svg+xml');
      c.header('cache-control', longLived);
      return c.body(FAVICON);
    });
  }
  app.get('/assets/katex/katex.min.css', (c) => {
    c.header('content-type', 'text/css; charset=utf-8');
    c.header('cache-control', longLived);
    return c.body(new Uint8Array(katexCss));
  });
  app.get('/assets/katex/fonts/:name', (c) => {
    const name = c.req.param('name');
    const font = fonts.get(name);
    if (!font) return c.notFound();
    c.header('content-type', FONT_TYPES[name.split('.').pop() as string] ?? 'application/octet-stream');
    c.header('cache-control', longLived);
    return c.body(new Uint8Array(font));
  });
}
