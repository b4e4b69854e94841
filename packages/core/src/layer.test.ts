import { describe, expect, it } from 'vitest';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { compose, LayerTransport, type Layer } from './layer.js';
import { pipe } from './pipe.js';
import type { Message } from './jsonrpc.js';
import type { SendOptions, Transport } from './transport.js';

/** A layer that records what crosses it, with the caller, and tags answers on the way back. */
function recording(name: string, seen: string[]): Layer {
  return (next) =>
    new (class extends LayerTransport {
      protected override toServer(m: Parameters<Transport['send']>[0], o?: SendOptions) {
        seen.push(`${name}→${(m as { method?: string }).method}:${o?.extra?.authInfo?.clientId ?? '-'}`);
        return this.next.send(m, o);
      }
      protected override toClient(m: Parameters<NonNullable<Transport['onmessage']>>[0]) {
        seen.push(`${name}←${String((m as { id?: unknown }).id)}`);
        this.onmessage?.(m);
      }
    })(next);
}

function echoServer(): Transport {
  const [client, server] = InMemoryTransport.createLinkedPair();
  server.onmessage = (m) => {
    const r = m as Message & { id?: number };
    if (r.id !== undefined) void server.send({ jsonrpc: '2.0', id: r.id, result: { ok: true } } as never);
  };
  void server.start();
  return client;
}

describe('layers and the pipe', () => {
  it('compose(a, b) puts a nearest the client, and both see the caller on every message', async () => {
    const seen: string[] = [];
    const [down, host] = InMemoryTransport.createLinkedPair();
    const up = compose(recording('a', seen), recording('b', seen))(echoServer());
    pipe(down, up);
    await up.start();
    await down.start();
    const answered = new Promise<Message>((r) => (host.onmessage = (m) => r(m as Message)));
    await host.start();
    await host.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x' } }, { authInfo: { token: '', clientId: 'alice', scopes: [] } } as never);
    expect(await answered).toMatchObject({ id: 1, result: { ok: true } });
    expect(seen).toEqual(['a→tools/call:alice', 'b→tools/call:alice', 'b←1', 'a←1']);
  });

  it('a request the server side cannot take is answered with an error, not dropped', async () => {
    const [down, host] = InMemoryTransport.createLinkedPair();
    const broken: Transport = { start: async () => {}, close: async () => {}, send: async () => Promise.reject(new Error('server gone')) };
    pipe(down, broken);
    await down.start();
    const answered = new Promise<Message>((r) => (host.onmessage = (m) => r(m as Message)));
    await host.start();
    await host.send({ jsonrpc: '2.0', id: 7, method: 'tools/list' });
    expect(await answered).toMatchObject({ id: 7, error: { code: -32603, message: 'server gone' } });
  });

  it('closing one side closes the other', async () => {
    const [down] = InMemoryTransport.createLinkedPair();
    const up = echoServer();
    let upClosed = false;
    const wrapped = new LayerTransport(up);
    const close = wrapped.close.bind(wrapped);
    wrapped.close = async () => {
      upClosed = true;
      await close();
    };
    const p = pipe(down, wrapped);
    await down.close();
    await p.closed;
    expect(upClosed).toBe(true);
  });
});
