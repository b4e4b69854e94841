import { describe, expect, it } from 'vitest';
import { CachedList, ListCache, rulesKey } from './list-cache.js';

describe('ListCache', () => {
  it('computes once per key until invalidated', () => {
    const cache = new ListCache<string[]>();
    let computed = 0;
    const compute = () => {
      computed++;
      return ['a'];
    };
    const first = cache.get('k', compute);
    expect(cache.get('k', compute)).toBe(first);
    expect(computed).toBe(1);
    const v = cache.currentVersion;
    cache.invalidate();
    expect(cache.currentVersion).toBe(v + 1);
    expect(cache.get('k', compute)).not.toBe(first);
    expect(computed).toBe(2);
  });

  it('keeps at most maxEntries, dropping the oldest', () => {
    const cache = new ListCache<number>(2);
    cache.get('a', () => 1);
    cache.get('b', () => 2);
    cache.get('c', () => 3);
    expect(cache.size).toBe(2);
    expect(cache.get('a', () => 10)).toBe(10);
    expect(cache.get('c', () => 30)).toBe(3);
  });
});

describe('rulesKey', () => {
  it('is the same for the same rules in any order and differs between allow and deny', () => {
    expect(rulesKey({ allow: ['a.*', 'b.*'], deny: [] })).toBe(rulesKey({ allow: ['b.*', 'a.*'], deny: [] }));
    expect(rulesKey({ allow: ['a.*'], deny: [] })).not.toBe(rulesKey({ allow: [], deny: ['a.*'] }));
  });
});

describe('CachedList', () => {
  it('answers each request with its own id and the same text as a fresh JSON.stringify', async () => {
    const { serialize } = await import('@switchboard-mcp/core/serve');
    const list = new CachedList('tools', [{ name: 'a__x', description: 'quote " and \u2028' }]);
    for (const id of [7, 'req-"8"']) {
      const m = list.response(id);
      expect(JSON.parse(serialize(m))).toEqual({ jsonrpc: '2.0', id, result: { tools: [{ name: 'a__x', description: 'quote " and \u2028' }] } });
      expect(serialize(m)).toBe(JSON.stringify(m));
    }
    expect(Object.isFrozen(list.items)).toBe(true);
  });
});
