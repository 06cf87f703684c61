/**
 * The search query language, parsed into an immutable tree:
 *   words                  any of them (ranked by BM25)
 *   "exact phrase"         the words, next to each other, in this order (required)
 *   +word  +"phrase"       required          -word  -"phrase"    excluded
 *   author:hinton  author:"geoffrey hinton"  category:cs.CL (also cat:)
 *   since:7d  since:2w  since:3m  since:1y   papers of the last days, weeks, months or years
 */
export type Occur = 'should' | 'must' | 'mustNot';

export interface QueryClause {
  readonly kind: 'word' | 'phrase';
  /** The words as typed (a word clause has one). */
  readonly words: readonly string[];
  readonly occur: Occur;
}

export interface Query {
  readonly clauses: readonly QueryClause[];
  readonly authors: readonly string[];
  readonly categories: readonly string[];
  /** Only papers of the last this-many days. */
  readonly sinceDays: number | null;
}

const FIELD = /^(author|au|category|cat|since):/i;
const SINCE = /^(\d{1,4})([dwmy])$/i;
const DAYS_PER_UNIT: Record<string, number> = { d: 1, w: 7, m: 30, y: 365 };

export class QuerySyntaxError extends Error {}

/** Splits a query into tokens, keeping quoted parts together: `+"a b"` is one token. */
function tokens(input: string): string[] {
  const out: string[] = [];
  const pattern = /([+-]?(?:[a-z]+:)?"[^"]*"?)|(\S+)/gi;
  for (const match of input.matchAll(pattern)) out.push(match[0]);
  return out;
}

function unquote(text: string): string {
  return text.replace(/^"/, '').replace(/"$/, '').trim();
}

export function parseQuery(input: string): Query {
  const clauses: QueryClause[] = [];
  const authors: string[] = [];
  const categories: string[] = [];
  let sinceDays: number | null = null;

  for (const raw of tokens(input)) {
    let token = raw;
    let occur: Occur = 'should';
    if (token.length > 1 && (token[0] === '+' || token[0] === '-')) {
      occur = token[0] === '+' ? 'must' : 'mustNot';
      token = token.slice(1);
    }
    const field = FIELD.exec(token);
    if (field) {
      const value = unquote(token.slice(field[0].length));
      const name = (field[1] as string).toLowerCase();
      if (value === '')
        throw new QuerySyntaxError(
          `${name}: needs a value, as in ${name === 'since' ? 'since:7d' : `${name}:…`}`,
        );
      if (name === 'since') {
        const since = SINCE.exec(value);
        if (!since)
          throw new QuerySyntaxError(
            `since:${value} is not a period; write since:7d, since:2w, since:3m or since:1y`,
          );
        sinceDays = Number(since[1]) * (DAYS_PER_UNIT[(since[2] as string).toLowerCase()] as number);
      } else if (name === 'author' || name === 'au') authors.push(value);
      else categories.push(value);
      continue;
    }
    if (token.startsWith('"')) {
      const words = unquote(token).split(/\s+/).filter(Boolean);
      if (words.length > 0)
        clauses.push({ kind: 'phrase', words, occur: occur === 'should' ? 'must' : occur });
      continue;
    }
    clauses.push({ kind: 'word', words: [token], occur });
  }
  return Object.freeze({
    clauses: Object.freeze(clauses.map((c) => Object.freeze({ ...c, words: Object.freeze([...c.words]) }))),
    authors: Object.freeze(authors),
    categories: Object.freeze(categories),
    sinceDays,
  });
}

/** The query's free text, for the semantic side of a search (filters and operators removed). */
export function queryText(query: Query): string {
  return query.clauses
    .filter((c) => c.occur !== 'mustNot')
    .map((c) => c.words.join(' '))
    .join(' ');
}

/** A query of plain words, none required: how benchmark queries (claims, questions) are run. */
export function plainQuery(text: string): Query {
  const clauses = text
    .split(/\s+/)
    .filter(Boolean)
    .map((word) =>
      Object.freeze({ kind: 'word' as const, words: Object.freeze([word]), occur: 'should' as const }),
    );
  return Object.freeze({ clauses: Object.freeze(clauses), authors: [], categories: [], sinceDays: null });
}
