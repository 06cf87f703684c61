/** serve: the web app on a local HTTP server, until interrupted. */
import { logMailer } from '../../adapters/mail/mailer.js';
import { openStore } from '../../adapters/storage/open.js';
import { lazyEmbedder } from '../../adapters/embed/open.js';
import { startGraphThread } from '../../adapters/search/graph-thread.js';
import { SearchService } from '../../app/search.js';
import { OpenPapersError } from '../../core/errors.js';
import { createWebApp } from '../../web/app.js';
import { trustedProxies } from '../../web/client-address.js';
import { startServer } from '../../web/server.js';
import { configuredMailer, hubServices } from '../compose.js';
import type { Config } from '../config.js';
import { startIndexBuilder } from './index.js';
import { indexLocation } from './search.js';

export interface ServeOptions {
  port: number;
  host: string;
  publicUrl?: string;
  quiet?: boolean;
  /** false: no index builder of its own (a worker or another server keeps the index up to date). */
  indexBuilder?: boolean;
}

export async function serveCommand(options: ServeOptions, config: Config): Promise<void> {
  const store = await openStore(config.dbPath, { mustExist: true, readPapersOnThread: true });
  // Requests read the published index; the builder (another process) keeps it up to date. Like the model,
  // vector searches walk their graphs on a thread of their own.
  const index = indexLocation(config, { graphs: startGraphThread() }).openReader();
  await index.refresh();
  index.follow(250);
  const search = new SearchService({
    store,
    index,
    embedder: lazyEmbedder(config.embedding, { onThread: true }),
    today: () => new Date().toISOString().slice(0, 10),
  });
  const mailer = configuredMailer(
    config,
    logMailer((text) => process.stderr.write(`[no OPENPAPERS_SMTP_URL; not sent] ${text}`)),
  );
  // Links in digests shown on the web: the public address, or where this server is listening.
  let origin = options.publicUrl?.replace(/\/$/, '') ?? '';
  let listening: number | null = null;
  let proxies;
  try {
    proxies = trustedProxies(config.trustedProxies);
  } catch (error) {
    throw new OpenPapersError('OP_ERR_USAGE', `OPENPAPERS_TRUSTED_PROXIES: ${(error as Error).message}`);
  }
  const app = createWebApp(hubServices(config, { store, search, mailer, origin: () => origin }), {
    publicUrl: options.publicUrl ?? null,
    listenPort: () => listening,
    trustedProxies: proxies,
    log: options.quiet ? undefined : (entry) => process.stdout.write(`${JSON.stringify(entry)}\n`),
  });
  const server = await startServer(app, { port: options.port, host: options.host }).catch(
    (error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        index.close();
        const where = `${options.host} port ${options.port}`;
        const why =
          code === 'EADDRINUSE'
            ? `${where} is in use by another program; choose another port with --port`
            : code === 'EACCES'
              ? `${where} needs privileges this user lacks; choose a port above 1023 with --port`
              : `${options.host} is not an address of this machine; choose one with --host`;
        throw new OpenPapersError('OP_ERR_USAGE', `cannot serve: ${why}`);
      }
      throw error;
    },
  );
  const builder = options.indexBuilder === false ? null : startIndexBuilder(config);
  origin ||= server.url;
  listening = Number(new URL(server.url).port);
  process.stderr.write(`OpenPapers is serving ${config.dbName} at ${server.url}/ (Ctrl-C stops it)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await builder?.stop();
  index.close();
  mailer.close();
  await store.close();
}
