import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { serialize, type Message } from '../jsonrpc.js';
import { StdioFace } from './stdio-face.js';

function face(maxLineBytes?: number) {
  const stdin = new PassThrough();
  const writes: string[] = [];
  const stdout = new Writable({
    write(chunk, _enc, cb) {
      writes.push(String(chunk));
      cb();
    },
  });
  const f = new StdioFace(stdin, stdout, maxLineBytes);
  const got: Message[] = [];
  const errors: string[] = [];
  let closed = 0;
  f.onmessage = (m) => void got.push(m as Message);
  f.onerror = (e) => void errors.push(e.message);
  f.onclose = () => void closed++;
  return { f, stdin, writes, got, errors, closed: () => closed };
}
const turn = () => new Promise((r) => setImmediate(r));

describe('StdioFace', () => {
  it('reads newline-delimited JSON-RPC split anywhere, keeping each message’s text; CRLF tolerated', async () => {
    const t = face();
    await t.f.start();
    const line = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"é"}}}';
    const bytes = Buffer.from(`${line}\r\n{"jsonrpc":"2.0","method":"notifications/initialized"}\n`);
    t.stdin.write(bytes.subarray(0, 70)); // splits the two-byte "é" nowhere special, and the line mid-way
    t.stdin.write(bytes.subarray(70));
    await turn();
    expect(t.got).toEqual([JSON.parse(line), { jsonrpc: '2.0', method: 'notifications/initialized' }]);
    expect(serialize(t.got[0]!)).toBe(line);
  });

  it('reports and skips what is not JSON-RPC, or over the line cap, and keeps reading', async () => {
    const t = face(64);
    await t.f.start();
    t.stdin.write(`not json\n{"hello":1}\n{"jsonrpc":"2.0","id":2,"method":"x","params":{"pad":"${'a'.repeat(80)}"}}\n{"jsonrpc":"2.0","id":3,"method":"ping"}\n`);
    await turn();
    expect(t.errors).toHaveLength(3);
    expect(t.errors[0]).toMatch(/not JSON/);
    expect(t.errors[1]).toMatch(/not a JSON-RPC/);
    expect(t.errors[2]).toMatch(/over the 64-byte cap/);
    expect(t.got).toEqual([{ jsonrpc: '2.0', id: 3, method: 'ping' }]);
  });

  it('writes everything sent in one turn in one write, unchanged text as it came', async () => {
    const t = face();
    await t.f.start();
    t.stdin.write('{"jsonrpc":"2.0","id":9,"result":{"a":1}}\n');
    await turn();
    for (let i = 0; i < 5; i++) await t.f.send({ jsonrpc: '2.0', id: i, result: {} } as never);
    await t.f.send(t.got[0]! as never);
    expect(t.writes).toEqual([]);
    await turn();
    expect(t.writes).toHaveLength(1);
    expect(t.writes[0]!.split('\n')).toEqual([...Array.from({ length: 5 }, (_, i) => `{"jsonrpc":"2.0","id":${i},"result":{}}`), '{"jsonrpc":"2.0","id":9,"result":{"a":1}}', '']);
  });

  it('closes when stdin ends; what was queued goes out first; sends after close are refused', async () => {
    const t = face();
    await t.f.start();
    await t.f.send({ jsonrpc: '2.0', method: 'notifications/message', params: {} } as never);
    t.stdin.end();
    await turn();
    await turn();
    expect(t.closed()).toBe(1);
    expect(t.writes).toEqual(['{"jsonrpc":"2.0","method":"notifications/message","params":{}}\n']);
    await expect(t.f.send({ jsonrpc: '2.0', id: 1, result: {} } as never)).rejects.toThrow(/closed/);
  });
});
