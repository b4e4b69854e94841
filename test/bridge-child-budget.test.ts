/**
 * Per-session children have a budget (issue 9, items 4 and 19), tested with real processes: at most --max-children
 * run, a child starts only on initialize (a bare GET /sse starts none), sessions that never complete the handshake go
 * within seconds and make room first when --max-sessions is full, idle children stop after --child-idle-timeout, and
 * the live children are counted in /metrics and /readyz.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ROOT, processesMatching, startBridge, until, type RunningBridge } from './helpers/bridge.js';

const LIFECYCLE = `${ROOT}test/fixtures/lifecycle-server.mjs`;
const KEY = 'budget-test-key-0123456789';

/** The server processes of a bridge (the bridge's own command line names the marker too). */
async function children(marker: string, bridge: RunningBridge): Promise<number> {
  return (await processesMatching(marker)).filter((pid) => pid !== bridge.proc.pid).length;
}

async function client(url: string, headers: Record<string, string> = {}) {
  const c = new Client({ name: 'budget', version: '1' });
  await c.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return c;
}

const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
const POST = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** A session that sends initialize and nothing else (no notifications/initialized): what an abandoned client leaves. */
async function halfOpen(url: string): Promise<string> {
  const r = await fetch(url, { method: 'POST', headers: POST, body: JSON.stringify(INIT) });
  expect(r.status).toBe(200);
  await r.text();
  return r.headers.get('mcp-session-id')!;
}

/** Whether the session still exists: a ping on it is answered (200) or the session is unknown (404). */
async function alive(url: string, session: string): Promise<boolean> {
  const r = await fetch(url, { method: 'POST', headers: { ...POST, 'mcp-session-id': session }, body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' }) });
  await r.text();
  if (r.status !== 200 && r.status !== 404) throw new Error(`ping: HTTP ${r.status}`);
  return r.status === 200;
}

describe('--max-children', () => {
  const marker = randomUUID();
  let bridge: RunningBridge;
  beforeAll(async () => {
    bridge = await startBridge(['--log-level', 'warn', '--max-children', '2'], [process.execPath, LIFECYCLE, `--marker=${marker}`]);
  });
  afterAll(async () => {
    await bridge?.stop();
  });

  it('refuses a session beyond the limit with a 503 JSON-RPC error while every child is in use, and takes one again once one is free', async () => {
    const a = await client(bridge.url);
    const b = await client(bridge.url);
    // Two per-session children and the shared one (2026-07-28 requests), which the limit does not count.
    expect(await children(marker, bridge)).toBe(3);
    // /readyz counts them too, also without --metrics (the count once lived only inside the gauge's update).
    expect(((await (await fetch(`${bridge.base}/readyz`)).json()) as { children?: number }).children).toBe(3);
    const r = await fetch(bridge.url, { method: 'POST', headers: POST, body: JSON.stringify(INIT) });
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBeTruthy();
    expect(r.headers.get('mcp-session-id')).toBeNull();
    const body = (await r.json()) as { jsonrpc: string; error: { message: string } };
    expect(body.jsonrpc).toBe('2.0');
    expect(body.error.message).toMatch(/per-session server limit reached: 2 server processes are running \(--max-children 2\)/);
    expect(await children(marker, bridge)).toBe(3);

    // A client that says goodbye frees its child.
    await (a.transport as StreamableHTTPClientTransport).terminateSession();
    await a.close();
    await until(async () => (await children(marker, bridge)) === 2, { timeoutMs: 10_000 });
    const c = await client(bridge.url);
    expect((await c.listTools()).tools.length).toBe(2);

    // One that just goes away (no DELETE, no stream left open) gives its child up to the next session.
    const bSession = (b.transport as StreamableHTTPClientTransport).sessionId!;
    await b.close();
    const d = await client(bridge.url);
    expect((await d.listTools()).tools.length).toBe(2);
    expect(await alive(bridge.url, bSession)).toBe(false);
    expect(await children(marker, bridge)).toBe(3);
    await Promise.all([c.close(), d.close()]);
  });
});

describe('sessions that never complete the handshake', () => {
  const marker = randomUUID();
  let bridge: RunningBridge;
  beforeAll(async () => {
    // Generous enough that a loaded machine gets each step done inside it; the bounds below are 3× this.
    bridge = await startBridge(['--log-level', 'warn', '--handshake-timeout', '4s', '--api-key', KEY], [process.execPath, LIFECYCLE, `--marker=${marker}`]);
  });
  afterAll(async () => {
    await bridge?.stop();
  });

  it('a GET /sse starts no child (with or without a key); its initialize does; a bare stream is closed within seconds', async () => {
    expect(await children(marker, bridge)).toBe(1);
    const refused = await fetch(`${bridge.base}/sse`, { headers: { accept: 'text/event-stream' } });
    expect(refused.status).toBe(401);

    const abort = new AbortController();
    const opened = Date.now();
    const r = await fetch(`${bridge.base}/sse`, { headers: { accept: 'text/event-stream', authorization: `Bearer ${KEY}` }, signal: abort.signal });
    expect(r.status).toBe(200);
    const reader = r.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('\n\n')) text += decoder.decode((await reader.read()).value);
    const endpoint = /data: (\S+)/.exec(text)![1]!;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await children(marker, bridge)).toBe(1);

    // Its initialize starts its child.
    const posted = await fetch(new URL(endpoint, bridge.base), { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: JSON.stringify(INIT) });
    expect(posted.status).toBe(202);
    await until(async () => (await children(marker, bridge)) === 2, { timeoutMs: 10_000 });
    while (!text.includes('"serverInfo"')) text += decoder.decode((await reader.read()).value);

    // …but it never sends notifications/initialized: the stream ends after --handshake-timeout, and the child goes.
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
    }
    expect(Date.now() - opened).toBeLessThan(30_000);
    await until(async () => (await children(marker, bridge)) === 1, { timeoutMs: 10_000 });
    abort.abort();
  });

  it('an initialize with nothing after it is closed within seconds, its child too; a real client stays', async () => {
    const auth = { authorization: `Bearer ${KEY}` };
    const c = await client(bridge.url, auth);
    const r = await fetch(bridge.url, { method: 'POST', headers: { ...POST, ...auth }, body: JSON.stringify(INIT) });
    const half = r.headers.get('mcp-session-id')!;
    await r.text();
    expect(await children(marker, bridge)).toBe(3);
    await until(async () => (await children(marker, bridge)) === 2, { timeoutMs: 20_000 });
    const gone = await fetch(bridge.url, { method: 'POST', headers: { ...POST, ...auth, 'mcp-session-id': half }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }) });
    expect(gone.status).toBe(404);
    // The SDK client completed its handshake: it is not touched.
    expect((await c.callTool({ name: 'pid', arguments: {} })).content).toBeTruthy();
    await c.close();
  });
});

describe('--max-sessions full', () => {
  let bridge: RunningBridge;
  beforeAll(async () => {
    bridge = await startBridge(['--log-level', 'warn', '--max-sessions', '2', '--handshake-timeout', '5m'], [process.execPath, LIFECYCLE, `--marker=${randomUUID()}`]);
  });
  afterAll(async () => {
    await bridge?.stop();
  });

  it('the longest-idle session that never completed the handshake makes room; completed ones are never evicted', async () => {
    const older = await halfOpen(bridge.url);
    await new Promise((r) => setTimeout(r, 50));
    const newer = await halfOpen(bridge.url);
    const c1 = await client(bridge.url);
    expect(await alive(bridge.url, older)).toBe(false);
    expect(await alive(bridge.url, newer)).toBe(true);
    const c2 = await client(bridge.url);
    expect(await alive(bridge.url, newer)).toBe(false);
    // Both slots hold clients that completed the handshake: the next one is refused.
    const r = await fetch(bridge.url, { method: 'POST', headers: POST, body: JSON.stringify(INIT) });
    expect(r.status).toBe(503);
    expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/session limit 2 reached/);
    await c1.listTools();
    await c2.listTools();
    await Promise.all([c1.close(), c2.close()]);
  });
});

describe('idle per-session children', () => {
  const marker = randomUUID();
  let bridge: RunningBridge;
  beforeAll(async () => {
    bridge = await startBridge(['--log-level', 'warn', '--metrics', '--child-idle-timeout', '1s', '--api-key', KEY], [process.execPath, LIFECYCLE, `--marker=${marker}`]);
  });
  afterAll(async () => {
    await bridge?.stop();
  });

  const auth = { authorization: `Bearer ${KEY}` };
  const gauge = async () => {
    const text = await (await fetch(`${bridge.base}/metrics`, { headers: auth })).text();
    return Number(/^switchboard_children (\d+)$/m.exec(text)?.[1]);
  };
  const readyChildren = async () => ((await (await fetch(`${bridge.base}/readyz`, { headers: auth })).json()) as { children?: number }).children;

  it('a client that goes away without DELETE has its child stopped after --child-idle-timeout; /metrics and /readyz count live children', async () => {
    await until(async () => (await fetch(`${bridge.base}/readyz`)).status === 200, { timeoutMs: 20_000, stepMs: 100 });
    expect(await gauge()).toBe(1);
    expect(await readyChildren()).toBe(1);
    // Without the key, /readyz says ready or not and nothing more.
    expect(await (await fetch(`${bridge.base}/readyz`)).json()).toEqual({ ready: true });

    const a = await client(bridge.url, auth);
    const b = await client(bridge.url, auth);
    expect(await gauge()).toBe(3);
    expect(await readyChildren()).toBe(3);
    expect(await children(marker, bridge)).toBe(3);
    // A crashed host: the connection goes, no DELETE is sent.
    await a.close();
    await b.close();
    await until(async () => (await gauge()) === 1, { timeoutMs: 15_000, stepMs: 100 });
    expect(await readyChildren()).toBe(1);
    await until(async () => (await children(marker, bridge)) === 1, { timeoutMs: 10_000 });
  });
});
