import { describe, expect, it } from 'vitest';
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import type { Transport } from '../transport.js';
import { ShutdownError } from '../errors.js';
import { CallLedger } from './call-ledger.js';

/** The server side: records what it is sent and answers only when told. */
function fakeServer() {
  const sent: JSONRPCMessage[] = [];
  const t: Transport = {
    start: async () => {},
    close: async () => t.onclose?.(),
    send: async (m) => void sent.push(m),
  };
  return { t, sent, answer: (id: number | string) => t.onmessage?.({ jsonrpc: '2.0', id, result: {} } as JSONRPCMessage) };
}

const call = (id: number | string) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'x' } }) as JSONRPCMessage;

describe('CallLedger', () => {
  it('counts calls until they are answered or cancelled', async () => {
    const server = fakeServer();
    const ledger = new CallLedger(server.t);
    const down: JSONRPCMessage[] = [];
    ledger.onmessage = (m) => void down.push(m);
    await ledger.send(call(1));
    await ledger.send(call('b'));
    await ledger.send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } } as JSONRPCMessage);
    expect(ledger.waiting).toBe(2);
    server.answer(1);
    expect(ledger.waiting).toBe(1);
    await ledger.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'b' } } as JSONRPCMessage);
    expect(ledger.waiting).toBe(0);
    // The cancellation still reaches the server.
    expect(server.sent.at(-1)).toMatchObject({ method: 'notifications/cancelled' });
    expect(down).toHaveLength(1);
  });

  it('failAll answers each open call once with the error, and nothing else', async () => {
    const server = fakeServer();
    const ledger = new CallLedger(server.t);
    const down: JSONRPCMessage[] = [];
    ledger.onmessage = (m) => void down.push(m);
    await ledger.send(call(1));
    await ledger.send(call(2));
    server.answer(2);
    expect(ledger.failAll(new ShutdownError(1000))).toBe(1);
    expect(ledger.failAll(new ShutdownError(1000))).toBe(0);
    expect(down).toEqual([
      { jsonrpc: '2.0', id: 2, result: {} },
      { jsonrpc: '2.0', id: 1, error: { code: -32603, message: expect.stringMatching(/within the 1s grace period/), data: { reason: 'SB_SHUTDOWN' } } },
    ]);
  });

  it('a call the server side refuses is not left open, and closing tells the owner once', async () => {
    const server = fakeServer();
    server.t.send = async () => {
      throw new Error('closed');
    };
    const ledger = new CallLedger(server.t);
    let finished = 0;
    ledger.onfinish = () => finished++;
    await expect(ledger.send(call(1))).rejects.toThrow('closed');
    expect(ledger.waiting).toBe(0);
    await ledger.close();
    await ledger.close();
    expect(finished).toBe(1);
  });
});
