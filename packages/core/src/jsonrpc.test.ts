import { describe, expect, it } from 'vitest';
import { serialize, withRaw, withRewrittenId } from './jsonrpc.js';

describe('raw text reuse', () => {
  it('writes an unchanged message as the exact text it arrived as', () => {
    const text = '{"jsonrpc":"2.0","id":1,"result":{"a":1.0}}';
    expect(serialize(withRaw(JSON.parse(text), text))).toBe(text);
  });

  it('a copy never inherits the raw text', () => {
    const m = withRaw({ jsonrpc: '2.0', id: 1, result: {} }, 'stale');
    expect(serialize({ ...m, id: 2 })).toBe('{"jsonrpc":"2.0","id":2,"result":{}}');
  });

  it('swaps an id written first or last, and gives up on anything else', () => {
    const first = '{"jsonrpc":"2.0","id":7,"result":{"id":7}}';
    const a = withRewrittenId(withRaw(JSON.parse(first), first), { ...JSON.parse(first), id: 'c-1' }, 7, 'c-1');
    expect(serialize(a)).toBe('{"jsonrpc":"2.0","id":"c-1","result":{"id":7}}');
    const last = '{"result":{"text":"\\"id\\":7}"},"jsonrpc":"2.0","id":7}';
    const b = withRewrittenId(withRaw(JSON.parse(last), last), { ...JSON.parse(last), id: 3 }, 7, 3);
    expect(JSON.parse(serialize(b))).toEqual({ result: { text: '"id":7}' }, jsonrpc: '2.0', id: 3 });
    expect(serialize(b).endsWith(',"id":3}')).toBe(true);
    const odd = '{ "id": 7, "jsonrpc": "2.0", "result": {} }';
    const c = withRewrittenId(withRaw(JSON.parse(odd), odd), { ...JSON.parse(odd), id: 9 }, 7, 9);
    expect(JSON.parse(serialize(c))).toEqual({ id: 9, jsonrpc: '2.0', result: {} });
  });
});
