/**
 * Request ids through the bridge, in both isolation modes: an id still in flight cannot be reused (the duplicate
 * gets an error, the first call still completes); ids and progress tokens come back as the exact text the client
 * sent, also where JavaScript numbers cannot hold them; ids that are not a string or an integer get 400.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startBridge, until, type RunningBridge } from './helpers/bridge.js';
import { openSession, post } from './helpers/http.js';

const FIXTURE = [process.execPath, `${ROOT}test/fixtures/echo-server.mjs`];
const BIG = '1152921504606846976'; // 2^60: a JavaScript number rounds it to …847000

for (const isolation of ['shared', 'per-session'] as const) {
  describe(`ids (--isolation ${isolation})`, () => {
    let bridge: RunningBridge;
    let sid: string;
    beforeAll(async () => {
      bridge = await startBridge(['--log-level', 'warn', '--isolation', isolation], FIXTURE);
      sid = await openSession(bridge.url);
    });
    afterAll(async () => {
      await bridge?.stop();
    });
    const call = (body: string | object) => post(bridge.url, body, { 'mcp-session-id': sid });

    it('a duplicate of an id in flight gets an error at once; the first call still completes', async () => {
      const first = call({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'sleep', arguments: { ms: 1500 } } });
      // Give the first request time to be registered (it is in flight for 1.5 s).
      await new Promise((r) => setTimeout(r, 300));
      const started = Date.now();
      const dup = await call({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'echo', arguments: { x: 1 } } });
      expect(dup.status).toBe(200);
      expect(dup.messages).toEqual([{ jsonrpc: '2.0', id: 5, error: { code: -32600, message: expect.stringMatching(/already used by a request still in flight/) } }]);
      expect(Date.now() - started).toBeLessThan(1000);
      const r = await first;
      expect(r.messages.at(-1)).toMatchObject({ id: 5, result: { content: [{ text: 'slept 1500' }] } });
      // Once answered, the id is free again.
      const again = await call({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'echo', arguments: { x: 2 } } });
      expect(again.messages.at(-1)).toMatchObject({ id: 5, result: { structuredContent: { args: { x: 2 } } } });
    });

    for (const id of ['1e400', BIG, '-9007199254740993', '"text-id"', '0']) {
      it(`id ${id} comes back byte-identical`, async () => {
        const r = await call(`{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"echo","arguments":{"n":1}}}`);
        expect(r.status).toBe(200);
        expect(r.text).toMatch(new RegExp(`"id":${id.replace(/[+.]/g, '\\$&')}[,}]`));
        expect(r.messages.at(-1).result.structuredContent.args).toEqual({ n: 1 });
      });
    }

    it(`progress tokens cross exactly too (${BIG})`, async () => {
      const r = await call(`{"jsonrpc":"2.0","id":${BIG},"method":"tools/call","params":{"name":"sleep","arguments":{"ms":100},"_meta":{"progressToken":${BIG}}}}`);
      expect(r.status).toBe(200);
      expect(r.text).toContain(`"progressToken":${BIG},`);
      expect(r.text).toContain(`"id":${BIG}`);
    });

    for (const [what, body] of [
      ['a float id', '{"jsonrpc":"2.0","id":1.5,"method":"ping"}'],
      ['an object id', '{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}'],
      ['an array id', '{"jsonrpc":"2.0","id":[1],"method":"ping"}'],
      ['a boolean id', '{"jsonrpc":"2.0","id":true,"method":"ping"}'],
      ['a null request id', '{"jsonrpc":"2.0","id":null,"method":"ping"}'],
      ['an object progressToken', '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"_meta":{"progressToken":{"a":1}}}}'],
      ['an array progressToken', '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"_meta":{"progressToken":[]}}}'],
      ['a boolean progressToken', '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"_meta":{"progressToken":false}}}'],
      ['a float progressToken', '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"_meta":{"progressToken":0.5}}}'],
    ] as const) {
      it(`${what} → 400 with a JSON-RPC error`, async () => {
        const r = await call(body);
        expect(r.status).toBe(400);
        expect(r.messages).toEqual([{ jsonrpc: '2.0', id: null, error: { code: -32600, message: expect.stringMatching(/Invalid Request/) } }]);
      });
    }
  });
}

describe('ids over legacy SSE (--isolation per-session: no multiplexer in between)', () => {
  let bridge: RunningBridge;
  beforeAll(async () => {
    bridge = await startBridge(['--log-level', 'warn', '--isolation', 'per-session'], FIXTURE);
  });
  afterAll(async () => {
    await bridge?.stop();
  });

  it('a duplicate of an id in flight gets an error on the stream at once; the first call still completes', async () => {
    const ctrl = new AbortController();
    const res = await fetch(`${bridge.base}/sse`, { headers: { accept: 'text/event-stream' }, signal: ctrl.signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    // Every JSON-RPC message the stream has carried so far.
    const messages = () => [...text.matchAll(/^data: (\{.*)\n/gm)].map((m) => JSON.parse(m[1]!));
    const pump = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        text += decoder.decode(value, { stream: true });
      }
    })();
    try {
      const endpoint = await until(() => /event: endpoint\ndata: (.*)\n/.exec(text)?.[1], { timeoutMs: 10_000, what: 'the endpoint event' });
      const postTo = (body: object) => fetch(new URL(endpoint, bridge.base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      await postTo({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'ids', version: '1' } } });
      await until(() => messages().some((m) => m.id === 1), { timeoutMs: 30_000, what: 'the initialize answer' });
      await postTo({ jsonrpc: '2.0', method: 'notifications/initialized' });
      await postTo({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'sleep', arguments: { ms: 1500 } } });
      await postTo({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'echo', arguments: { x: 1 } } });
      const dup = await until(() => messages().find((m) => m.id === 5 && m.error), { timeoutMs: 5_000, what: 'the duplicate refused' });
      expect(dup.error).toEqual({ code: -32600, message: expect.stringMatching(/already used by a request still in flight/) });
      // The first call's answer arrives after, and it is the sleep's (the echo never reached the server).
      const first = await until(() => messages().find((m) => m.id === 5 && m.result), { timeoutMs: 15_000, what: 'the first call answered' });
      expect(first.result.content[0].text).toBe('slept 1500');
      expect(messages().filter((m) => m.id === 5)).toHaveLength(2);
    } finally {
      ctrl.abort();
      await pump;
    }
  });
});
