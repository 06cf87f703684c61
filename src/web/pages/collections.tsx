/** Collections: a reader's own list, one collection with its notes, an import's report, saving from a paper. */
import type { CollectionFields, ImportReport } from '../../app/collections.js';
import { COLLECTION_LIMITS } from '../../app/collections.js';
import type { StoredCollection } from '../../app/ports.js';
import type { ExportEntry } from '../../core/library/export.js';
import { paperPath } from '../urls.js';
import { handle } from './discussion.js';
import { CsrfField, Layout, PaperCard, type VoteContext } from './components.js';

export function collectionPath(id: string, suffix = ''): string {
  return `/collections/${encodeURIComponent(id)}${suffix}`;
}

function Visibility(props: { public: boolean }) {
  return <span class={props.public ? 'badge' : 'badge private'}>{props.public ? 'public' : 'private'}</span>;
}

/** Name, description and visibility, for a new collection or an existing one. */
function CollectionFieldset(props: { prefix: string; values?: CollectionFields }) {
  const id = (name: string) => `${props.prefix}-${name}`;
  return (
    <>
      <label for={id('name')}>Name</label>
      <input
        id={id('name')}
        name="name"
        required
        maxlength={COLLECTION_LIMITS.nameChars}
        value={props.values?.name ?? ''}
      />
      <label for={id('description')}>Description (optional)</label>
      <textarea
        id={id('description')}
        name="description"
        rows={2}
        maxlength={COLLECTION_LIMITS.descriptionChars}
      >
        {props.values?.description ?? ''}
      </textarea>
      <label>
        <input type="checkbox" name="public" value="yes" checked={props.values?.public ?? false} /> Public:
        anyone with the link can see it, and it has an RSS feed
      </label>
    </>
  );
}

function ImportField(props: { id: string; required?: boolean }) {
  return (
    <>
      <label for={props.id}>
        BibTeX (.bib) or Zotero CSL-JSON (.json) file{props.required ? '' : ' (optional)'}
      </label>
      <input
        id={props.id}
        type="file"
        name="library"
        accept=".bib,.bibtex,.json,text/plain,application/json"
        required={props.required}
      />
    </>
  );
}

export function CollectionsPage(props: {
  collections: (StoredCollection & { papers: number })[];
  csrf: string;
  account: string;
}) {
  return (
    <Layout title="Your collections" account={props.account}>
      <h1>Your collections</h1>
      {props.collections.length === 0 ? (
        <p>No collections yet. Make one below, or save a paper from its page.</p>
      ) : (
        <ul class="collections">
          {props.collections.map((collection) => (
            <li>
              <a href={collectionPath(collection.id)}>{collection.name}</a>{' '}
              <Visibility public={collection.public} />{' '}
              <span class="muted">
                {collection.papers} {collection.papers === 1 ? 'paper' : 'papers'}
              </span>
            </li>
          ))}
        </ul>
      )}
      <section aria-labelledby="new-title">
        <h2 id="new-title">New collection</h2>
        <form class="stacked" method="post" action="/collections" enctype="multipart/form-data">
          <CsrfField token={props.csrf} />
          <CollectionFieldset prefix="new" />
          <ImportField id="new-library" />
          <button type="submit">Create</button>
        </form>
      </section>
    </Layout>
  );
}

export interface CollectionOwnerView {
  csrf: string;
}

export function CollectionPage(props: {
  collection: StoredCollection;
  entries: (ExportEntry & { votes: number })[];
  /** Forms for the owner; null for everyone else. */
  owner: CollectionOwnerView | null;
  vote: VoteContext | null;
  account: string | null;
  now: string;
}) {
  const { collection, owner } = props;
  const feed = collection.public
    ? { title: `OpenPapers collection: ${collection.name}`, rss: collectionPath(collection.id, '/feed.rss') }
    : null;
  return (
    <Layout title={collection.name} account={props.account} math>
      <h1>
        {collection.name} <Visibility public={collection.public} />
      </h1>
      <p class="meta">
        By {handle(collection.userId)} · {props.entries.length}{' '}
        {props.entries.length === 1 ? 'paper' : 'papers'} · updated{' '}
        <time datetime={collection.updatedAt}>{collection.updatedAt.slice(0, 10)}</time>
      </p>
      {collection.description ? <p class="description">{collection.description}</p> : null}
      <p class="exports">
        Export: <a href={collectionPath(collection.id, '/export.bib')}>BibTeX</a> ·{' '}
        <a href={collectionPath(collection.id, '/export.json')}>CSL-JSON (Zotero)</a>
        {feed ? (
          <>
            {' '}
            · <a href={feed.rss}>RSS</a>
          </>
        ) : null}
      </p>
      {props.entries.length === 0 ? <p>This collection is empty.</p> : null}
      <ol class="cards">
        {props.entries.map((entry) => (
          <li>
            <PaperCard item={{ paper: entry.paper, votes: entry.votes }} now={props.now} vote={props.vote} />
            {entry.note && !owner ? <p class="note">Note: {entry.note}</p> : null}
            {owner ? (
              <div class="note-actions">
                <form class="note-form" method="post" action={collectionPath(collection.id, '/note')}>
                  <CsrfField token={owner.csrf} />
                  <input type="hidden" name="paper" value={entry.paper.id} />
                  <label for={`note-${entry.paper.id}`}>Note</label>
                  <textarea
                    id={`note-${entry.paper.id}`}
                    name="note"
                    rows={2}
                    maxlength={COLLECTION_LIMITS.noteChars}
                  >
                    {entry.note}
                  </textarea>
                  <button type="submit">Save note</button>
                </form>
                <form method="post" action={collectionPath(collection.id, '/remove')}>
                  <CsrfField token={owner.csrf} />
                  <input type="hidden" name="paper" value={entry.paper.id} />
                  <button type="submit">Remove from collection</button>
                </form>
              </div>
            ) : null}
          </li>
        ))}
      </ol>
      {owner ? (
        <>
          <section aria-labelledby="import-title">
            <h2 id="import-title">Import</h2>
            <form
              class="stacked"
              method="post"
              action={collectionPath(collection.id, '/import')}
              enctype="multipart/form-data"
            >
              <CsrfField token={owner.csrf} />
              <ImportField id="library" required />
              <button type="submit">Import</button>
            </form>
          </section>
          <section aria-labelledby="edit-title">
            <h2 id="edit-title">Settings</h2>
            <form class="stacked" method="post" action={collectionPath(collection.id, '/edit')}>
              <CsrfField token={owner.csrf} />
              <CollectionFieldset prefix="edit" values={collection} />
              <button type="submit">Save</button>
            </form>
            <form method="post" action={collectionPath(collection.id, '/delete')}>
              <CsrfField token={owner.csrf} />
              <label>
                <input type="checkbox" name="confirm" value="yes" required /> Delete this collection (its
                papers stay on OpenPapers)
              </label>
              <button type="submit">Delete collection</button>
            </form>
          </section>
        </>
      ) : null}
    </Layout>
  );
}

export function ImportReportPage(props: {
  collection: StoredCollection;
  report: ImportReport;
  account: string;
}) {
  const { collection, report } = props;
  return (
    <Layout title={`Imported into ${collection.name}`} account={props.account}>
      <h1>Imported into {collection.name}</h1>
      <p role="status">
        {report.matched.length} of {report.matched.length + report.unmatched.length} entries matched papers on
        OpenPapers and are in the collection.
      </p>
      {report.matched.length > 0 ? (
        <>
          <h2>Matched</h2>
          <ul class="import-matched">
            {report.matched.map((entry) => (
              <li>
                {entry.where}: <a href={paperPath(entry.paperId)}>{entry.title || entry.paperId}</a>{' '}
                <span class="muted">by {entry.by}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {report.unmatched.length > 0 ? (
        <>
          <h2>Not found on OpenPapers</h2>
          <ul class="import-unmatched">
            {report.unmatched.map((entry) => (
              <li>
                {entry.where}: {entry.title || '(no title)'}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <p>
        <a href={collectionPath(collection.id)}>Open the collection</a>
      </p>
    </Layout>
  );
}

/** On a paper's page: save it to one of the reader's collections, or to a new one. */
export function SaveToCollection(props: {
  paperId: string;
  csrf: string;
  collections: { id: string; name: string; holds: boolean }[];
}) {
  const holding = props.collections.filter((collection) => collection.holds);
  return (
    <section id="save" aria-labelledby="save-title">
      <h2 id="save-title">Save to a collection</h2>
      {holding.length > 0 ? (
        <p>
          Saved in{' '}
          {holding.map((collection, i) => (
            <>
              {i > 0 ? ', ' : ''}
              <a href={collectionPath(collection.id)}>{collection.name}</a>
            </>
          ))}
          .
        </p>
      ) : null}
      <form class="save-form" method="post" action="/collections/save">
        <CsrfField token={props.csrf} />
        <input type="hidden" name="paper" value={props.paperId} />
        <label for="save-collection">Collection</label>
        <select id="save-collection" name="collection">
          {props.collections.map((collection) => (
            <option value={collection.id}>{collection.name}</option>
          ))}
          <option value="">New collection…</option>
        </select>
        <label for="save-new-name">Name for a new collection</label>
        <input
          id="save-new-name"
          name="new_name"
          maxlength={COLLECTION_LIMITS.nameChars}
          placeholder="Reading list"
        />
        <button type="submit">Save</button>
      </form>
    </section>
  );
}
