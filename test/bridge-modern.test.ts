/**
 * 2026-07-28 clients through the bridge to a 2025-era stdio server (server-everything): the v2 SDK
 * client in auto mode must negotiate the modern era against us, and sampling/elicitation must arrive
 * as input_required results that resume on the retry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { EVERYTHING, startBridge, type RunningBridge } from './helpers/bridge.js';

let bridge: RunningBridge;
beforeAll(async () => {
  bridge = await startBridge(['--log-level', 'warn'], [process.execPath, EVERYTHING, 'stdio']);
});
afterAll(async () => {
  await bridge?.stop();
});

function modernClient() {
  const client = new Client(
    { name: 'modern-e2e', version: '1.0.0' },
    { versionNegotiation: { mode: 'auto' }, capabilities: { sampling: {}, elicitation: { form: {} } } },
  );
  client.setRequestHandler('sampling/createMessage', async (req) => ({
    model: 'm',
    role: 'assistant',
    content: { type: 'text', text: `modern-sampled:${JSON.stringify(req.params.messages[0]?.content).length}` },
  }));
  client.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { name: 'Grace', check: true, integer: 1, number: 2, enum: 'ok' } }));
  return client;
}

describe('2026-07-28 client → bridge → 2025-era server', () => {
  it('negotiates the modern era and calls tools statelessly', async () => {
    const client = modernClient();
    await client.connect(new StreamableHTTPClientTransport(new URL(bridge.url)));
    try {
      expect(client.getProtocolEra()).toBe('modern');
      expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
      expect(client.getServerVersion()?.name).toMatch(/everything/i);
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain('echo');
      const r = await client.callTool({ name: 'echo', arguments: { message: 'stateless hi' } });
      expect(JSON.stringify(r.content)).toContain('stateless hi');
      const progress: number[] = [];
      const long = await client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 1, steps: 3 } }, { onprogress: (p) => progress.push(p.progress) });
      expect(JSON.stringify(long.content)).toMatch(/completed/i);
      expect(progress.length).toBe(3);
    } finally {
      await client.close();
    }
  });

  it('turns server→client sampling and elicitation into input_required and resumes', async () => {
    const client = modernClient();
    await client.connect(new StreamableHTTPClientTransport(new URL(bridge.url)));
    try {
      const s = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'x', maxTokens: 5 } });
      expect(JSON.stringify(s.content)).toContain('modern-sampled:');
      const e = await client.callTool({ name: 'trigger-elicitation-request', arguments: {} });
      expect(JSON.stringify(e.content)).toContain('Grace');
    } finally {
      await client.close();
    }
  });

  it('refuses a request whose Mcp-Method header disagrees with the body', async () => {
    const res = await fetch(bridge.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/list',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: {
          name: 'echo',
          arguments: { message: 'x' },
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
            'io.modelcontextprotocol/clientCapabilities': {},
          },
        },
      }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: number } };
    expect(body.error.code).toBe(-32020);
  });
});
