// `switchboard bridge --to <transport> <url>`: a remote Streamable HTTP server served as legacy SSE, and a legacy
// SSE server served as Streamable HTTP — real server-everything upstreams, v1 SDK clients over HTTP; a 2026-07-28
// client (v2 SDK, auto) through the same bridge, and --isolation shared.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { Client as ClientV2, StreamableHTTPClientTransport as StreamableV2 } from '@modelcontextprotocol/client';
import { join } from 'node:path';
import { CLI, ROOT, freePort, killAll, startEverything, startProcess, until, waitForPort } from './fixtures/connect-helpers.js';

const clients: { close(): Promise<void> }[] = [];
let streamable: Awaited<ReturnType<typeof startEverything>>;
let sse: Awaited<ReturnType<typeof startEverything>>;

beforeAll(async () => {
  [streamable, sse] = await Promise.all([startEverything('streamableHttp'), startEverything('sse')]);
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await killAll();
});

async function bridgeTo(to: 'sse' | 'streamable-http', upstream: string, extra: string[] = []) {
  const port = await freePort();
  const child = startProcess(process.execPath, [CLI, 'bridge', '--to', to, '--port', String(port), '--log-level', 'debug', ...extra, upstream]);
  await until(() => child.output().includes('switchboard: listening') || child.exitCode !== null, { timeoutMs: 20_000, what: 'the bridge start-up line' });
  await waitForPort(port);
  return { port, child, line: /switchboard: listening.*\n/.exec(child.output())?.[0] ?? '' };
}

async function exercise(client: Client) {
  client.setRequestHandler(CreateMessageRequestSchema, async () => ({ role: 'assistant', content: { type: 'text', text: 'bridged-sample' }, model: 'm' }));
  const { tools } = await client.listTools();
  expect(tools.map((t) => t.name)).toContain('echo');
  expect((await client.callTool({ name: 'echo', arguments: { message: 'via bridge' } })).content).toEqual([{ type: 'text', text: 'Echo: via bridge' }]);
  const s = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'q' } });
  expect(JSON.stringify(s.content)).toContain('bridged-sample');
  const progress: number[] = [];
  await client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 1, steps: 3 } }, undefined, { onprogress: (p) => void progress.push(p.progress) });
  expect(progress.length).toBeGreaterThanOrEqual(2);
}

describe('bridge --to', () => {
  it('serves a remote Streamable HTTP server as legacy SSE', async () => {
    const b = await bridgeTo('sse', streamable.url);
    const client = new Client({ name: 'sse-client', version: '1.0.0' }, { capabilities: { sampling: {} } });
    clients.push(client);
    await client.connect(new SSEClientTransport(new URL(`http://127.0.0.1:${b.port}/sse`)));
    await exercise(client);
    // Only the asked-for face is served, and only it is announced.
    expect(b.line).toBe(`switchboard: listening — SSE http://127.0.0.1:${b.port}/sse\n`);
    expect((await fetch(`http://127.0.0.1:${b.port}/mcp`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(404);
  });

  it('serves a legacy SSE server as Streamable HTTP', async () => {
    const b = await bridgeTo('streamable-http', sse.url);
    const client = new Client({ name: 'http-client', version: '1.0.0' }, { capabilities: { sampling: {} } });
    clients.push(client);
    await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${b.port}/mcp`)));
    await exercise(client);
    expect(b.child.output()).toContain('"transport":"sse"');
    expect(b.line).toBe(`switchboard: listening — Streamable HTTP http://127.0.0.1:${b.port}/mcp\n`);
  });

  it('serves 2026-07-28 clients too (v2 SDK in auto mode negotiates the modern era through the face)', async () => {
    const b = await bridgeTo('streamable-http', streamable.url);
    const client = new ClientV2({ name: 'modern-client', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' }, capabilities: { sampling: {} } });
    client.setRequestHandler('sampling/createMessage', async () => ({ model: 'm', role: 'assistant', content: { type: 'text', text: 'modern-sample' } }));
    clients.push(client);
    await client.connect(new StreamableV2(new URL(`http://127.0.0.1:${b.port}/mcp`)));
    expect(client.getProtocolEra()).toBe('modern');
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    expect(client.getServerVersion()?.name).toMatch(/everything/i);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('echo');
    expect((await client.callTool({ name: 'echo', arguments: { message: 'modern via remote' } })).content).toEqual([{ type: 'text', text: 'Echo: modern via remote' }]);
    const s = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'q' } });
    expect(JSON.stringify(s.content)).toContain('modern-sample');
  });

  it('--isolation shared: every client session is a lane of one remote session', async () => {
    const b = await bridgeTo('streamable-http', sse.url, ['--isolation', 'shared']);
    const a = new Client({ name: 'a', version: '1.0.0' });
    const c = new Client({ name: 'c', version: '1.0.0' });
    clients.push(a, c);
    await a.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${b.port}/mcp`)));
    await c.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${b.port}/mcp`)));
    const [ra, rc] = await Promise.all([
      a.callTool({ name: 'echo', arguments: { message: 'from a' } }),
      c.callTool({ name: 'echo', arguments: { message: 'from c' } }),
    ]);
    expect(ra.content).toEqual([{ type: 'text', text: 'Echo: from a' }]);
    expect(rc.content).toEqual([{ type: 'text', text: 'Echo: from c' }]);
    expect(b.line).toContain('Streamable HTTP');
    // One upstream session (the shared one opened at start-up), not one per client.
    expect(b.child.output().match(/connected upstream/g)).toHaveLength(1);
  });

  it('a 2026-07-28-only remote behind bridge --to: 2025 and 2026 clients both reach it, Mcp-Param-* headers included', async () => {
    const port = await freePort();
    startProcess(process.execPath, [join(ROOT, 'test/fixtures/connect-modern-http.mjs')], { PORT: String(port) });
    await waitForPort(port);
    const b = await bridgeTo('streamable-http', `http://127.0.0.1:${port}/mcp`);
    const legacy = new Client({ name: 'legacy', version: '1.0.0' });
    clients.push(legacy);
    await legacy.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${b.port}/mcp`)));
    expect(legacy.getServerVersion()?.name).toBe('modern-only');
    expect((await legacy.callTool({ name: 'regional', arguments: { region: 'eu-west' } })).content).toEqual([{ type: 'text', text: 'region:eu-west' }]);
    const modern = new ClientV2({ name: 'modern', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    clients.push(modern);
    await modern.connect(new StreamableV2(new URL(`http://127.0.0.1:${b.port}/mcp`)));
    expect(modern.getProtocolEra()).toBe('modern');
    expect((await modern.callTool({ name: 'regional', arguments: { region: 'Zürich' } })).content).toEqual([{ type: 'text', text: 'region:Zürich' }]);
  });
});
