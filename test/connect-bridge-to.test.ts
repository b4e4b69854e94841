// `switchboard bridge --to <transport> <url>`: a remote Streamable HTTP server served as legacy SSE, and a legacy
// SSE server served as Streamable HTTP — real server-everything upstreams, v1 SDK clients over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { CLI, freePort, killAll, startEverything, startProcess, waitForPort } from './fixtures/connect-helpers.js';

const clients: Client[] = [];
let streamable: Awaited<ReturnType<typeof startEverything>>;
let sse: Awaited<ReturnType<typeof startEverything>>;

beforeAll(async () => {
  [streamable, sse] = await Promise.all([startEverything('streamableHttp'), startEverything('sse')]);
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await killAll();
});

async function bridgeTo(to: 'sse' | 'streamable-http', upstream: string) {
  const port = await freePort();
  const child = startProcess(process.execPath, [CLI, 'bridge', '--to', to, '--port', String(port), '--log-level', 'debug', upstream]);
  await waitForPort(port);
  return { port, child };
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
    // Only the asked-for face is served.
    expect((await fetch(`http://127.0.0.1:${b.port}/mcp`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(404);
  });

  it('serves a legacy SSE server as Streamable HTTP', async () => {
    const b = await bridgeTo('streamable-http', sse.url);
    const client = new Client({ name: 'http-client', version: '1.0.0' }, { capabilities: { sampling: {} } });
    clients.push(client);
    await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${b.port}/mcp`)));
    await exercise(client);
    expect(b.child.output()).toContain('"transport":"sse"');
  });
});
