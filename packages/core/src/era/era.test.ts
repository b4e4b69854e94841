import { describe, expect, it } from 'vitest';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import type { Message } from '../jsonrpc.js';
import type { Transport } from '../transport.js';
import { META } from '../protocol.js';
import { ModernFront } from './modern-front.js';
import { modernTranslator } from './modern-translator.js';
import { UpstreamHttpError } from '../remote/errors.js';

type Handler = (m: Message, reply: (r: unknown) => void) => void;

/** A scripted server behind an in-memory pair: `handle` sees each message, `reply` answers on the same pair. */
function scripted(handle: Handler): { client: Transport; received: Message[]; push: (m: unknown) => void } {
  const [client, server] = InMemoryTransport.createLinkedPair();
  const received: Message[] = [];
  server.onmessage = (m) => {
    received.push(m as Message);
    handle(m as Message, (r) => void server.send(r as never));
  };
  void server.start();
  return { client, received, push: (m) => void server.send(m as never) };
}

/** Drives a transport as a client would: collects what comes back. */
async function drive(t: Transport) {
  const got: Message[] = [];
  t.onmessage = (m) => got.push(m as Message);
  await t.start();
  const next = async (pred: (m: Message) => boolean, ms = 2000) => {
    const end = Date.now() + ms;
    for (;;) {
      const i = got.findIndex(pred);
      if (i >= 0) return got.splice(i, 1)[0]!;
      if (Date.now() > end) throw new Error(`nothing matching after ${ms} ms; got ${JSON.stringify(got)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  return { got, next };
}

const envelope = { [META.protocolVersion]: '2026-07-28', [META.clientInfo]: { name: 'c', version: '1' }, [META.clientCapabilities]: { elicitation: {} } };
const init = { protocolVersion: '2025-11-25', capabilities: { tools: { listChanged: true } }, serverInfo: { name: 'old', version: '1' } };

describe('ModernFront: 2026-07-28 requests served by a 2025 server', () => {
  it('answers server/discover from the initialize result, with cache hints', async () => {
    const server = scripted(() => {});
    const t = new ModernFront(() => init).layer()(server.client);
    const d = await drive(t);
    await t.send({ jsonrpc: '2.0', id: 'd', method: 'server/discover', params: { _meta: envelope } });
    const r = await d.next((m) => 'result' in m);
    expect(r).toMatchObject({ id: 'd', result: { supportedVersions: ['2026-07-28'], capabilities: init.capabilities, resultType: 'complete', ttlMs: 0, cacheScope: 'private' } });
    expect((r as { result: { _meta: Record<string, unknown> } }).result._meta[META.serverInfo]).toEqual(init.serverInfo);
    expect(server.received).toEqual([]);
  });

  it('strips the envelope on the way to the server and marks the result complete', async () => {
    const server = scripted((m, reply) => reply({ jsonrpc: '2.0', id: (m as { id: number }).id, result: { content: [] } }));
    const t = new ModernFront(() => init).layer()(server.client);
    const d = await drive(t);
    await t.send({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'x', arguments: {}, _meta: { ...envelope, progressToken: 'p' } } });
    expect(await d.next((m) => 'result' in m)).toMatchObject({ id: 5, result: { content: [], resultType: 'complete' } });
    expect(server.received[0]).toEqual({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'x', arguments: {}, _meta: { progressToken: 'p' } } });
  });

  it('refuses a method that 2026-07-28 does not have, without bothering the server', async () => {
    const server = scripted(() => {});
    const t = new ModernFront(() => init).layer()(server.client);
    const d = await drive(t);
    await t.send({ jsonrpc: '2.0', id: 1, method: 'no/such', params: { _meta: envelope } });
    expect(await d.next((m) => 'error' in m)).toMatchObject({ id: 1, error: { code: -32601 } });
    expect(server.received).toEqual([]);
  });

  it('a server→client request becomes input_required, and the retry resumes the same call', async () => {
    let callId: unknown;
    const server = scripted((m, reply) => {
      const r = m as { id?: unknown; method?: string; result?: { action: string } };
      if (r.method === 'tools/call') {
        callId = r.id;
        reply({ jsonrpc: '2.0', id: 'srv-1', method: 'elicitation/create', params: { message: 'sure?', requestedSchema: { type: 'object' } } });
      } else if (r.id === 'srv-1') reply({ jsonrpc: '2.0', id: callId, result: { content: [{ type: 'text', text: `user said ${r.result?.action}` }] } });
    });
    const front = new ModernFront(() => init);
    const first = front.layer()(server.client);
    const a = await drive(first);
    await first.send({ jsonrpc: '2.0', id: 'r1', method: 'tools/call', params: { name: 'confirm', _meta: envelope } });
    const asked = (await a.next((m) => 'result' in m)) as { id: string; result: { resultType: string; requestState: string; inputRequests: Record<string, { method: string }> } };
    expect(asked.id).toBe('r1');
    expect(asked.result.resultType).toBe('input_required');
    const [key, req] = Object.entries(asked.result.inputRequests)[0]!;
    expect(req.method).toBe('elicitation/create');
    await first.close(); // the first request's stream ends; the call waits for the retry
    expect(front.parked.size).toBe(1);

    const retry = front.layer()(scripted(() => {}).client);
    const b = await drive(retry);
    await retry.send({ jsonrpc: '2.0', id: 'r2', method: 'tools/call', params: { name: 'confirm', inputResponses: { [key]: { action: 'accept' } }, requestState: asked.result.requestState, _meta: envelope } });
    expect(await b.next((m) => 'result' in m)).toMatchObject({ id: 'r2', result: { content: [{ type: 'text', text: 'user said accept' }], resultType: 'complete' } });
    expect(front.parked.size).toBe(0);
  });

  it('refuses input the client did not declare it can give', async () => {
    const server = scripted((m, reply) => {
      if ((m as { method?: string }).method === 'tools/call') reply({ jsonrpc: '2.0', id: 'srv-2', method: 'sampling/createMessage', params: {} });
    });
    const t = new ModernFront(() => init).layer()(server.client);
    await drive(t);
    await t.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x', _meta: envelope } });
    await new Promise((r) => setTimeout(r, 50));
    expect(server.received.find((m) => (m as { id?: unknown }).id === 'srv-2')).toMatchObject({ error: { code: -32601, message: expect.stringContaining('sampling') } });
  });
});

describe('ModernTranslator: a 2025 client in front of a 2026-07-28-only server', () => {
  /** A 2026-only server as the remote transport reports it: a 2025 initialize is refused with -32022. */
  function modernRemote(onCall: Handler) {
    const s = scripted((m, reply) => {
      const r = m as { id?: unknown; method?: string };
      if (r.method === 'server/discover') return reply({ jsonrpc: '2.0', id: r.id, result: { supportedVersions: ['2026-07-28'], capabilities: { tools: {} }, serverInfo: { name: 'new', version: '2' } } });
      onCall(m, reply);
    });
    const send = s.client.send.bind(s.client);
    s.client.send = async (m, o) => {
      if ((m as { method?: string }).method === 'initialize') {
        throw new UpstreamHttpError('http://x/mcp', 400, 'Unsupported protocol version', '{"jsonrpc":"2.0","id":1,"error":{"code":-32022,"message":"Unsupported protocol version"}}');
      }
      return send(m, o);
    };
    return s;
  }

  it('passes everything through untouched while the server speaks 2025', async () => {
    const server = scripted((m, reply) => reply({ jsonrpc: '2.0', id: (m as { id: number }).id, result: { protocolVersion: '2025-11-25', capabilities: {}, serverInfo: { name: 'old', version: '1' } } }));
    const t = modernTranslator()(server.client);
    const d = await drive(t);
    const initialize = { jsonrpc: '2.0' as const, id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' } } };
    await t.send(initialize);
    expect(await d.next((m) => 'result' in m)).toMatchObject({ id: 1, result: { serverInfo: { name: 'old' } } });
    expect(server.received).toEqual([initialize]);
  });

  it('answers initialize from server/discover, envelopes each call, and turns input_required into a push and a retry', async () => {
    const calls: Message[] = [];
    const server = modernRemote((m, reply) => {
      const r = m as { id?: unknown; method?: string; params?: { inputResponses?: Record<string, { action: string }> } };
      if (r.method !== 'tools/call') return;
      calls.push(m);
      if (!r.params?.inputResponses) reply({ jsonrpc: '2.0', id: r.id, result: { resultType: 'input_required', inputRequests: { ok: { method: 'elicitation/create', params: { message: 'sure?' } } }, requestState: 'st' } });
      else reply({ jsonrpc: '2.0', id: r.id, result: { content: [{ type: 'text', text: r.params.inputResponses.ok!.action }], resultType: 'complete' } });
    });
    const t = modernTranslator()(server.client);
    const d = await drive(t);
    await t.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: { elicitation: {} }, clientInfo: { name: 'c', version: '1' } } });
    expect(await d.next((m) => 'result' in m)).toMatchObject({ id: 1, result: { protocolVersion: '2025-06-18', serverInfo: { name: 'new' } } });
    await t.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'confirm', arguments: {} } });
    const push = (await d.next((m) => (m as { method?: string }).method === 'elicitation/create')) as { id: string };
    await t.send({ jsonrpc: '2.0', id: push.id, result: { action: 'accept' } });
    expect(await d.next((m) => (m as { id?: unknown }).id === 2)).toMatchObject({ result: { content: [{ type: 'text', text: 'accept' }] } });
    expect(calls).toHaveLength(2);
    const meta = (calls[0] as { params: { _meta: Record<string, unknown> } }).params._meta;
    expect(meta[META.protocolVersion]).toBe('2026-07-28');
    expect(meta[META.clientCapabilities]).toEqual({ elicitation: {} });
    expect((calls[1] as { params: { requestState: string } }).params.requestState).toBe('st');
  });
});
