import { describe, expect, it } from 'vitest';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import type { Message } from '../jsonrpc.js';
import type { Transport } from '../transport.js';
import { META } from '../protocol.js';
import { ModernFront } from './modern-front.js';
import { modernTranslator } from './modern-translator.js';
import { UpstreamHttpError } from '../remote/errors.js';
import { Multiplexer } from '../mux/multiplexer.js';
import type { UpstreamTransport } from '../upstream/upstream.js';

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

  it('refuses a push on the shared connection: the client that is surely its own gets -32021', async () => {
    const server = scripted((m, reply) => {
      if ((m as { method?: string }).method === 'tools/call') reply({ jsonrpc: '2.0', id: 'srv-2', method: 'sampling/createMessage', params: {} });
    });
    const t = new ModernFront(() => init, { sharedBusy: () => 1 }).layer()(server.client);
    const d = await drive(t);
    await t.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x', _meta: { ...envelope, [META.clientCapabilities]: {} } } });
    expect(await d.next((m) => 'error' in m)).toMatchObject({ id: 1, error: { code: -32021, data: { requiredCapabilities: { sampling: {} } } } });
    expect(server.received.find((m) => (m as { id?: unknown }).id === 'srv-2')).toMatchObject({ error: { code: -32021, message: expect.stringContaining('sampling') } });
  });

  it('when the shared connection is busy with others, leaves the refusal to the server (it knows whose call it is)', async () => {
    let callId: unknown;
    const server = scripted((m, reply) => {
      const r = m as { id?: unknown; method?: string; error?: { message: string } };
      if (r.method === 'tools/call') {
        callId = r.id;
        reply({ jsonrpc: '2.0', id: 'srv-3', method: 'sampling/createMessage', params: {} });
      } else if (r.id === 'srv-3') reply({ jsonrpc: '2.0', id: callId, result: { content: [{ type: 'text', text: `refused: ${r.error?.message}` }], isError: true } });
    });
    const t = new ModernFront(() => init, { sharedBusy: () => 2 }).layer()(server.client);
    const d = await drive(t);
    await t.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x', _meta: { ...envelope, [META.clientCapabilities]: {} } } });
    expect(await d.next((m) => 'result' in m)).toMatchObject({ id: 1, result: { isError: true, content: [{ text: expect.stringContaining('sampling') }] } });
  });
});

/**
 * A 2025 server behind the front's pool: every connection is a real Multiplexer over a scripted server, which
 * answers initialize and hands the rest to `onCall(message, reply, connection number)`.
 */
function pooled(onCall: (m: Message, reply: (r: unknown) => void, conn: number) => void, pool: { max?: number } = {}) {
  let conns = 0;
  const closed: number[] = [];
  const declared: Array<Record<string, unknown>> = [];
  const connect = (capabilities: Record<string, unknown>) => {
    declared.push(capabilities);
    const n = ++conns;
    const s = scripted((m, reply) => {
      const r = m as { id?: unknown; method?: string };
      if (r.method === 'initialize') return reply({ jsonrpc: '2.0', id: r.id, result: init });
      if (r.method === 'notifications/initialized') return;
      onCall(m, reply, n);
    });
    const mux = new Multiplexer(s.client as UpstreamTransport, { clientCapabilities: capabilities });
    const close = mux.close.bind(mux);
    mux.close = () => {
      closed.push(n);
      return close();
    };
    return mux;
  };
  const shared = scripted(() => {});
  const front = new ModernFront(() => init, { connect, gatherMs: 30, sharedBusy: () => 0, pool });
  const request = async () => {
    const t = front.layer()(shared.client);
    return { t, ...(await drive(t)) };
  };
  return { front, request, connections: () => conns, closed, declared };
}

type InputRequired = { id: unknown; result: { resultType: string; requestState: string; inputRequests: Record<string, { method: string; params?: Record<string, unknown> }> } };
const call = (id: string, name: string, extra: Record<string, unknown> = {}) => ({ jsonrpc: '2.0' as const, id, method: 'tools/call', params: { name, arguments: {}, ...extra, _meta: envelope } });

describe('ModernFront: calls that may be asked for input get a connection of their own', () => {
  it('keys each input request by the server’s request id, drops the server’s progressToken, and resumes on the retry', async () => {
    let callId: unknown;
    const p = pooled((m, reply) => {
      const r = m as { id?: unknown; method?: string; result?: { action: string } };
      if (r.method === 'tools/call') {
        callId = r.id;
        reply({ jsonrpc: '2.0', id: 'srv-1', method: 'elicitation/create', params: { message: 'sure?', requestedSchema: { type: 'object' }, _meta: { progressToken: 7 } } });
      } else if (r.id === 'srv-1') reply({ jsonrpc: '2.0', id: callId, result: { content: [{ type: 'text', text: `user said ${r.result?.action}` }] } });
    });
    const a = await p.request();
    await a.t.send(call('r1', 'confirm'));
    const asked = (await a.next((m) => 'result' in m)) as InputRequired;
    expect(asked).toMatchObject({ id: 'r1', result: { resultType: 'input_required', inputRequests: { 'srv-1': { method: 'elicitation/create', params: { message: 'sure?' } } } } });
    expect(asked.result.inputRequests['srv-1']!.params!._meta).toBeUndefined();
    await a.t.close();
    expect(p.front.parked.size).toBe(1);

    const b = await p.request();
    await b.t.send(call('r2', 'confirm', { inputResponses: { 'srv-1': { action: 'accept' } }, requestState: asked.result.requestState }));
    expect(await b.next((m) => 'result' in m)).toMatchObject({ id: 'r2', result: { content: [{ type: 'text', text: 'user said accept' }], resultType: 'complete' } });
    expect(p.front.parked.size).toBe(0);
    expect(p.connections()).toBeLessThanOrEqual(2); // the one lent, and a spare opened meanwhile
    expect(p.closed).toEqual([]); // given back to the pool, not closed
  });

  it('gathers the requests a server sends at once into one input_required round', async () => {
    let callId: unknown;
    const answers: Record<string, unknown> = {};
    const p = pooled((m, reply) => {
      const r = m as { id?: string; method?: string; result?: unknown };
      if (r.method === 'tools/call') {
        callId = r.id;
        reply({ jsonrpc: '2.0', id: 'e', method: 'elicitation/create', params: { message: 'name?' } });
        reply({ jsonrpc: '2.0', id: 's', method: 'sampling/createMessage', params: { messages: [], maxTokens: 5 } });
        reply({ jsonrpc: '2.0', id: 'r', method: 'roots/list' });
        return;
      }
      answers[r.id!] = r.result;
      if (Object.keys(answers).length === 3) reply({ jsonrpc: '2.0', id: callId, result: { content: [{ type: 'text', text: JSON.stringify(answers) }] } });
    });
    const a = await p.request();
    await a.t.send({ ...call('r1', 'multi'), params: { ...call('r1', 'multi').params, _meta: { ...envelope, [META.clientCapabilities]: { elicitation: {}, sampling: {}, roots: {} } } } });
    const asked = (await a.next((m) => 'result' in m)) as InputRequired;
    expect(Object.fromEntries(Object.entries(asked.result.inputRequests).map(([k, v]) => [k, v.method]))).toEqual({ e: 'elicitation/create', s: 'sampling/createMessage', r: 'roots/list' });
    const b = await p.request();
    await b.t.send(call('r2', 'multi', { inputResponses: { e: { action: 'accept' }, s: { role: 'assistant' }, r: { roots: [] } }, requestState: asked.result.requestState }));
    expect(await b.next((m) => 'result' in m)).toMatchObject({ id: 'r2', result: { resultType: 'complete' } });
    expect(answers).toEqual({ e: { action: 'accept' }, s: { role: 'assistant' }, r: { roots: [] } });
  });

  it('refuses a tampered, unknown or foreign requestState with -32602, and the real owner can still resume', async () => {
    let callId: unknown;
    const p = pooled((m, reply) => {
      const r = m as { id?: unknown; method?: string };
      if (r.method === 'tools/call') {
        callId = r.id;
        reply({ jsonrpc: '2.0', id: 'q', method: 'elicitation/create', params: { message: '?' } });
      } else if (r.id === 'q') reply({ jsonrpc: '2.0', id: callId, result: { content: [] } });
    });
    const a = await p.request();
    await a.t.send(call('r1', 'confirm'));
    const state = ((await a.next((m) => 'result' in m)) as InputRequired).result.requestState;
    const attempts: Array<[string, Record<string, unknown>]> = [
      ['tampered', { name: 'confirm', requestState: `${state}-TAMPERED` }],
      ['another tool', { name: 'other', requestState: state }],
    ];
    for (const [why, params] of attempts) {
      const x = await p.request();
      await x.t.send(call(`x-${why}`, params.name as string, { inputResponses: { q: { action: 'accept' } }, requestState: params.requestState }));
      expect(await x.next((m) => 'error' in m), why).toMatchObject({ error: { code: -32602, message: expect.stringContaining('requestState') } });
    }
    // Another caller (a different AuthInfo.clientId) holding the handle.
    const y = await p.request();
    await y.t.send(call('y', 'confirm', { inputResponses: { q: { action: 'accept' } }, requestState: state }), { extra: { authInfo: { token: '', clientId: 'mallory', scopes: [] } } });
    expect(await y.next((m) => 'error' in m)).toMatchObject({ error: { code: -32602 } });
    const b = await p.request();
    await b.t.send(call('r2', 'confirm', { inputResponses: { q: { action: 'accept' } }, requestState: state }));
    expect(await b.next((m) => 'result' in m)).toMatchObject({ id: 'r2', result: { resultType: 'complete' } });
  });

  it('refuses a request for a capability the client did not declare with -32021, and discards that connection', async () => {
    const p = pooled((m, reply) => {
      if ((m as { method?: string }).method === 'tools/call') reply({ jsonrpc: '2.0', id: 'smp', method: 'sampling/createMessage', params: { messages: [], maxTokens: 1 } });
    });
    const a = await p.request();
    await a.t.send(call('r1', 'needs-sampling'));
    expect(await a.next((m) => 'error' in m)).toMatchObject({
      id: 'r1',
      error: { code: -32021, message: expect.stringContaining('sampling'), data: { requiredCapabilities: { sampling: {} } } },
    });
    expect(p.closed).toEqual([1]);
    // The server was told what this client declared (a 2025 server that honours it would not even have asked).
    expect(p.declared[0]).toEqual({ elicitation: {} });
  });

  it('gives concurrent calls their own questions and answers', async () => {
    const calls = new Map<number, { id: unknown; who: string }>();
    const p = pooled((m, reply, conn) => {
      const r = m as { id?: unknown; method?: string; params?: { arguments?: { who?: string } }; result?: { content?: { name?: string } } };
      if (r.method === 'tools/call') {
        calls.set(conn, { id: r.id, who: r.params!.arguments!.who! });
        // Same server-side id on every connection: keys only need to be unique per call.
        reply({ jsonrpc: '2.0', id: 0, method: 'elicitation/create', params: { message: `who are you, ${r.params!.arguments!.who}?` } });
      } else {
        const c = calls.get(conn)!;
        reply({ jsonrpc: '2.0', id: c.id, result: { content: [{ type: 'text', text: `${c.who} is ${r.result?.content?.name}` }] } });
      }
    });
    const flows = ['ada', 'bob', 'cy', 'dee'];
    const firsts = await Promise.all(
      flows.map(async (who) => {
        const x = await p.request();
        await x.t.send({ jsonrpc: '2.0', id: who, method: 'tools/call', params: { name: 'whoami', arguments: { who }, _meta: envelope } });
        return (await x.next((m) => 'result' in m)) as InputRequired;
      }),
    );
    const finals = await Promise.all(
      flows.map(async (who, i) => {
        const asked = firsts[i]!;
        const [key, req] = Object.entries(asked.result.inputRequests)[0]!;
        expect(req.params!.message).toBe(`who are you, ${who}?`);
        const x = await p.request();
        await x.t.send({ jsonrpc: '2.0', id: `${who}-2`, method: 'tools/call', params: { name: 'whoami', arguments: { who }, inputResponses: { [key]: { action: 'accept', content: { name: who.toUpperCase() } } }, requestState: asked.result.requestState, _meta: envelope } });
        return (await x.next((m) => 'result' in m)) as { result: { content: Array<{ text: string }> } };
      }),
    );
    expect(finals.map((f) => f.result.content[0]!.text)).toEqual(flows.map((w) => `${w} is ${w.toUpperCase()}`));
    expect(calls.size).toBe(4); // one connection per call
  });

  it('when every pooled connection is taken, abandons the call that waited longest for its retry', async () => {
    const p = pooled((m, reply, conn) => {
      if ((m as { method?: string }).method === 'tools/call') reply({ jsonrpc: '2.0', id: `ask-${conn}`, method: 'elicitation/create', params: { message: '?' } });
    }, { max: 2 });
    for (const id of ['a', 'b']) {
      const x = await p.request();
      await x.t.send(call(id, 'confirm'));
      await x.next((m) => 'result' in m);
    }
    expect(p.front.parked.size).toBe(2);
    const c = await p.request();
    await c.t.send(call('c', 'confirm'));
    expect(await c.next((m) => 'result' in m)).toMatchObject({ id: 'c', result: { resultType: 'input_required' } });
    expect(p.front.parked.size).toBe(2);
    expect(p.closed).toHaveLength(1); // the first call's connection
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
