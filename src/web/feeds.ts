/** RSS 2.0 and Atom 1.0 feeds of any list of papers, through the `feed` package. */
import { Feed } from 'feed';
import { paperDay, type Paper } from '../core/paper.js';
import { withoutControls } from '../core/text.js';
import { paperPath } from './urls.js';

export type FeedFormat = 'rss' | 'atom';

export const FEED_CONTENT_TYPES: Record<FeedFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
};

export interface FeedSpec {
  title: string;
  description: string;
  /** The HTML page this feed follows, and the feed's own address, both as paths on this server. */
  pagePath: string;
  feedPath: string;
  papers: readonly Paper[];
  /** The feed's time when it has no papers. */
  now: string;
}

/** The feed as XML. Every address is absolute, on `origin`. */
export function renderFeed(spec: FeedSpec, format: FeedFormat, origin: string): string {
  const times = spec.papers.map(paperTime);
  const updated = times.reduce((latest, time) => (time > latest ? time : latest), times[0] ?? spec.now);
  const feedUrl = origin + spec.feedPath;
  const feed = new Feed({
    id: feedUrl,
    title: withoutControls(spec.title),
    description: withoutControls(spec.description),
    link: origin + spec.pagePath,
    updated: new Date(updated),
    generator: 'OpenPapers',
    language: 'en',
    feedLinks: format === 'rss' ? { rss: feedUrl } : { atom: feedUrl },
    author: { name: 'OpenPapers' },
    copyright: 'Each paper belongs to its authors; see its license.',
  });
  // Papers stored before control characters were removed at ingest must not break the XML for everyone.
  const text = withoutControls;
  for (const paper of spec.papers) {
    const link = origin + paperPath(paper.id);
    feed.addItem({
      id: link,
      guid: link,
      title: text(paper.title),
      link,
      date: new Date(paperTime(paper)),
      description: text(paper.abstract),
      author: paper.authors.slice(0, 20).map((name) => ({ name: text(name) })),
      category: paper.categories.map((name) => ({ name: text(name), term: text(name) })),
    });
  }
  return format === 'rss' ? feed.rss2() : feed.atom1();
}

function paperTime(paper: Paper): string {
  const day = paperDay(paper);
  return paper.updated ?? (day ? `${day}T00:00:00Z` : paper.firstSeen);
}
