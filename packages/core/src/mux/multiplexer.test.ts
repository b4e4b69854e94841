import { describe, expect, it } from 'vitest';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import type { Message } from '../jsonrpc.js';
import { Multiplexer } from './multiplexer.js';

/** A scripted server on the far side of an in-memory pair: records what it gets, answers by rule. */
function fakeServer(onRequest: (m: Message & { id: number; method: string }, send: (m: unknown) => void) => void) {
  const [client, server] = InMemoryTransport.createLinkedPair();
  const seen: Message[] = [];
  const send = (m: unknown) => void server.send(m as never);
  server.onmessage = (m) => {
    seen.push(m as Message);
    const r = m as Message & { id: number; method: string };
    if (r.method === 'initialize') return send({ jsonrpc: '2.0', id: r.id, result: { protocolVersion: '2025-11-25', capabilities: { tools: { listChanged: true } }, serverInfo: { name: 'fake', version: '1' } } });
    if ('id' in r && 'method' in r) onRequest(r, send);
  };
  void server.start();
  return { upstream: client, seen, send };
}

function collect(lane: { onmessage?: (m: never) => void }) {
  const got: Message[] = [];
  lane.onmessage = (m) => void got.push(m);
  return got;
}

const tick = () => new Promise((r) => setTimeout(r, 10));

describe('Multiplexer', () => {
  it('keeps colliding client ids apart and restores them', async () => {
    const { upstream } = fakeServer((m, send) => send({ jsonrpc: '2.0', id: m.id, result: { echo: (m.params as { v: string }).v } }));
    const shared = new Multiplexer(upstream);
    const a = shared.lane();
    const b = shared.lane();
    const gotA = collect(a);
    const gotB = collect(b);
    await a.send({ jsonrpc: '2.0', id: 1, method: 'x', params: { v: 'a' } } as never);
    await b.send({ jsonrpc: '2.0', id: 1, method: 'x', params: { v: 'b' } } as never);
    await tick();
    expect(gotA).toEqual([{ jsonrpc: '2.0', id: 1, result: { echo: 'a' } }]);
    expect(gotB).toEqual([{ jsonrpc: '2.0', id: 1, result: { echo: 'b' } }]);
  });

  it('answers a duplicate of an id in flight with an error; the first call keeps its answer', async () => {
    let first: { id: number } | undefined;
    const { upstream, seen, send } = fakeServer((m) => {
      first ??= m;
    });
    const shared = new Multiplexer(upstream);
    const a = shared.lane();
    const got = collect(a);
    await a.send({ jsonrpc: '2.0', id: 7, method: 'x', params: { v: 1 } } as never);
    await a.send({ jsonrpc: '2.0', id: 7, method: 'x', params: { v: 2 } } as never);
    await tick();
    expect(got).toEqual([{ jsonrpc: '2.0', id: 7, error: { code: -32600, message: expect.stringMatching(/already used/) } }]);
    expect(seen.filter((m) => (m as { method?: string }).method === 'x')).toHaveLength(1);
    send({ jsonrpc: '2.0', id: first!.id, result: { ok: 1 } });
    await tick();
    expect(got.at(-1)).toEqual({ jsonrpc: '2.0', id: 7, result: { ok: 1 } });
  });

  it('never routes a server request to an internal lane, even while its call is the newest', async () => {
    const { upstream, send } = fakeServer(() => {}); // answers nothing: every call stays in flight
    const shared = new Multiplexer(upstream);
    const client = shared.lane();
    const probe = shared.lane({ internal: true });
    const gotClient = collect(client);
    const gotProbe = collect(probe);
    await client.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'ask' } } as never);
    await tick();
    await probe.send({ jsonrpc: '2.0', id: 'p', method: 'tools/list' } as never);
    await tick();
    send({ jsonrpc: '2.0', id: 'srv-1', method: 'elicitation/create', params: {} });
    await tick();
    expect(gotProbe).toEqual([]);
    expect(gotClient.map((m) => (m as { method?: string }).method)).toEqual(['elicitation/create']);
  });

  it('answers each client initialize from the cached result with the version it asked for', async () => {
    const { upstream, seen } = fakeServer(() => {});
    const shared = new Multiplexer(upstream);
    const a = shared.lane();
    const got = collect(a);
    await a.send({ jsonrpc: '2.0', id: 'i', method: 'initialize', params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'c', version: '1' } } } as never);
    await tick();
    expect((got[0] as { result: { protocolVersion: string } }).result.protocolVersion).toBe('2025-03-26');
    expect(seen.filter((m) => (m as { method?: string }).method === 'initialize')).toHaveLength(1);
  });

  it('routes progress by token, list_changed to everyone, and server requests to the newest caller', async () => {
    let pending: { id: number; token: string } | undefined;
    const { upstream, send } = fakeServer((m) => {
      pending = { id: m.id, token: String((m.params as { _meta?: { progressToken?: string } })._meta?.progressToken) };
    });
    const shared = new Multiplexer(upstream);
    const a = shared.lane();
    const b = shared.lane();
    const gotA = collect(a);
    const gotB = collect(b);
    await b.send({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { _meta: { progressToken: 'mine' } } } as never);
    await tick();
    expect(pending!.token).not.toBe('mine'); // rewritten so tokens of different clients cannot collide
    send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: pending!.token, progress: 1 } });
    send({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    send({ jsonrpc: '2.0', id: 'srv-1', method: 'sampling/createMessage', params: {} });
    await tick();
    expect(gotA.map((m) => (m as { method?: string }).method)).toEqual(['notifications/tools/list_changed']);
    expect(gotB.map((m) => (m as { method?: string }).method)).toEqual(['notifications/progress', 'notifications/tools/list_changed', 'sampling/createMessage']);
    expect((gotB[0] as { params: { progressToken: string } }).params.progressToken).toBe('mine');
  });

  it('cancels a closed lane\'s calls upstream and drops their late answers', async () => {
    let callId: number | undefined;
    const { upstream, seen, send } = fakeServer((m) => (callId = m.id));
    const shared = new Multiplexer(upstream);
    const a = shared.lane();
    const got = collect(a);
    await a.send({ jsonrpc: '2.0', id: 1, method: 'slow' } as never);
    await tick();
    await a.close();
    await tick();
    const cancel = seen.find((m) => (m as { method?: string }).method === 'notifications/cancelled') as { params: { requestId: number } } | undefined;
    expect(cancel?.params.requestId).toBe(callId);
    send({ jsonrpc: '2.0', id: callId, result: {} });
    await tick();
    expect(got).toEqual([]);
  });
});
