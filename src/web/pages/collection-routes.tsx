/**
 * Collections on the web: a reader's list, saving from a paper page, one collection (public ones for anyone,
 * private ones for their owner only; anyone else gets the same 404 as for a collection that does not exist),
 * imports, exports and the public RSS feed.
 */
import type { Context, Hono } from 'hono';
import type { CollectionFields } from '../../app/collections.js';
import type { StoredCollection } from '../../app/ports.js';
import { OpenPapersError } from '../../core/errors.js';
import { toBibtex, toCslJson } from '../../core/library/export.js';
import { FEED_CONTENT_TYPES, renderFeed } from '../feeds.js';
import { formFields, formFile, signedIn } from '../forms.js';
import type { WebDeps } from '../queries.js';
import { csrfCheck, csrfToken, type WebEnv } from '../session.js';
import { paperPath, withQuery } from '../urls.js';
import { CollectionPage, CollectionsPage, collectionPath, ImportReportPage } from './collections.js';
import { html, voteContext } from './routes.js';

/** Posts that carry a library file may be larger than other forms. */
export const LIBRARY_UPLOAD_PATHS = /^\/collections(?:\/[^/]+\/import)?$/;
export const MAX_LIBRARY_BYTES = 5 * 1024 * 1024;

function fieldsOf(form: Record<string, string>): CollectionFields {
  return { name: form.name ?? '', description: form.description ?? '', public: form.public === 'yes' };
}

/** A file name for a download, from the collection's name. */
function fileName(collection: StoredCollection, extension: string): string {
  const base = collection.name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
  return `${base || 'collection'}.${extension}`;
}

export function registerCollectionRoutes(
  app: Hono<WebEnv>,
  deps: WebDeps,
  origin: (c: Context) => string,
): void {
  app.get('/collections', async (c) => {
    const viewer = c.get('viewer');
    if (!viewer) return c.redirect(withQuery('/signin', { next: '/collections' }), 303);
    const collections = await deps.collections.mine(viewer.user);
    return html(
      c,
      <CollectionsPage collections={collections} csrf={csrfToken(c)} account={viewer.user.email} />,
      200,
      true,
    );
  });

  app.post('/collections', csrfCheck(), async (c) => {
    const viewer = signedIn(c);
    const library = await formFile(c, 'library');
    const collection = await deps.collections.create(viewer.user, fieldsOf(await formFields(c)));
    if (library === null) return c.redirect(collectionPath(collection.id), 303);
    const report = await deps.collections.import(viewer.user, collection.id, library);
    return html(
      c,
      <ImportReportPage collection={collection} report={report} account={viewer.user.email} />,
      200,
      true,
    );
  });

  app.post('/collections/save', csrfCheck(), async (c) => {
    const viewer = signedIn(c);
    const form = await formFields(c);
    const paperId = form.paper ?? '';
    let collectionId = form.collection ?? '';
    if (!collectionId) {
      const name = (form.new_name ?? '').trim() || 'Reading list';
      collectionId = (await deps.collections.create(viewer.user, { name, description: '', public: false }))
        .id;
    }
    await deps.collections.save(viewer.user, collectionId, paperId);
    return c.redirect(`${paperPath(paperId)}#save`, 303);
  });

  app.get('/collections/:id', async (c) => {
    const viewer = c.get('viewer');
    const collection = await deps.collections.visible(viewer?.user ?? null, c.req.param('id'));
    const entries = await deps.collections.entries(collection);
    const ids = entries.map((entry) => entry.paper.id);
    const votes = await deps.store.voteCounts(ids);
    const own = viewer?.user.id === collection.userId;
    return html(
      c,
      <CollectionPage
        collection={collection}
        entries={entries.map((entry) => ({ ...entry, votes: votes.get(entry.paper.id) ?? 0 }))}
        owner={own ? { csrf: csrfToken(c) } : null}
        vote={await voteContext(c, deps, ids)}
        account={viewer?.user.email ?? null}
        now={deps.now()}
      />,
      200,
      !collection.public || viewer !== null,
    );
  });

  const back = (c: Context, id: string) => c.redirect(collectionPath(id), 303);

  app.post('/collections/:id/edit', csrfCheck(), async (c) => {
    const id = c.req.param('id');
    await deps.collections.update(signedIn(c).user, id, fieldsOf(await formFields(c)));
    return back(c, id);
  });

  app.post('/collections/:id/delete', csrfCheck(), async (c) => {
    const viewer = signedIn(c);
    if ((await formFields(c)).confirm !== 'yes') {
      throw new OpenPapersError('OP_ERR_BAD_REQUEST', 'confirm: tick the box to delete the collection');
    }
    await deps.collections.delete(viewer.user, c.req.param('id'));
    return c.redirect('/collections', 303);
  });

  app.post('/collections/:id/note', csrfCheck(), async (c) => {
    const id = c.req.param('id');
    const form = await formFields(c);
    await deps.collections.save(signedIn(c).user, id, form.paper ?? '', form.note ?? '');
    return back(c, id);
  });

  app.post('/collections/:id/remove', csrfCheck(), async (c) => {
    const id = c.req.param('id');
    await deps.collections.remove(signedIn(c).user, id, (await formFields(c)).paper ?? '');
    return back(c, id);
  });

  app.post('/collections/:id/import', csrfCheck(), async (c) => {
    const viewer = signedIn(c);
    const collection = await deps.collections.owned(viewer.user, c.req.param('id'));
    const library = await formFile(c, 'library');
    if (library === null) throw new OpenPapersError('OP_ERR_BAD_REQUEST', 'library: choose a file to import');
    const report = await deps.collections.import(viewer.user, collection.id, library);
    return html(
      c,
      <ImportReportPage collection={collection} report={report} account={viewer.user.email} />,
      200,
      true,
    );
  });

  /** A download of a collection the viewer may see; a private one's never lands in a shared cache. */
  const download = (
    path: string,
    contentType: string,
    extension: string,
    render: (entries: Awaited<ReturnType<typeof deps.collections.entries>>) => string,
  ) => {
    app.get(`/collections/:id/${path}`, async (c) => {
      const collection = await deps.collections.visible(c.get('viewer')?.user ?? null, c.req.param('id'));
      const body = render(await deps.collections.entries(collection));
      c.header('content-type', contentType);
      c.header('content-disposition', `attachment; filename="${fileName(collection, extension)}"`);
      c.header('cache-control', collection.public ? 'no-cache' : 'private, no-store');
      return c.body(body);
    });
  };
  download('export.bib', 'application/x-bibtex; charset=utf-8', 'bib', toBibtex);
  download('export.json', 'application/vnd.citationstyles.csl+json; charset=utf-8', 'json', (entries) =>
    JSON.stringify(toCslJson(entries), null, 2),
  );

  // Feed readers carry no cookies: only public collections have a feed.
  app.get('/collections/:id/feed.rss', async (c) => {
    const collection = await deps.collections.visible(null, c.req.param('id'));
    const entries = await deps.collections.entries(collection);
    c.header('content-type', FEED_CONTENT_TYPES.rss);
    c.header('cache-control', 'public, max-age=300');
    return c.body(
      renderFeed(
        {
          title: `OpenPapers collection: ${collection.name}`,
          description: collection.description || `Papers in the collection "${collection.name}"`,
          pagePath: collectionPath(collection.id),
          feedPath: collectionPath(collection.id, '/feed.rss'),
          papers: entries.map((entry) => entry.paper),
          now: deps.now(),
        },
        'rss',
        origin(c),
      ),
    );
  });
}
