/**
 * The one wiring of the hub's services from its ports. Every process — `serve`, the worker, the CLI's
 * commands — and the tests build their services here, from the adapters they chose, so no two of them wire
 * a service differently.
 */
import { AccountService } from './accounts.js';
import { CollectionService, type CollectionDependencies } from './collections.js';
import { CommentService } from './comments.js';
import { DigestService, digestLinks } from './digests.js';
import { ListService } from './lists.js';
import type { Mailer, PaperFetcher, PaperStore, PasswordHasher } from './ports.js';
import { RecommendationService } from './recommendations.js';
import type { SearchService } from './search.js';
import { SubmissionService } from './submissions.js';
import { SubscriptionService } from './subscriptions.js';

export interface ServiceParts {
  store: PaperStore;
  search: SearchService;
  mailer: Mailer;
  passwords: PasswordHasher;
  /** Papers submitted by id that the store lacks. */
  fetcher: PaperFetcher;
  parseLibrary: CollectionDependencies['parseLibrary'];
  now: () => string;
  /** The address that links in mails start with. */
  origin: () => string;
  /** How long a worker holds a claimed digest before another may take it over. */
  leaseSeconds: number;
}

export interface Services {
  store: PaperStore;
  search: SearchService;
  lists: ListService;
  accounts: AccountService;
  submissions: SubmissionService;
  comments: CommentService;
  collections: CollectionService;
  subscriptions: SubscriptionService;
  digests: DigestService;
  recommendations: RecommendationService;
  now: () => string;
}

export function wireServices(parts: ServiceParts): Services {
  const { store, search, mailer, now } = parts;
  const lists = new ListService(store);
  const recommendations = new RecommendationService({ store, embeddings: (ids) => search.embeddingsOf(ids) });
  return {
    store,
    search,
    lists,
    recommendations,
    accounts: new AccountService({ store, mailer, passwords: parts.passwords, now }),
    submissions: new SubmissionService({ store, fetcher: parts.fetcher, now }),
    comments: new CommentService({ store, now }),
    collections: new CollectionService({
      store,
      parseLibrary: parts.parseLibrary,
      papersWithTitleLike: (title) => search.papersWithTitleLike(title),
      now,
    }),
    subscriptions: new SubscriptionService({ store, mailer, now }),
    digests: new DigestService({
      store,
      lists,
      search,
      recommendations,
      mailer,
      links: digestLinks(parts.origin),
      now,
      leaseSeconds: parts.leaseSeconds,
    }),
    now,
  };
}
