/**
 * Raw fidelity: what a client sends reaches the server unchanged and the answer comes back unchanged —
 * ids of both types, _meta, cursors, unknown methods, 10 MB messages, cancellations — in both
 * isolation modes; noise on the server's stdout never reaches the client; a dropped stream resumes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startBridge, until, type RunningBridge } from './helpers/bridge.js';
import { ACCEPT_BOTH, openSession, parseMessages, post } from './helpers/http.js';

const FIXTURE = [process.execPath, `${ROOT}test/fixtures/echo-server.mjs`];

for (const mode of ['per-session', 'shared'] as const) {
  describe(`fidelity (${mode})`, () => {
    let bridge: RunningBridge;
    let sid: string;
    const call = (body: unknown) => post(bridge.url, body, { 'mcp-session-id': sid });
    beforeAll(async () => {
      bridge = await startBridge(['--log-level', 'info', '--isolation', mode], FIXTURE);
      sid = await openSession(bridge.url);
    });
    afterAll(async () => {
      await bridge?.stop();
    });

    it('unknown methods, string and numeric ids, _meta and params cross unchanged', async () => {
      const params = { cursor: 'c-1', nested: { a: [1, 'two', null, { deep: true }] }, _meta: { traceparent: '00-abc-def-01', 'x.custom/key': 42 } };
      for (const id of ['str-id-ü', 7, 0, 'a'.repeat(200)]) {
        const r = await call({ jsonrpc: '2.0', id, method: 'vendor/custom-method', params });
        expect(r.status).toBe(200);
        const m = r.messages.at(-1);
        expect(m.id).toStrictEqual(id);
        expect(m.result.echo).toStrictEqual({ method: 'vendor/custom-method', params });
      }
    });

    it('pagination cursors survive', async () => {
      const first = (await call({ jsonrpc: '2.0', id: 1, method: 'tools/list' })).messages.at(-1);
      expect(first.result.nextCursor).toBe('page-2');
      const second = (await call({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: { cursor: first.result.nextCursor } })).messages.at(-1);
      expect(second.result.nextCursor).toBeUndefined();
      expect(second.result.tools.length).toBeGreaterThan(0);
    });

    it('a 10 MB message crosses both ways', async () => {
      const big = 'ü'.repeat(5 * 1024 * 1024); // 10 MB of UTF-8: multi-byte sequences split across reads
      const r = await call({ jsonrpc: '2.0', id: 'big', method: 'tools/call', params: { name: 'echo', arguments: { big } } });
      expect(r.status).toBe(200);
      const m = r.messages.at(-1);
      expect(m.result.structuredContent.args.big.length).toBe(big.length);
      expect(m.result.structuredContent.args.big === big).toBe(true);
    });

    it('non-JSON lines on the server stdout are logged, not forwarded', async () => {
      const r = await call({ jsonrpc: '2.0', id: 'n', method: 'tools/call', params: { name: 'noise', arguments: {} } });
      expect(r.messages.map((m) => m.id)).toEqual(['n']);
      // The log line travels on the bridge's stderr pipe, which may lag the HTTP answer.
      await until(() => bridge.stderr().includes('non-JSON line'), { timeoutMs: 3000 });
      const again = await call({ jsonrpc: '2.0', id: 'n2', method: 'ping' });
      expect(again.messages.at(-1).result).toEqual({});
    });

    it('notifications/cancelled reaches the server for the right request', async () => {
      const pending = call({ jsonrpc: '2.0', id: 'to-cancel', method: 'tools/call', params: { name: 'sleep', arguments: { ms: 600 } } });
      await new Promise((r) => setTimeout(r, 100));
      const c = await call({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'to-cancel', reason: 'test' } });
      expect(c.status).toBe(202);
      await pending;
      // The server logs what it received on stderr, which the bridge logs: the reason arrived intact.
      const deadline = Date.now() + 3000;
      while (!bridge.stderr().includes('"reason\\":\\"test\\"') && !bridge.stderr().includes('reason":"test') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(bridge.stderr()).toMatch(/cancelled .*test/);
    });

    it('progress notifications ride the request stream, in order, with the client token', async () => {
      const r = await call({ jsonrpc: '2.0', id: 'p', method: 'tools/call', params: { name: 'sleep', arguments: { ms: 200 }, _meta: { progressToken: 'tok-1' } } });
      const progress = r.messages.filter((m) => m.method === 'notifications/progress');
      expect(progress.length).toBe(4);
      expect(progress.every((p) => p.params.progressToken === 'tok-1')).toBe(true);
      expect(progress.map((p) => p.params.progress)).toEqual([1, 2, 3, 4]);
      expect(r.messages.at(-1).id).toBe('p');
    });

    it('list_changed reaches the client on its GET stream', async () => {
      const ctrl = new AbortController();
      const res = await fetch(bridge.url, { headers: { accept: 'text/event-stream', 'mcp-session-id': sid }, signal: ctrl.signal });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-accel-buffering')).toBe('no');
      const reader = res.body!.getReader();
      await call({ jsonrpc: '2.0', id: 'lc', method: 'tools/call', params: { name: 'notify-changed', arguments: {} } });
      let text = '';
      const deadline = Date.now() + 3000;
      while (!text.includes('list_changed') && Date.now() < deadline) {
        const { value, done } = await Promise.race([reader.read(), new Promise<{ value: undefined; done: true }>((r) => setTimeout(() => r({ value: undefined, done: true }), 3000))]);
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      ctrl.abort();
      // Either on the GET stream or on the call's own stream is allowed; with a GET open we use it.
      expect(text).toContain('notifications/tools/list_changed');
    });

    it('a dropped POST stream is not a cancel: it resumes with Last-Event-ID', async () => {
      const ctrl = new AbortController();
      const res = await fetch(bridge.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: ACCEPT_BOTH, 'mcp-session-id': sid },
        body: JSON.stringify({ jsonrpc: '2.0', id: 'resume-me', method: 'tools/call', params: { name: 'sleep', arguments: { ms: 500 }, _meta: { progressToken: 'r' } } }),
        signal: ctrl.signal,
      });
      const reader = res.body!.getReader();
      let text = '';
      while (!/id: \S+/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
      const lastId = /id: (\S+)/.exec(text)![1]!;
      ctrl.abort();
      await new Promise((r) => setTimeout(r, 700)); // the call finishes while nobody listens
      const resumed = await fetch(bridge.url, { headers: { accept: 'text/event-stream', 'mcp-session-id': sid, 'last-event-id': lastId } });
      expect(resumed.status).toBe(200);
      const body = await resumed.text(); // the stream ends once its response is delivered
      const msgs = parseMessages('text/event-stream', body);
      expect(msgs.at(-1).id).toBe('resume-me');
      expect(msgs.at(-1).result.content[0].text).toBe('slept 500');
      expect(msgs.filter((m) => m.method === 'notifications/progress').length).toBeGreaterThan(0);
    });
  });
}
