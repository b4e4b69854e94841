/**
 * A real browser speaking MCP to the bridge across origins. Headless Chromium (Debian's, never a downloaded one)
 * loads a page from one origin that drives the bridge on another with plain `fetch`: a preflighted initialize, the
 * exposed Mcp-Session-Id, the GET stream (read until a keep-alive arrives), tools/list and tools/call. A page from an
 * origin that is not listed with --cors is refused. Each page is screenshotted into test/.tmp/.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext } from 'playwright-core';
import { CLI, EVERYTHING } from './helpers/bridge.js';
import { startListening, tempDir, type Listening } from './helpers/packed.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// The page's script: what a browser MCP client does, with nothing but fetch. Results land in window.__result.
const PAGE = (bridgeUrl: string) => `<!doctype html><meta charset="utf-8"><title>MCP from a browser</title>
<style>body{font:14px system-ui;margin:2em} pre{background:#f4f4f4;padding:1em;white-space:pre-wrap}</style>
<h1>MCP over fetch, cross-origin</h1><p>page: <b id="origin"></b> → bridge: <b>${bridgeUrl}</b></p><pre id="out">running…</pre>
<script type="module">
const url = ${JSON.stringify(bridgeUrl)};
const out = document.getElementById('out');
document.getElementById('origin').textContent = location.origin;
const log = [];
const show = (line) => { log.push(line); out.textContent = log.join('\\n'); };
async function rpc(body, sid) {
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  if (sid) Object.assign(headers, { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' });
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  const data = text.split('\\n').filter((l) => l.startsWith('data:')).map((l) => JSON.parse(l.slice(5)));
  return { res, message: res.headers.get('content-type')?.includes('json') ? (text ? JSON.parse(text) : null) : data[0] };
}
try {
  const init = await rpc({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'browser-page', version: '1' } } });
  const sid = init.res.headers.get('mcp-session-id');
  show('initialize: ' + init.res.status + ', session id visible to the page: ' + (sid ? 'yes' : 'NO') + ', server: ' + init.message.result.serverInfo.name);
  await rpc({ jsonrpc: '2.0', method: 'notifications/initialized' }, sid);
  const stream = await fetch(url, { headers: { accept: 'text/event-stream', 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' } });
  const reader = stream.body.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  show('GET stream: ' + stream.status + ' ' + stream.headers.get('content-type') + ', first event: ' + JSON.stringify(first.slice(0, 90)));
  reader.cancel();
  const list = await rpc({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, sid);
  const tools = list.message.result.tools.map((t) => t.name);
  show('tools/list: ' + tools.length + ' tools (' + tools.slice(0, 5).join(', ') + ', …)');
  const call = await rpc({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'echo', arguments: { message: 'hello from ' + location.origin } } }, sid);
  show('tools/call echo: ' + call.message.result.content[0].text);
  const del = await fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' } });
  show('DELETE session: ' + del.status);
  window.__result = { ok: true, sid: !!sid, streamStatus: stream.status, streamType: stream.headers.get('content-type'), first, tools, echo: call.message.result.content[0].text, deleteStatus: del.status };
} catch (e) {
  show('refused: ' + e.name + ': ' + e.message);
  window.__result = { ok: false, error: e.name + ': ' + e.message };
}
</script>`;

let bridge: Listening;
let pages: Server;
let allowedOrigin: string;
let otherPages: Server;
let otherOrigin: string;
let context: BrowserContext;
const artifacts = tempDir('browser');

async function servePage(): Promise<[Server, string]> {
  const server = createServer((req, res) => {
    if (req.url === '/favicon.ico') return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE(bridge.url));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return [server, `http://127.0.0.1:${(server.address() as { port: number }).port}`];
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  // Two page origins: only the first is listed. The bridge learns its URL after starting, so ports come first.
  [pages, allowedOrigin] = await servePage();
  [otherPages, otherOrigin] = await servePage();
  bridge = await startListening(process.execPath, [CLI, 'bridge', '--port', '0', '--cors', allowedOrigin, '--keepalive', '1s', '--', process.execPath, EVERYTHING], { cwd: artifacts, env: { ...process.env } as Record<string, string> });
  context = await chromium.launchPersistentContext(join(artifacts, 'profile'), { executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 60_000 });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await bridge?.stop();
  await new Promise<void>((r) => pages?.close(() => r()));
  await new Promise<void>((r) => otherPages?.close(() => r()));
});

async function runPage(origin: string, shot: string): Promise<Record<string, unknown>> {
  const page = await context.newPage();
  try {
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => (window as unknown as { __result?: unknown }).__result !== undefined, undefined, { timeout: 30_000 });
    await page.screenshot({ path: join(artifacts, shot), fullPage: true });
    return (await page.evaluate(() => (window as unknown as { __result: Record<string, unknown> }).__result));
  } finally {
    await page.close();
  }
}

describe('a browser page on another origin', () => {
  it('speaks MCP to a bridge that lists its origin with --cors: preflight, session id, GET stream, calls', async () => {
    const r = await runPage(allowedOrigin, 'allowed-origin.png');
    expect(r, JSON.stringify(r)).toMatchObject({ ok: true, sid: true, streamStatus: 200, deleteStatus: 200 });
    expect(r.streamType).toContain('text/event-stream');
    // The stream's bytes reached the page's script: a server notification, or the keep-alive that --keepalive 1s bounds.
    expect(r.first).toMatch(/^(: keep-alive|id: \S+\ndata: \{"method":"notifications\/)/m);
    expect(r.tools).toContain('echo');
    expect(r.echo).toContain(`hello from ${allowedOrigin}`);
    expect(bridge.output()).not.toMatch(/"level":"error"/);
  });

  it('is refused from an origin that is not listed', async () => {
    const r = await runPage(otherOrigin, 'unlisted-origin.png');
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/TypeError/); // the browser's CORS failure: the page learns nothing
    // What the browser hid: the bridge answered 403 to that Origin, and gave it no CORS grant.
    const res = await fetch(bridge.url, { method: 'POST', headers: { origin: otherOrigin, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{"jsonrpc":"2.0","id":1,"method":"ping"}' });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
