import { describe, expect, it } from 'vitest';
import { collectAllPages, type Page } from './pagination.js';

function pager(pages: Record<string, Page<number>>) {
  const asked: (string | undefined)[] = [];
  return {
    asked,
    fetch: async (cursor: string | undefined) => {
      asked.push(cursor);
      return pages[cursor ?? '']!;
    },
  };
}

describe('collectAllPages', () => {
  it('follows cursors to the end', async () => {
    const p = pager({ '': { items: [1, 2], nextCursor: 'b' }, b: { items: [3], nextCursor: 'c' }, c: { items: [4] } });
    expect(await collectAllPages(p.fetch)).toEqual({ items: [1, 2, 3, 4], pages: 3 });
    expect(p.asked).toEqual([undefined, 'b', 'c']);
  });

  it('treats an empty nextCursor as the end', async () => {
    const p = pager({ '': { items: [1], nextCursor: '' } });
    expect(await collectAllPages(p.fetch)).toEqual({ items: [1], pages: 1 });
  });

  it('stops on a cursor it has already seen', async () => {
    const p = pager({ '': { items: [1], nextCursor: 'a' }, a: { items: [2], nextCursor: 'b' }, b: { items: [3], nextCursor: 'a' } });
    const result = await collectAllPages(p.fetch);
    expect(result).toEqual({ items: [1, 2, 3], pages: 3, truncated: 'repeated-cursor' });
  });

  it('stops after maxPages of an endless chain', async () => {
    let n = 0;
    const result = await collectAllPages(async () => ({ items: [n], nextCursor: `c${++n}` }), { maxPages: 5 });
    expect(result.truncated).toBe('max-pages');
    expect(result.items).toEqual([0, 1, 2, 3, 4]);
  });

  it('passes an upstream failure through', async () => {
    await expect(collectAllPages(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });
});
