/**
 * 2026-07-28 clients through the bridge to a 2025-era stdio server (server-everything): the v2 SDK
 * client in auto mode must negotiate the modern era against us, and sampling/elicitation must arrive
 * as input_required results that resume on the retry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { EVERYTHING, ROOT, startBridge, type RunningBridge } from './helpers/bridge.js';
import { parseMessages } from './helpers/http.js';

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

describe('subscriptions/listen', () => {
  let fx: RunningBridge;
  beforeAll(async () => {
    fx = await startBridge(['--log-level', 'warn', '--isolation', 'shared', '--metrics'], [process.execPath, `${ROOT}test/fixtures/echo-server.mjs`]);
  });
  afterAll(async () => {
    await fx?.stop();
  });

  const envelope = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
    'io.modelcontextprotocol/clientCapabilities': {},
  };
  const modernPost = (body: { id: number | string; method: string; params: Record<string, unknown> }, name?: string, signal?: AbortSignal) =>
    fetch(fx.url, {
      method: 'POST',
      signal,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': body.method,
        ...(name ? { 'mcp-name': name } : {}),
      },
      body: JSON.stringify({ jsonrpc: '2.0', ...body, params: { ...body.params, _meta: envelope } }),
    });

  it('acknowledges the honoured filter and delivers list_changed tagged with the listen id', async () => {
    const ctrl = new AbortController();
    const res = await modernPost({ id: 'listen-1', method: 'subscriptions/listen', params: { notifications: { toolsListChanged: true, promptsListChanged: true } } }, undefined, ctrl.signal);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const readUntil = async (needle: string) => {
      const deadline = Date.now() + 5000;
      while (!text.includes(needle) && Date.now() < deadline) {
        const r = await Promise.race([reader.read(), new Promise<{ done: true; value: undefined }>((ok) => setTimeout(() => ok({ done: true, value: undefined }), 5000))]);
        if (r.done) break;
        text += new TextDecoder().decode(r.value);
      }
    };
    await readUntil('acknowledged');
    const ack = parseMessages('text/event-stream', text)[0];
    expect(ack.method).toBe('notifications/subscriptions/acknowledged');
    expect(ack.params.notifications).toEqual({ toolsListChanged: true }); // the fixture has no prompts capability
    expect(ack.params._meta['io.modelcontextprotocol/subscriptionId']).toBe('listen-1');

    const call = await modernPost({ id: 7, method: 'tools/call', params: { name: 'notify-changed', arguments: {} } }, 'notify-changed');
    expect(call.status).toBe(200);
    await readUntil('list_changed');
    ctrl.abort();
    const changed = parseMessages('text/event-stream', text).find((m) => m.method === 'notifications/tools/list_changed');
    expect(changed.params._meta['io.modelcontextprotocol/subscriptionId']).toBe('listen-1');
  });

  it('exposes Prometheus metrics', async () => {
    const text = await (await fetch(`${fx.base}/metrics`)).text();
    expect(text).toMatch(/switchboard_sessions/);
    expect(text).toMatch(/switchboard_http_request_duration_seconds_bucket/);
    expect(text).toMatch(/switchboard_children 1/);
  });
});

describe('a 2026-07-28 server (--server-protocol 2026): requests pass through', () => {
  let mb: RunningBridge;
  beforeAll(async () => {
    mb = await startBridge(['--log-level', 'warn', '--server-protocol', '2026'], [process.execPath, `${ROOT}test/fixtures/modern-server.mjs`]);
  });
  afterAll(async () => {
    await mb?.stop();
  });

  it('a 2026 client reaches the server unchanged, input_required included', async () => {
    const client = new Client({ name: 'pt', version: '1' }, { versionNegotiation: { mode: 'auto' }, capabilities: { elicitation: { form: {} } } });
    client.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { yes: true } }));
    await client.connect(new StreamableHTTPClientTransport(new URL(mb.url)));
    try {
      expect(client.getProtocolEra()).toBe('modern');
      expect(client.getServerVersion()?.name).toBe('modern-fixture');
      const r = await client.callTool({ name: 'echo', arguments: { text: 'through' } });
      expect(JSON.stringify(r.content)).toContain('modern:through');
      const c = await client.callTool({ name: 'confirm', arguments: {} });
      expect(JSON.stringify(c.content)).toContain('confirmed:{\\"yes\\":true}');
    } finally {
      await client.close();
    }
  });

  it('a 2025 client still gets a session with the same server', async () => {
    const { Client: V1Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    const { StreamableHTTPClientTransport: V1Transport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
    const { ElicitRequestSchema } = await import('@modelcontextprotocol/sdk/types.js');
    const v1 = new V1Client({ name: 'old', version: '1' }, { capabilities: { elicitation: { form: {} } } });
    v1.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { yes: false } }));
    await v1.connect(new V1Transport(new URL(mb.url)));
    try {
      const r = await v1.callTool({ name: 'echo', arguments: { text: 'legacy' } });
      expect(JSON.stringify(r.content)).toContain('modern:legacy');
      const c = await v1.callTool({ name: 'confirm', arguments: {} });
      expect(JSON.stringify(c.content)).toContain('confirmed:{\\"yes\\":false}');
    } finally {
      await v1.close();
    }
  });
});
