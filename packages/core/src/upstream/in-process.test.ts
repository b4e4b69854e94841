import { describe, expect, it } from 'vitest';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { McpServer, type JSONRPCMessage } from '@modelcontextprotocol/server';
import type { Transport } from '../transport.js';
import { Bridge } from '../bridge/bridge.js';
import { InProcessTransport, inProcessUpstream } from './in-process.js';

/** A server whose `wait` tool answers when the test says so, to observe in-flight counting. */
function makeServer(release?: Promise<void>) {
  const server = new McpServer({ name: 'in-proc', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.registerTool('hello', { description: 'says hello' }, async () => ({ content: [{ type: 'text', text: 'hello from in-process' }] }));
  server.registerTool('wait', { description: 'waits' }, async () => {
    await release;
    return { content: [{ type: 'text', text: 'released' }] };
  });
  return server;
}

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
} as JSONRPCMessage;

function collect(t: Transport): JSONRPCMessage[] {
  const got: JSONRPCMessage[] = [];
  t.onmessage = (m) => got.push(m);
  return got;
}

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('inProcessUpstream', () => {
  it('connects the server side lazily, on start()', async () => {
    let connects = 0;
    const factory = inProcessUpstream({
      name: 'x',
      connect: async (t) => {
        connects++;
        await makeServer().connect(t);
      },
    });
    expect(factory.name).toBe('x');
    const t = factory.open({ era: '2025' });
    expect(connects).toBe(0);
    expect((t as InProcessTransport).alive).toBe(false);
    const got = collect(t);
    await t.start();
    expect(connects).toBe(1);
    expect((t as InProcessTransport).alive).toBe(true);
    await t.send(initialize);
    await until(() => got.length === 1);
    expect((got[0] as { result: { serverInfo: { name: string } } }).result.serverInfo.name).toBe('in-proc');
    await t.close();
  });

  it('counts requests in flight until their responses come back', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const factory = inProcessUpstream({ name: 'x', connect: (t) => makeServer(released).connect(t) });
    const t = factory.open({ era: '2025' });
    const got = collect(t);
    await t.start();
    await t.send(initialize);
    await until(() => got.length === 1);
    expect((t as InProcessTransport).inflight).toBe(0);
    await t.send({ jsonrpc: '2.0', method: 'notifications/initialized' } as JSONRPCMessage);
    await t.send({ jsonrpc: '2.0', id: 'w', method: 'tools/call', params: { name: 'wait', arguments: {} } } as JSONRPCMessage);
    expect((t as InProcessTransport).inflight).toBe(1);
    release();
    await until(() => got.length === 2);
    expect((t as InProcessTransport).inflight).toBe(0);
    expect(JSON.stringify(got[1])).toContain('released');
    await t.close();
  });

  it('closing the client side closes the server side, and the reverse', async () => {
    const servers: McpServer[] = [];
    const factory = inProcessUpstream({
      name: 'x',
      connect: async (t) => {
        const s = makeServer();
        servers.push(s);
        await s.connect(t);
      },
    });
    const a = factory.open({ era: '2025' });
    let aClosed = 0;
    a.onclose = () => aClosed++;
    await a.start();
    let serverClosed = false;
    servers[0]!.server.onclose = () => (serverClosed = true);
    await a.close();
    await a.close();
    expect(serverClosed).toBe(true);
    expect(aClosed).toBe(1);
    expect((a as InProcessTransport).alive).toBe(false);
    await expect(a.send(initialize)).rejects.toThrow(/closed/);

    const b = factory.open({ era: '2025' });
    let bClosed = false;
    b.onclose = () => (bClosed = true);
    await b.start();
    await servers[1]!.close();
    expect(bClosed).toBe(true);
    expect((b as InProcessTransport).alive).toBe(false);
  });

  it('a failing connect rejects start() and leaves the transport closed', async () => {
    const t = new InProcessTransport(async () => {
      throw new Error('no server today');
    });
    let closed = false;
    t.onclose = () => (closed = true);
    await expect(t.start()).rejects.toThrow('no server today');
    expect(closed).toBe(true);
    expect(t.alive).toBe(false);
  });

  it('serves over the HTTP face through a Bridge (shared isolation, both eras)', async () => {
    let servers = 0;
    const bridge = new Bridge({
      host: '127.0.0.1',
      port: 0,
      isolation: 'shared',
      upstream: inProcessUpstream({
        name: 'in-proc',
        connect: (t) => {
          servers++;
          return makeServer().connect(t);
        },
      }),
    });
    const { url } = await bridge.start();
    try {
      for (const mode of ['legacy', 'auto'] as const) {
        const client = new Client({ name: 'c', version: '1' }, mode === 'auto' ? { versionNegotiation: { mode: 'auto' } } : {});
        await client.connect(new StreamableHTTPClientTransport(new URL(url)));
        expect(client.getProtocolEra()).toBe(mode === 'auto' ? 'modern' : 'legacy');
        const { tools } = await client.listTools();
        expect(tools.map((t) => t.name).sort()).toEqual(['hello', 'wait']);
        const r = await client.callTool({ name: 'hello', arguments: {} });
        expect(JSON.stringify(r.content)).toContain('hello from in-process');
        await client.close();
      }
      expect(servers).toBe(1);
    } finally {
      await bridge.stop(1000);
    }
  });
});
