/**
 * arXiv category lists as real listings carry them: mostly category codes (`cs.CV`, `hep-th`, `math.AG`),
 * but sometimes with ACM or MSC class strings mixed in (`I.2.7; I.2.6`, `68T45, 68T07`). Those classes are kept
 * apart so that they never show up as categories.
 */
const CATEGORY = /^[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?$/;

export function isCategory(code: string): boolean {
  return CATEGORY.test(code);
}

export interface SplitCategories {
  categories: string[];
  classes: string[];
}

/** Splits a category list (array, or a space-separated string as in the Kaggle snapshot), keeping order. */
export function splitCategories(input: string | readonly string[]): SplitCategories {
  const items = typeof input === 'string' ? input.split(/\s+/) : input;
  const categories: string[] = [];
  const classes: string[] = [];
  for (const item of items) {
    const trimmed = item.trim();
    if (trimmed === '') continue;
    if (isCategory(trimmed)) {
      categories.push(trimmed);
      continue;
    }
    for (const part of trimmed.split(/[;,]/)) {
      const cls = part.trim();
      if (cls !== '') classes.push(cls);
    }
  }
  return { categories: unique(categories), classes: unique(classes) };
}

/** Splits ACM-class / MSC-class header values (`I.2.7; I.2.6`, `68T45, 68T07`) into single classes. */
export function splitClasses(value: string | null | undefined): string[] {
  if (!value) return [];
  return unique(
    value
      .split(/[;,]/)
      .map((part) => part.trim())
      .filter((part) => part !== ''),
  );
}

export function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
