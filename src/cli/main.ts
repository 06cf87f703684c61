#!/usr/bin/env node
/** The `openpapers` command line: parses arguments and configuration once, then runs one command. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { FORMATS, isFormatName } from '../adapters/sources/formats.js';
import { diskFull, OpenPapersError } from '../core/errors.js';
import { loadConfig } from './config.js';
import { ingestCommand } from './commands/ingest.js';
import { listCommand, parseDayOption, showCommand, statsCommand } from './commands/read.js';
import { evalCommand } from './commands/eval.js';
import { embedCommand, indexUpdateCommand, searchCommand, similarCommand } from './commands/search.js';
import { indexFollowCommand, indexStatusCommand } from './commands/index.js';
import { serveCommand } from './commands/serve.js';
import { userCreateCommand, userListCommand } from './commands/user.js';
import { digestPreviewCommand, digestSendCommand } from './commands/digest.js';
import { jobsCommand, workerCommand } from './commands/worker.js';
import { harvestCommand } from './commands/harvest.js';
import { migrateStoreCommand } from './commands/migrate-store.js';
import { runAsBatchWork } from './priority.js';

const MODES = ['lexical', 'semantic', 'hybrid'] as const;

function modeOption(): Option {
  return new Option('--mode <mode>', 'lexical (keywords, BM25), semantic (embeddings) or hybrid (both)')
    .choices(MODES)
    .default('hybrid');
}

function weight(value: string): number {
  const number = Number(value);
  if (!/^\d*\.?\d+$/.test(value) || number > 1)
    throw new InvalidArgumentError('must be a number from 0 to 1');
  return number;
}

const QUERY_SYNTAX = `
Query syntax:
  words                  papers with any of the words, best matches first
  "exact phrase"         the words next to each other, in this order
  +word   -word          required / excluded (also +"a phrase", -"a phrase")
  author:hinton          author:"geoffrey hinton"
  category:cs.CL         (or cat:cs.CL) primary or cross-listed
  since:7d               the last 7 days (also 2w, 3m, 1y)

The embedding model is --model, else $OPENPAPERS_EMBED_MODEL (a Hugging Face hub id or a local model
folder); $OPENPAPERS_EMBED_URL sends embeddings to an OpenAI-compatible endpoint. Without a model or
embeddings, hybrid search shows keyword results and says why.`;

function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError('must be a positive whole number');
  return Number(value);
}

function port(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed > 65_535) {
    throw new InvalidArgumentError('must be a port number from 0 to 65535');
  }
  return parsed;
}

function day(option: string) {
  return (value: string) => {
    try {
      return parseDayOption(value, option);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message.replace(`${option} must be`, 'must be'));
    }
  };
}

function segmentDocsOption(): Option {
  return new Option('--segment-docs <n>', 'papers per new segment, at most')
    .argParser(positiveInteger)
    .hideHelp();
}

function buildProgram(): Command {
  const program = new Command('openpapers')
    .description('OpenPapers: a self-hostable research-paper hub')
    .option(
      '--db <path>',
      'SQLite file or postgres:// URL (default: $OPENPAPERS_DATABASE_URL, else $OPENPAPERS_DB, else openpapers.db in the data directory)',
    )
    .option('--verbose', 'show stack traces with errors')
    .option('--model <model>', 'embedding model: hub id or local folder (default: $OPENPAPERS_EMBED_MODEL)')
    .version(packageVersion(), '--version', 'print the version of OpenPapers')
    .exitOverride();
  const config = () => {
    const options = program.opts<{ db?: string; verbose?: boolean; model?: string }>();
    return loadConfig(options, process.env);
  };

  program
    .command('ingest')
    .description('read papers from files into the database (format detected from content; .gz read directly)')
    .argument('<paths...>', 'files, or directories to search for files')
    .addOption(
      new Option('--format <format>', `input format: ${Object.keys(FORMATS).join(', ')}`).argParser(
        (value) => {
          if (!isFormatName(value))
            throw new InvalidArgumentError(`must be one of ${Object.keys(FORMATS).join(', ')}`);
          return value;
        },
      ),
    )
    .option('--json', 'print the summary as one JSON object')
    .addOption(
      new Option('--batch-size <n>', 'records per transaction')
        .argParser(positiveInteger)
        .default(1000)
        .hideHelp(),
    )
    .addHelpText(
      'after',
      `\nFormats:\n${Object.entries(FORMATS)
        .map(([name, text]) => `  ${name.padEnd(14)} ${text}`)
        .join(
          '\n',
        )}\n\nExit status: 0 when every record was stored, 1 when some were rejected (each is listed\non standard error with its file, line and reason; the valid records are stored all the same).`,
    )
    .action((paths: string[], options) => {
      runAsBatchWork();
      return ingestCommand(paths, options, config());
    });

  program
    .command('show')
    .description('show one paper')
    .argument('<id>', 'arXiv id (any version, arXiv: prefix or abs/pdf URL) or OpenPapers id')
    .option('--json', 'print the paper as JSON')
    .action((id: string, options) => showCommand(id, options, config()));

  program
    .command('list')
    .description('list papers, newest day first')
    .option('--from <date>', 'first day, YYYY-MM-DD', day('--from'))
    .option('--to <date>', 'last day, YYYY-MM-DD', day('--to'))
    .option('--category <category>', 'only papers in this category (primary or cross-listed), e.g. cs.CL')
    .option('--limit <n>', 'at most this many papers', positiveInteger, 20)
    .option('--json', 'print {"papers": [...]} as JSON')
    .action((options) => listCommand(options, config()));

  program
    .command('stats')
    .description('count papers by month and by primary category')
    .option('--json', 'print {"papers", "byMonth", "byPrimaryCategory"} as JSON')
    .action((options) => statsCommand(options, config()));

  program
    .command('search')
    .description('search papers by keywords and meaning')
    .argument('<query>', 'what to look for (see the query syntax below)')
    .addOption(modeOption())
    .option('--limit <n>', 'at most this many results', positiveInteger, 10)
    .option(
      '--offset <n>',
      'skip this many results first (for paging)',
      (v) => (v === '0' ? 0 : positiveInteger(v)),
      0,
    )
    .option('--from <date>', 'first day, YYYY-MM-DD', day('--from'))
    .option('--to <date>', 'last day, YYYY-MM-DD', day('--to'))
    .option('--category <category>', 'only papers in this category, e.g. cs.CL')
    .option('--no-spelling', 'search for the words as typed, even those no paper contains')
    .option(
      '--json',
      'print {"mode", "notice", "correctedQuery", "results": [{"id", "title", "score", "snippet", …}]}',
    )
    .addHelpText('after', QUERY_SYNTAX)
    .action((query: string, options) => searchCommand(query, options, config()));

  program
    .command('similar')
    .description('papers most like a given one (its distinctive words and its embedding neighbours, fused)')
    .argument('<id>', 'arXiv id or OpenPapers id')
    .option('--limit <n>', 'at most this many papers', positiveInteger, 10)
    .option('--json', 'print {"mode", "notice", "results": [...]}')
    .action((id: string, options) => similarCommand(id, options, config()));

  program
    .command('harvest')
    .description('bring in what arXiv announced, over OAI-PMH, each set from where its last harvest ended')
    .addOption(
      new Option('--source <source>', 'only OAI-PMH (oai) or only the arXiv API (api)').choices([
        'oai',
        'api',
      ]),
    )
    .option(
      '--category <category...>',
      'also the newest submissions in these categories, from the arXiv API (default: $OPENPAPERS_HARVEST_CATEGORIES)',
    )
    .option(
      '--set <set...>',
      'OAI-PMH sets: cs, math, physics:hep-th, cs:cs:AI (default: $OPENPAPERS_HARVEST_SETS, else cs)',
    )
    .addOption(
      new Option(
        '--format <format>',
        'metadata format (default: $OPENPAPERS_HARVEST_FORMAT, else arXiv)',
      ).choices(['arXiv', 'oai_dc']),
    )
    .option('--from <date>', 'start from this day, YYYY-MM-DD, whatever the checkpoint says', day('--from'))
    .option('--json', "print each set's counts and where its next harvest starts as JSON")
    .addHelpText(
      'after',
      '\nOne request every $OPENPAPERS_ARXIV_INTERVAL_SECONDS (3, as arXiv asks); 503 and 429 are waited out as\n' +
        'Retry-After says. A harvest stopped at any point resumes from its checkpoint. A first harvest goes back\n' +
        '$OPENPAPERS_HARVEST_DAYS days (3). The server is $OPENPAPERS_ARXIV_OAI (https://oaipmh.arxiv.org/oai).',
    )
    .action((options) => harvestCommand(options, config()));

  program
    .command('embed')
    .description(
      'embed every paper that has no embedding for the model yet (resumable; re-embeds changed papers)',
    )
    .option('--batch-size <n>', 'papers per model call', positiveInteger, 64)
    .action((options) => {
      runAsBatchWork();
      return embedCommand(options, config());
    });

  const index = program
    .command('index')
    .description('the search index: bring it up to date, rebuild it, follow the database, or show its state');
  index
    .command('update', { isDefault: true })
    .description(
      'apply the papers and embeddings changed since the index was last updated (searches do this too)',
    )
    .addOption(segmentDocsOption())
    .action((options) => indexUpdateCommand(config(), options));
  index
    .command('rebuild')
    .description(
      'build the index again from the database; searches use the old one until the new one is done',
    )
    .addOption(segmentDocsOption())
    .action((options) => indexUpdateCommand(config(), { ...options, rebuild: true }));
  index
    .command('follow')
    .description(
      'keep the index up to date with the database until stopped (what a server runs as its index builder)',
    )
    .action(() => indexFollowCommand(config()));
  index
    .command('status')
    .description('what the index holds, how far behind the database it is, and what its writer is doing')
    .option('--json', 'print it as JSON')
    .action((options) => indexStatusCommand(options, config()));

  program
    .command('serve')
    .description('serve the web app: daily, trending, search and paper pages, the JSON API and feeds')
    .option('--port <port>', 'TCP port (0: any free port)', port, 3000)
    .option('--host <host>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('--public-url <url>', 'the address people reach it at, for absolute links in feeds')
    .option('--quiet', 'no request log on standard output')
    .option(
      '--no-index-builder',
      'do not start an index builder (another server or a worker keeps the index up to date)',
    )
    .addHelpText(
      'after',
      '\nEach request is logged as one JSON line on standard output. /healthz answers {"status":"ok"}; /metrics has Prometheus metrics.',
    )
    .action((options) => serveCommand(options, config()));

  const user = program.command('user').description('manage accounts');
  user
    .command('create')
    .description('create an account (or change its role); it signs in by email link like any other')
    .argument('<email>', 'the account email address')
    .option('--admin', 'with the admin role (the first admin is made this way)')
    .option('--moderator', 'with the moderator role')
    .option('--json', 'print the account as JSON')
    .action((email: string, options) => userCreateCommand(email, options, config()));
  user
    .command('list')
    .description('list the accounts, oldest first, with their roles and votes')
    .addOption(
      new Option('--role <role>', 'only accounts with this role').choices(['user', 'moderator', 'admin']),
    )
    .option('--limit <n>', 'at most this many accounts', positiveInteger, 100)
    .option('--json', 'print {"users": [...]} as JSON')
    .action((options) => userListCommand(options, config()));

  const digest = program.command('digest').description('mail digests: preview one, or send the due ones');
  digest
    .command('preview')
    .description("show what a subscriber's next digest would bring, and why each paper")
    .argument('<email>', "the subscriber's email address")
    .option('--json', 'print it as JSON')
    .action((email: string, options) => digestPreviewCommand(email, options, config()));
  digest
    .command('send')
    .description('send the due digests now (safe to repeat: each digest goes once)')
    .addOption(
      new Option('--frequency <frequency>', 'which subscribers')
        .choices(['daily', 'weekly'])
        .default('daily'),
    )
    .option('--dry-run', 'count what would be sent; send and record nothing')
    .option('--json', 'print the counts as JSON')
    .addHelpText(
      'after',
      '\nNeeds OPENPAPERS_SMTP_URL and OPENPAPERS_PUBLIC_URL (the address digests link to).',
    )
    .action((options) => digestSendCommand(options, config()));

  program
    .command('worker')
    .description('run the scheduled jobs (embed new papers, send digests) until stopped')
    .option('--once', 'run the jobs that are due now, then exit')
    .addHelpText(
      'after',
      `
Jobs and their cron expressions (5 fields, or 6 with seconds first; "off" turns a job off):
  embed            $OPENPAPERS_CRON_EMBED           default "*/15 * * * *"
  daily-digests    $OPENPAPERS_CRON_DAILY_DIGESTS   default "0 6 * * *"
  weekly-digests   $OPENPAPERS_CRON_WEEKLY_DIGESTS  default "0 6 * * 1"
read in $OPENPAPERS_CRON_TIMEZONE (default UTC). Digests need OPENPAPERS_SMTP_URL and OPENPAPERS_PUBLIC_URL.

Each scheduled run is leased to one worker (any number may run, on any machine sharing the database), renewed
while it runs, and taken over by another when a worker dies and $OPENPAPERS_LEASE_SECONDS (default 300) pass.
A failed run is tried again after 1, 5, 25 and 120 minutes. SIGTERM or Ctrl-C stops after the job in progress.
"openpapers jobs" shows the record.`,
    )
    .action((options) => {
      runAsBatchWork();
      return workerCommand(options, config());
    });

  program
    .command('jobs')
    .description("show the worker's schedule and its latest runs, with their outcomes")
    .option('--limit <n>', 'at most this many runs', positiveInteger, 20)
    .option('--json', 'print {"timezone", "schedule", "runs"} as JSON')
    .action((options) => jobsCommand(options, config()));

  program
    .command('migrate-store')
    .description(
      'copy the whole hub from its SQLite file into PostgreSQL (resumes after an interruption; counts checked)',
    )
    .requiredOption('--to <url>', 'the PostgreSQL database: postgres://user:password@host:port/database')
    .option('--from <file>', 'the SQLite file (default: the configured database)')
    .option('--json', 'print {"from", "target", "resumed", "tables": [{"table", "rows"}]}')
    .addOption(new Option('--page-size <n>', 'rows per transaction').argParser(positiveInteger).hideHelp())
    .addHelpText(
      'after',
      '\nStop the servers and workers first: the copy is one snapshot of the file, and rows written to it\n' +
        'afterwards stay behind. The target must be empty, or hold an interrupted copy from the same file, which\n' +
        'then goes on from its last page. Rate-limit windows are not copied; they start afresh.',
    )
    .action((options) => migrateStoreCommand(options, config()));

  program
    .command('eval')
    .description('measure search quality on a BEIR dataset: nDCG@10, Recall@100, MRR@10')
    .argument('<beir-dir>', 'folder with corpus.jsonl, queries.jsonl and qrels/')
    .option('--queries <file>', 'queries file (default: <beir-dir>/queries.jsonl)')
    .option('--qrels <file>', 'relevance judgements (default: <beir-dir>/qrels/test.tsv)')
    .addOption(modeOption())
    .option('--lexical-weight <w>', "override the model's hybrid lexical weight (0..1), for tuning", weight)
    .option('--json', 'print {"ndcg@10", "recall@100", "mrr@10", "queries"}')
    .addHelpText(
      'after',
      '\nThe corpus goes into a temporary database unless --db is given (then its embeddings are kept for the next run).',
    )
    .action((dir: string, options) => evalCommand(dir, options, config(), program.opts().db !== undefined));

  oneLineErrors(program, 'openpapers');
  return program;
}

function packageVersion(): string {
  const file = new URL('../../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Commander's usage errors in the form of every other error: one line, `openpapers: …`, with where to look. */
function oneLineErrors(command: Command, path: string): void {
  command.configureOutput({
    outputError: (text, write) =>
      write(`openpapers: ${text.trim().replace(/^error: /, '')} (see "${path} --help")\n`),
  });
  for (const sub of command.commands) oneLineErrors(sub, `${path} ${sub.name()}`);
}

/** Options of the program itself that take a value: what follows them is not a command. */
const GLOBAL_VALUES = new Set(['--db', '--model']);

/**
 * The command a command line names, when it names one that does not exist. Commander would take
 * `openpapers harvest --help` for the program's own --help and print it, as if all were well, and
 * `openpapers index bogus` for arguments of the default `index update`.
 */
function unknownCommand(program: Command, args: readonly string[]): { name: string; within: string } | null {
  let current = program;
  const path: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (current === program && GLOBAL_VALUES.has(arg)) {
      i++;
      continue;
    }
    if (arg.startsWith('-')) continue;
    if (current.commands.length === 0) return null;
    const found = current.commands.find(
      (command) => command.name() === arg || command.aliases().includes(arg),
    );
    path.push(arg);
    if (!found) {
      return arg === 'help' && current === program
        ? null
        : { name: path.join(' '), within: ['openpapers', ...path.slice(0, -1)].join(' ') };
    }
    current = found;
  }
  return null;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const verbose = argv.includes('--verbose');
  const unknown = unknownCommand(program, argv.slice(2));
  if (unknown !== null) {
    process.stderr.write(`openpapers: unknown command '${unknown.name}' (see "${unknown.within} --help")\n`);
    return 2;
  }
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed the message (or the help text).
      return error.exitCode === 0 ? 0 : 2;
    }
    const known =
      error instanceof OpenPapersError
        ? error
        : diskFull(error, (error as { path?: string }).path ?? 'to the disk');
    if (known) {
      process.stderr.write(`openpapers: ${known.message}\n`);
      if (verbose && known.cause instanceof Error) process.stderr.write(`${known.cause.stack}\n`);
      return known.exitCode;
    }
    process.stderr.write(`openpapers: internal error: ${(error as Error).message ?? String(error)}\n`);
    if (verbose) process.stderr.write(`${(error as Error).stack}\n`);
    else process.stderr.write('openpapers: run again with --verbose for details\n');
    return 70;
  }
}

process.exitCode = await main(process.argv);
