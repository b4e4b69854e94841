// A layer on the pipe sees every tools/call of both eras with the caller's identity, and so does the server.
import { afterEach, describe, expect, it } from 'vitest';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { McpServer } from '@modelcontextprotocol/server';
import { Bridge, type BridgeOptions } from './bridge.js';
import { inProcessUpstream } from '../upstream/in-process.js';
import { LayerTransport, type Layer } from '../layer.js';
import type { SendOptions, Transport } from '../transport.js';
import { createServer } from 'node:net';
import { jwtAuthenticator } from '../http/auth/jwt.js';

interface Seen {
  method: string;
  tool?: string;
  caller?: string;
  scopes?: string[];
  subject?: unknown;
}

/** The kind of layer a gateway policy is: it records what it sees; a policy would decide. */
function observer(seen: Seen[]): Layer {
  return (next) =>
    new (class extends LayerTransport {
      protected override toServer(m: Parameters<Transport['send']>[0], o?: SendOptions) {
        const r = m as { method?: string; params?: { name?: string } };
        if (r.method === 'tools/call') {
          const who = o?.extra?.authInfo;
          seen.push({ method: r.method, tool: r.params?.name, caller: who?.clientId, scopes: who?.scopes, subject: who?.extra?.subject });
        }
        return this.next.send(m, o);
      }
    })(next);
}

function server(callers: string[]) {
  const s = new McpServer({ name: 'who', version: '1.0.0' }, { capabilities: { tools: {} } });
  s.registerTool('whoami', { description: 'names the caller' }, async (ctx) => {
    const caller = (ctx as { authInfo?: { clientId?: string } }).authInfo?.clientId ?? (ctx as { http?: { authInfo?: { clientId?: string } } }).http?.authInfo?.clientId;
    callers.push(String(caller));
    return { content: [{ type: 'text', text: `you are ${caller}` }] };
  });
  return s;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

let bridge: Bridge | undefined;
afterEach(async () => {
  await bridge?.stop(500);
  bridge = undefined;
});

async function start(options: Partial<BridgeOptions>, seen: Seen[], callers: string[]) {
  bridge = new Bridge({
    host: '127.0.0.1',
    port: 0,
    isolation: 'per-session',
    upstream: inProcessUpstream({ name: 'who', connect: (t) => server(callers).connect(t) }),
    layers: [observer(seen)],
    ...options,
  });
  return (await bridge.start()).url;
}

async function callAs(url: string, headers: Record<string, string>, mode: 'legacy' | 'auto') {
  const client = new Client({ name: 'c', version: '1' }, mode === 'auto' ? { versionNegotiation: { mode: 'auto' } } : {});
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  expect(client.getProtocolEra()).toBe(mode === 'auto' ? 'modern' : 'legacy');
  const r = await client.callTool({ name: 'whoami', arguments: {} });
  await client.close();
  return JSON.stringify(r.content);
}

describe('the caller rides with every message, in both eras', () => {
  it('API keys: the key id reaches the layer and the server, never the key', async () => {
    const seen: Seen[] = [];
    const callers: string[] = [];
    const url = await start({ apiKeys: ['alice-secret-key-0001', 'bob-secret-key-00002'] }, seen, callers);
    await callAs(url, { authorization: 'Bearer alice-secret-key-0001' }, 'legacy');
    await callAs(url, { 'x-api-key': 'bob-secret-key-00002' }, 'auto');
    expect(seen).toHaveLength(2);
    expect(seen.map((s) => s.tool)).toEqual(['whoami', 'whoami']);
    const [alice, bob] = seen.map((s) => s.caller);
    expect(alice).toMatch(/^key-[0-9a-f]{8}$/);
    expect(bob).toMatch(/^key-[0-9a-f]{8}$/);
    expect(alice).not.toBe(bob);
    expect(callers).toEqual([alice, bob]);
    expect(JSON.stringify(seen)).not.toContain('secret-key');
  });

  it('JWT access tokens: the subject and scopes reach the layer on a 2025 and a 2026 call', async () => {
    const { SignJWT, exportJWK, generateKeyPair } = await import('jose');
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
    const seen: Seen[] = [];
    const callers: string[] = [];
    const port = await freePort();
    const audience = `http://127.0.0.1:${port}/mcp`;
    const sign = (sub: string, scope: string) =>
      new SignJWT({ scope, client_id: `app-${sub}` })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer('https://as.example')
        .setAudience(audience)
        .setSubject(sub)
        .setExpirationTime('5m')
        .sign(privateKey);
    const url = await start({ port, authenticators: [jwtAuthenticator({ issuer: 'https://as.example', audience, jwks: { keys: [jwk] } })] }, seen, callers);
    await callAs(url, { authorization: `Bearer ${await sign('carol', 'tools:read user:carol')}` }, 'legacy');
    await callAs(url, { authorization: `Bearer ${await sign('dave', 'tools:read')}` }, 'auto');
    expect(seen).toEqual([
      { method: 'tools/call', tool: 'whoami', caller: 'app-carol', scopes: ['tools:read', 'user:carol'], subject: 'carol' },
      { method: 'tools/call', tool: 'whoami', caller: 'app-dave', scopes: ['tools:read'], subject: 'dave' },
    ]);
    expect(callers).toEqual(['app-carol', 'app-dave']);
  });

  it('a session opened by one caller is unknown to another', async () => {
    const url = await start({ apiKeys: ['alice-secret-key-0001', 'bob-secret-key-00002'] }, [], []);
    const init = await fetch(url, {
      method: 'POST',
      headers: { authorization: 'Bearer alice-secret-key-0001', 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'a', version: '1' } } }),
    });
    const sid = init.headers.get('mcp-session-id')!;
    await init.text();
    const stolen = await fetch(url, {
      method: 'POST',
      headers: { authorization: 'Bearer bob-secret-key-00002', 'mcp-session-id': sid, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    expect(stolen.status).toBe(404);
  });
});
