// The HTTP face as an OAuth 2.1 resource server: JWT access tokens checked against the authorization server's JWKS,
// RFC 9728 metadata served, and `switchboard connect` running its whole OAuth flow against it (401 → metadata →
// the AS → DCR + PKCE → a token whose audience is the bridge) to reach a bridged stdio server.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ROOT, connectArgs, freePort, killAll, startProcess, waitForPort } from './fixtures/connect-helpers.js';
import { startBridge, type RunningBridge } from './helpers/bridge.js';

const BROWSER = `${process.execPath} ${join(ROOT, 'test/fixtures/follow-browser.mjs')}`;
const ECHO = [process.execPath, join(ROOT, 'test/fixtures/echo-server.mjs')];
const clients: Client[] = [];
const bridges: RunningBridge[] = [];

async function authorizationServer() {
  const port = await freePort();
  startProcess(process.execPath, [join(ROOT, 'test/fixtures/oauth-server.mjs')], { PORT: String(port), JWT_ACCESS_TOKENS: '1' });
  await waitForPort(port);
  const base = `http://127.0.0.1:${port}`;
  return { base, stats: async () => (await (await fetch(`${base}/stats`)).json()) as Record<string, number> };
}

async function jwtBridge(asBase: string, extra: string[] = []) {
  const port = await freePort();
  const b = await startBridge(['--jwt-issuer', asBase, '--jwt-jwks-url', `${asBase}/jwks`, '--log-level', 'debug', ...extra], ECHO, { port });
  bridges.push(b);
  return b;
}

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await Promise.allSettled(bridges.map((b) => b.stop()));
  await killAll();
});

describe('bridge --jwt-issuer: an OAuth resource server', () => {
  it('refuses a missing or forged token with 401 and a challenge that points at its metadata', async () => {
    const as = await authorizationServer();
    const b = await jwtBridge(as.base);
    const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } };
    const post = (headers: Record<string, string>) =>
      fetch(b.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify(init) });
    const none = await post({});
    expect(none.status).toBe(401);
    const challenge = none.headers.get('www-authenticate') ?? '';
    expect(challenge).toContain(`resource_metadata="${b.base}/.well-known/oauth-protected-resource/mcp"`);
    const forged = await post({ authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const meta = (await (await fetch(`${b.base}/.well-known/oauth-protected-resource/mcp`)).json()) as Record<string, unknown>;
    expect(meta).toMatchObject({ resource: b.url, authorization_servers: [as.base], bearer_methods_supported: ['header'] });
  });

  it('switchboard connect authorizes against the AS and calls the bridged server with the JWT it got', async () => {
    const as = await authorizationServer();
    const b = await jwtBridge(as.base);
    const transport = new StdioClientTransport({
      ...connectArgs(b.url, ['--config-dir', mkdtempSync(join(tmpdir(), 'sb-jwt-')), '--log-level', 'debug']),
      env: { ...(process.env as Record<string, string>), SWITCHBOARD_BROWSER: BROWSER },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (d) => (stderr += d));
    const client = new Client({ name: 'jwt-e2e', version: '1.0.0' });
    clients.push(client);
    await client.connect(transport).catch((err: Error) => {
      err.message += `\n--- connect stderr ---\n${stderr}\n--- bridge stderr ---\n${b.stderr()}`;
      throw err;
    });
    const r = await client.callTool({ name: 'echo', arguments: { text: 'through the resource server' } });
    expect(JSON.stringify(r.content)).toContain('through the resource server');
    expect(await as.stats()).toMatchObject({ registrations: 1, authorizations: 1, codeExchanges: 1 });
    // The token the AS minted names the bridge as its audience (RFC 8707), and no log line shows it.
    expect(b.stderr()).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\./);
    expect(stderr).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\./);
  });

  it('a required scope: a token without it gets 403 insufficient_scope naming it; connect steps up and gets through', async () => {
    const as = await authorizationServer();
    const b = await jwtBridge(as.base, ['--jwt-scope', 'admin:everything']);
    // A machine client's token for the bridge, with a narrower scope.
    const token = (await (
      await fetch(`${as.base}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('m2m:m2m-secret-value').toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'mcp:read', resource: b.url }),
      })
    ).json()) as { access_token: string };
    const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } };
    const narrow = await fetch(b.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token.access_token}` },
      body: JSON.stringify(init),
    });
    expect(narrow.status).toBe(403);
    expect(narrow.headers.get('www-authenticate')).toMatch(/error="insufficient_scope".*scope="admin:everything"/);

    const transport = new StdioClientTransport({
      ...connectArgs(b.url, ['--config-dir', mkdtempSync(join(tmpdir(), 'sb-jwt-')), '--log-level', 'debug']),
      env: { ...(process.env as Record<string, string>), SWITCHBOARD_BROWSER: BROWSER },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'jwt-e2e', version: '1.0.0' });
    clients.push(client);
    await client.connect(transport);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    expect((await as.stats()).scopesAuthorized).toContain('admin:everything');
  });
});
