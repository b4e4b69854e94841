/**
 * tools/list pagination. A page holds tools until the next one would push it past the byte budget
 * (always at least one tool), so a 1,000-operation spec never becomes one multi-megabyte message
 * near a stdio transport's cap. Cursors are opaque to clients, as MCP requires; they carry the page
 * index and a fingerprint of the table so a cursor from another catalog is refused, not misread.
 */
export const DEFAULT_PAGE_BYTES = 1024 * 1024;

export interface PagePlan {
  /** Start index of each page in the tool list; page i covers [starts[i], starts[i+1]). */
  starts: number[];
  fingerprint: string;
}

export function planPages(toolBytes: number[], pageBytes: number, fingerprint: string): PagePlan {
  const starts = [0];
  if (pageBytes > 0) {
    let used = 0;
    toolBytes.forEach((bytes, index) => {
      if (used > 0 && used + bytes > pageBytes) {
        starts.push(index);
        used = 0;
      }
      used += bytes + 1;
    });
  }
  return { starts, fingerprint };
}

export function encodeCursor(plan: PagePlan, page: number): string {
  return Buffer.from(`${plan.fingerprint}:${page}`).toString('base64url');
}

/** The page a cursor names, or undefined when it is not one this plan issued. */
export function decodeCursor(plan: PagePlan, cursor: string): number | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const colon = text.lastIndexOf(':');
  if (colon < 0 || text.slice(0, colon) !== plan.fingerprint) return undefined;
  const page = Number(text.slice(colon + 1));
  return Number.isInteger(page) && page > 0 && page < plan.starts.length ? page : undefined;
}
