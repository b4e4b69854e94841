/** One upstream page, as any list method returns it. */
export interface Page<T> {
  items: readonly T[];
  nextCursor?: string;
}

export interface CollectResult<T> {
  items: T[];
  /** Why collection stopped before the upstream said "no more", if it did. */
  truncated?: 'max-pages' | 'repeated-cursor';
  pages: number;
}

/**
 * Follows an upstream's cursors to the end. Guards against the two ways a server can make this loop forever:
 * a cursor it already gave (a non-advancing cursor), and an endless chain (maxPages).
 */
export async function collectAllPages<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  options: { maxPages?: number } = {},
): Promise<CollectResult<T>> {
  const maxPages = options.maxPages ?? 100;
  const items: T[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let pages = 1; pages <= maxPages; pages++) {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    if (page.nextCursor === undefined || page.nextCursor === '') return { items, pages };
    if (seen.has(page.nextCursor)) return { items, pages, truncated: 'repeated-cursor' };
    seen.add(page.nextCursor);
    cursor = page.nextCursor;
  }
  return { items, pages: maxPages, truncated: 'max-pages' };
}
