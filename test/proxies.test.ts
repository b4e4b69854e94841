/**
 * The README's nginx and Caddy snippets, run for real with the bridge behind a /tools/ prefix:
 * sessions work end to end over Streamable HTTP and legacy SSE, the SSE endpoint event carries the
 * prefix, and streams arrive unbuffered (progress before the result; keep-alives on an idle stream).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { ROOT, startBridge, type RunningBridge } from './helpers/bridge.js';
import { ACCEPT_BOTH, initBody, post } from './helpers/http.js';
import { startCaddy, startNginx, type RunningProxy } from './helpers/proxies.js';

const FIXTURE = [process.execPath, `${ROOT}test/fixtures/echo-server.mjs`];

for (const [name, start] of [
  ['nginx', startNginx],
  ['caddy', startCaddy],
] as const) {
  describe(`behind ${name} at /tools/`, () => {
    let bridge: RunningBridge;
    let proxy: RunningProxy;
    let base: string;
    beforeAll(async () => {
      bridge = await startBridge(['--log-level', 'warn', '--trust-proxy', '--keepalive', '300ms'], FIXTURE);
      proxy = await start(bridge.port);
      base = `http://127.0.0.1:${proxy.port}/tools`;
    });
    afterAll(async () => {
      await proxy?.stop();
      await bridge?.stop();
    });

    it('Streamable HTTP session works end to end with the SDK client', async () => {
      const client = new Client({ name: 'proxied', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
      try {
        const tools = await client.listTools();
        expect(tools.tools.map((t) => t.name)).toContain('echo');
        const progress: number[] = [];
        const r = await client.callTool({ name: 'sleep', arguments: { ms: 200 } }, undefined, { onprogress: (p) => progress.push(p.progress) });
        expect((r.content as Array<{ text: string }>)[0]!.text).toBe('slept 200');
        expect(progress).toEqual([1, 2, 3, 4]);
      } finally {
        await client.close();
      }
    });

    it('legacy SSE: the endpoint event carries the public prefix and the session works', async () => {
      const ctrl = new AbortController();
      const res = await fetch(`${base}/sse`, { headers: { accept: 'text/event-stream' }, signal: ctrl.signal });
      const reader = res.body!.getReader();
      let text = '';
      while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
      ctrl.abort();
      const endpoint = /event: endpoint\ndata: (.*)/.exec(text)![1]!;
      expect(endpoint).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${proxy.port}/tools/messages\\?sessionId=`));

      const client = new Client({ name: 'proxied-sse', version: '1' });
      await client.connect(new SSEClientTransport(new URL(`${base}/sse`)));
      try {
        const r = await client.callTool({ name: 'echo', arguments: { via: name } });
        expect(JSON.stringify(r.structuredContent)).toContain(name);
      } finally {
        await client.close();
      }
    });

    it('streams are not buffered: progress arrives long before the result', async () => {
      const init = await post(`${base}/mcp`, initBody());
      const sid = init.headers.get('mcp-session-id')!;
      const started = Date.now();
      const res = await fetch(`${base}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: ACCEPT_BOTH, 'mcp-session-id': sid },
        body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'sleep', arguments: { ms: 1500 }, _meta: { progressToken: 'p' } } }),
      });
      const reader = res.body!.getReader();
      let text = '';
      let firstProgressAt = 0;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
        if (!firstProgressAt && text.includes('notifications/progress')) firstProgressAt = Date.now() - started;
      }
      const total = Date.now() - started;
      expect(text).toContain('"id":9');
      expect(total).toBeGreaterThanOrEqual(1400);
      expect(firstProgressAt).toBeGreaterThan(0);
      expect(firstProgressAt).toBeLessThan(total - 800);
    });

    it('an idle GET stream gets keep-alive comments through the proxy', async () => {
      const init = await post(`${base}/mcp`, initBody());
      const sid = init.headers.get('mcp-session-id')!;
      const ctrl = new AbortController();
      const res = await fetch(`${base}/mcp`, { headers: { accept: 'text/event-stream', 'mcp-session-id': sid }, signal: ctrl.signal });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      const got = await Promise.race([
        reader.read().then((r) => new TextDecoder().decode(r.value)),
        new Promise<string>((r) => setTimeout(() => r('timeout'), 3000)),
      ]);
      ctrl.abort();
      expect(got).toContain(': keep-alive');
    });
  });
}
