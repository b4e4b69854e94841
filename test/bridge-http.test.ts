/**
 * The HTTP face's contract, status code by status code: a table of bad inputs against a real bridge
 * process, plus session lifecycle, API keys and limits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { ROOT, startBridge, type RunningBridge } from './helpers/bridge.js';
import { ACCEPT_BOTH, initBody, openSession, post } from './helpers/http.js';

const FIXTURE = [process.execPath, `${ROOT}test/fixtures/echo-server.mjs`];
const KEY = 'test-key-0123456789';

let bridge: RunningBridge;
let sid: string;
beforeAll(async () => {
  // --max-children above --max-sessions: the session limit is the one under test here (children: bridge-child-budget).
  bridge = await startBridge(['--log-level', 'warn', '--max-body', '64kb', '--max-sessions', '40', '--max-children', '64', '--session-idle-timeout', '30m'], FIXTURE);
  sid = await openSession(bridge.url);
});
afterAll(async () => {
  await bridge?.stop();
});

/** node:http lets us send the Host header we want (fetch does not). */
function rawRequest(port: number, opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string }) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: opts.method ?? 'POST', path: opts.path ?? '/mcp', headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('bad input gets the status the spec names', () => {
  const cases: Array<{ name: string; run: () => Promise<{ status: number; code?: number; header?: [string, RegExp] }>; status: number; code?: number }> = [
    { name: 'malformed JSON → 400 parse error', status: 400, code: -32700, run: async () => fromPost(await post(bridge.url, '{"jsonrpc": "2.0", "id": 1, "method": ', { 'mcp-session-id': sid })) },
    { name: 'malformed JSON without session → 400 parse error', status: 400, code: -32700, run: async () => fromPost(await post(bridge.url, '{nope')) },
    { name: 'non-object JSON → 400 invalid request', status: 400, code: -32600, run: async () => fromPost(await post(bridge.url, '42', { 'mcp-session-id': sid })) },
    { name: 'object that is not JSON-RPC → 400', status: 400, code: -32600, run: async () => fromPost(await post(bridge.url, { hello: 'world' }, { 'mcp-session-id': sid })) },
    { name: 'batch on a 2025-11-25 session → 400', status: 400, code: -32600, run: async () => fromPost(await post(bridge.url, [{ jsonrpc: '2.0', id: 5, method: 'ping' }], { 'mcp-session-id': sid })) },
    { name: 'batch without session → 400', status: 400, run: async () => fromPost(await post(bridge.url, [initBody()])) },
    { name: 'request without session id → 400', status: 400, run: async () => fromPost(await post(bridge.url, { jsonrpc: '2.0', id: 2, method: 'tools/list' })) },
    { name: 'unknown session → 404', status: 404, code: -32001, run: async () => fromPost(await post(bridge.url, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': 'nope' })) },
    { name: 'GET without session → 400', status: 400, run: async () => fromFetch(await fetch(bridge.url, { headers: { accept: 'text/event-stream' } })) },
    { name: 'GET unknown session → 404', status: 404, run: async () => fromFetch(await fetch(bridge.url, { headers: { accept: 'text/event-stream', 'mcp-session-id': 'nope' } })) },
    { name: 'DELETE unknown session → 404', status: 404, run: async () => fromFetch(await fetch(bridge.url, { method: 'DELETE', headers: { 'mcp-session-id': 'nope' } })) },
    { name: 'PUT → 405 with Allow', status: 405, run: async () => { const r = await fetch(bridge.url, { method: 'PUT' }); expect(r.headers.get('allow')).toBe('GET, POST, DELETE'); return fromFetch(r); } },
    { name: 'GET /sse with POST → 405', status: 405, run: async () => fromFetch(await fetch(`${bridge.base}/sse`, { method: 'POST' })) },
    { name: 'Accept without text/event-stream → 406', status: 406, run: async () => fromPost(await post(bridge.url, initBody(), { accept: 'application/json' })) },
    { name: 'GET without Accept event-stream → 406', status: 406, run: async () => fromFetch(await fetch(bridge.url, { headers: { accept: 'application/json', 'mcp-session-id': sid } })) },
    { name: 'Content-Type text/plain → 415', status: 415, run: async () => fromPost(await post(bridge.url, JSON.stringify(initBody()), { 'content-type': 'text/plain' })) },
    { name: 'body over --max-body → 413', status: 413, run: async () => fromPost(await post(bridge.url, { jsonrpc: '2.0', id: 3, method: 'ping', params: { pad: 'x'.repeat(70 * 1024) } }, { 'mcp-session-id': sid })) },
    { name: 'unsupported MCP-Protocol-Version → 400', status: 400, run: async () => fromPost(await post(bridge.url, { jsonrpc: '2.0', id: 3, method: 'ping' }, { 'mcp-session-id': sid, 'mcp-protocol-version': '1999-01-01' })) },
    { name: 'Host not allowed (DNS rebinding) → 403', status: 403, run: async () => fromRaw(await rawRequest(bridge.port, { headers: { host: 'evil.example:80', 'content-type': 'application/json', accept: ACCEPT_BOTH }, body: JSON.stringify(initBody()) })) },
    { name: 'Origin not allowed → 403', status: 403, run: async () => fromPost(await post(bridge.url, initBody(), { origin: 'http://evil.example' })) },
    { name: 'legacy messages without sessionId → 400', status: 400, run: async () => fromPost(await post(`${bridge.base}/messages`, { jsonrpc: '2.0', id: 1, method: 'ping' })) },
    { name: 'legacy messages unknown session → 404', status: 404, run: async () => fromPost(await post(`${bridge.base}/messages?sessionId=nope`, { jsonrpc: '2.0', id: 1, method: 'ping' })) },
    { name: 'unknown path → 404', status: 404, run: async () => fromFetch(await fetch(`${bridge.base}/nope`)) },
    { name: 'notification → 202', status: 202, run: async () => fromPost(await post(bridge.url, { jsonrpc: '2.0', method: 'notifications/roots/list_changed' }, { 'mcp-session-id': sid })) },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const r = await c.run();
      expect(r.status).toBe(c.status);
      if (c.code !== undefined) expect(r.code).toBe(c.code);
    });
  }

  it('the session still works after all that', async () => {
    const r = await post(bridge.url, { jsonrpc: '2.0', id: 'after', method: 'tools/call', params: { name: 'pid', arguments: {} } }, { 'mcp-session-id': sid });
    expect(r.status).toBe(200);
    expect(r.messages.at(-1).id).toBe('after');
  });

  it('same-origin and loopback Host are accepted', async () => {
    const r = await rawRequest(bridge.port, { headers: { host: `localhost:${bridge.port}`, origin: `http://localhost:${bridge.port}`, 'content-type': 'application/json', accept: ACCEPT_BOTH }, body: JSON.stringify(initBody()) });
    expect(r.status).toBe(200);
  });
});

describe('session lifecycle', () => {
  it('DELETE ends the session; later use is 404', async () => {
    const s = await openSession(bridge.url);
    const del = await fetch(bridge.url, { method: 'DELETE', headers: { 'mcp-session-id': s } });
    expect(del.status).toBe(200);
    const r = await post(bridge.url, { jsonrpc: '2.0', id: 1, method: 'ping' }, { 'mcp-session-id': s });
    expect(r.status).toBe(404);
  });

  it('2025-03-26 sessions accept batches', async () => {
    const s = await openSession(bridge.url, '2025-03-26');
    const r = await post(bridge.url, [{ jsonrpc: '2.0', id: 'a', method: 'ping' }, { jsonrpc: '2.0', id: 'b', method: 'tools/list' }], { 'mcp-session-id': s });
    expect(r.status).toBe(200);
    expect(r.messages.map((m) => m.id).sort()).toEqual(['a', 'b']);
  });

  it('refuses sessions beyond --max-sessions with 503 and Retry-After', async () => {
    const opened: string[] = [];
    let refused: Awaited<ReturnType<typeof post>> | undefined;
    for (let i = 0; i < 45 && !refused; i++) {
      const r = await post(bridge.url, initBody());
      if (r.status === 503) refused = r;
      else {
        // A completed handshake: such sessions are never evicted to make room (bridge-child-budget tests the others).
        const s = r.headers.get('mcp-session-id')!;
        await post(bridge.url, { jsonrpc: '2.0', method: 'notifications/initialized' }, { 'mcp-session-id': s });
        opened.push(s);
      }
    }
    expect(refused?.status).toBe(503);
    expect(refused?.text).toMatch(/session limit 40 reached/);
    expect(refused?.headers.get('retry-after')).toBeTruthy();
    await Promise.all(opened.map((s) => fetch(bridge.url, { method: 'DELETE', headers: { 'mcp-session-id': s } })));
    const again = await post(bridge.url, initBody());
    expect(again.status).toBe(200);
    await fetch(bridge.url, { method: 'DELETE', headers: { 'mcp-session-id': again.headers.get('mcp-session-id')! } });
  });

  it('a session from before a restart gets 404, so clients re-initialize', async () => {
    const b = await startBridge(['--log-level', 'warn'], FIXTURE);
    const s = await openSession(b.url);
    const port = b.port;
    await b.stop();
    const b2 = await startBridge(['--log-level', 'warn'], FIXTURE, { port });
    try {
      const r = await post(b2.url, { jsonrpc: '2.0', id: 1, method: 'ping' }, { 'mcp-session-id': s });
      expect(r.status).toBe(404);
      expect(JSON.parse(r.text).error.code).toBe(-32001);
    } finally {
      await b2.stop();
    }
  });

  it('idle sessions expire', async () => {
    const b = await startBridge(['--log-level', 'warn', '--session-idle-timeout', '1s'], FIXTURE);
    try {
      const s = await openSession(b.url);
      await new Promise((r) => setTimeout(r, 2000));
      const r = await post(b.url, { jsonrpc: '2.0', id: 1, method: 'ping' }, { 'mcp-session-id': s });
      expect(r.status).toBe(404);
    } finally {
      await b.stop();
    }
  });
});

describe('API keys', () => {
  let keyed: RunningBridge;
  beforeAll(async () => {
    keyed = await startBridge(['--log-level', 'info', '--api-key', KEY], FIXTURE);
  });
  afterAll(async () => {
    await keyed?.stop();
  });
  it('missing or wrong key → 401; Bearer or X-API-Key → accepted; /healthz exempt', async () => {
    expect((await post(keyed.url, initBody())).status).toBe(401);
    expect((await post(keyed.url, initBody(), { authorization: 'Bearer wrong-key-000000' })).status).toBe(401);
    expect((await post(keyed.url, initBody(), { authorization: `Bearer ${KEY}` })).status).toBe(200);
    expect((await post(keyed.url, initBody(), { 'x-api-key': KEY })).status).toBe(200);
    expect((await fetch(`${keyed.base}/healthz`)).status).toBe(200);
    expect((await fetch(`${keyed.base}/sse`)).status).toBe(401);
  });
  it('never writes the key to its logs', async () => {
    await post(keyed.url, initBody(), { authorization: `Bearer ${KEY}` });
    expect(keyed.stderr()).not.toContain(KEY);
  });
});

function fromPost(r: { status: number; text: string }) {
  let code: number | undefined;
  try {
    code = JSON.parse(r.text)?.error?.code;
  } catch {
    /* not JSON */
  }
  return { status: r.status, code };
}
async function fromFetch(r: Response) {
  return fromPost({ status: r.status, text: await r.text() });
}
function fromRaw(r: { status: number; body: string }) {
  return fromPost({ status: r.status, text: r.body });
}

describe('CORS and key files', () => {
  let b: RunningBridge;
  let keyFile: string;
  beforeAll(async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    keyFile = `${mkdtempSync(`${tmpdir()}/sb-keys-`)}/keys`;
    writeFileSync(keyFile, '# rotated monthly\nfile-key-aaaaaaaa\nfile-key-bbbbbbbb\n');
    b = await startBridge(['--log-level', 'warn', '--cors', 'https://app.example', '--api-key-file', keyFile], FIXTURE);
  });
  afterAll(async () => {
    await b?.stop();
  });

  it('answers a preflight for a listed origin with DELETE, the MCP headers and the asked Mcp-Param-* header', async () => {
    const r = await fetch(b.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'mcp-session-id, mcp-param-region' },
    });
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(r.headers.get('access-control-allow-methods')).toContain('DELETE');
    const allowed = r.headers.get('access-control-allow-headers')!;
    for (const h of ['mcp-session-id', 'mcp-protocol-version', 'last-event-id', 'mcp-method', 'mcp-name', 'mcp-param-region', 'authorization']) expect(allowed).toContain(h);
  });

  it('exposes Mcp-Session-Id to a listed origin and refuses others', async () => {
    const ok = await post(b.url, initBody(), { origin: 'https://app.example', authorization: 'Bearer file-key-bbbbbbbb' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-expose-headers')).toContain('Mcp-Session-Id');
    const bad = await post(b.url, initBody(), { origin: 'https://other.example', authorization: 'Bearer file-key-bbbbbbbb' });
    expect(bad.status).toBe(403);
  });

  it('accepts every key of the file and ignores its comments', async () => {
    expect((await post(b.url, initBody(), { 'x-api-key': 'file-key-aaaaaaaa' })).status).toBe(200);
    expect((await post(b.url, initBody(), { 'x-api-key': '# rotated monthly' })).status).toBe(401);
  });
});
