import { describe, expect, it } from 'vitest';
import { LineReader, sniffLine, type OversizedLine } from './line-reader.js';

function read(cap: number, chunks: Buffer[]) {
  const lines: string[] = [];
  const over: OversizedLine[] = [];
  const r = new LineReader(cap, (l) => void lines.push(l), (o) => void over.push(o));
  for (const c of chunks) r.push(c);
  return { lines, over };
}

describe('LineReader', () => {
  it('drops a line over the cap whatever the chunking, and keeps the lines around it', () => {
    const big = `{"jsonrpc":"2.0","id":7,"result":"${'x'.repeat(5000)}"}`;
    const text = Buffer.from(`{"a":1}\n${big}\n{"b":2}\n`);
    for (const size of [1, 7, 100, 4096, text.length]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.subarray(i, i + size));
      const { lines, over } = read(1000, chunks);
      expect(lines).toEqual(['{"a":1}', '{"b":2}']);
      expect(over).toHaveLength(1);
      expect(over[0]!.bytes).toBe(big.length);
      expect(sniffLine(over[0]!)).toEqual({ id: 7 });
    }
  });

  it('keeps a line exactly at the cap', () => {
    expect(read(5, [Buffer.from('12345\n123456\n')]).lines).toEqual(['12345']);
  });
});

describe('sniffLine', () => {
  const cases: Array<[string, string, string, { id?: string | number; method?: string }]> = [
    ['id first', '{"jsonrpc":"2.0","id":12,"result":{"content":[{"text":"xxx', 'xxx"}]}}', { id: 12 }],
    ['string id first', '{"id":"a\\"b","jsonrpc":"2.0","result":"xx', 'x"}', { id: 'a"b' }],
    ['id last', '{"result":{"content":[{"text":"xx', 'xx"}]},"jsonrpc":"2.0","id":"k-9"}', { id: 'k-9' }],
    ['id last then version', '{"result":"xx', 'xx","id":3,"jsonrpc":"2.0"}', { id: 3 }],
    ['request of the server', '{"jsonrpc":"2.0","id":"s1","method":"sampling/createMessage","params":{"x":"', '"}}', { id: 's1', method: 'sampling/createMessage' }],
    ['nested id at the end is not the id', '{"result":{"items":[{"id":4', '"id":4}]}}', {}],
    ['id inside a string is not the id', '{"result":"xx', 'xx \\"id\\":5}"}', {}],
    ['no id at all', '{"jsonrpc":"2.0","method":"notifications/message","params":{"data":"', '"}}', { method: 'notifications/message' }],
    ['not JSON', 'garbage garbage', 'garbage', {}],
  ];
  for (const [name, head, tail, want] of cases) it(name, () => expect(sniffLine({ head, tail })).toEqual(want));
});
