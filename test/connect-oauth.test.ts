// `switchboard connect` OAuth 2.1 against a local authorization server protecting a real MCP server:
// DCR + PKCE + loopback callback driven headlessly, token reuse, refresh on expiry, client credentials,
// wrong issuer and forged state rejected, and 5 instances at once → exactly one authorization flow.
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ROOT, connectArgs, freePort, killAll, startProcess, waitForPort } from './fixtures/connect-helpers.js';

const BROWSER = `${process.execPath} ${join(ROOT, 'test/fixtures/follow-browser.mjs')}`;
const clients: Client[] = [];

async function startAs(env: Record<string, string> = {}) {
  const port = await freePort();
  const child = startProcess(process.execPath, [join(ROOT, 'test/fixtures/oauth-server.mjs')], { PORT: String(port), ...env });
  await waitForPort(port);
  const base = `http://127.0.0.1:${port}`;
  return { base, url: `${base}/mcp`, stats: async () => (await (await fetch(`${base}/stats`)).json()) as Record<string, number>, child };
}

function configDir() {
  return mkdtempSync(join(tmpdir(), 'sb-oauth-'));
}

async function connect(url: string, dir: string, extra: string[] = [], env: Record<string, string> = {}) {
  let stderr = '';
  const transport = new StdioClientTransport({
    ...connectArgs(url, ['--config-dir', dir, ...extra]),
    env: { ...(process.env as Record<string, string>), SWITCHBOARD_BROWSER: BROWSER, ...env },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (d) => (stderr += d));
  const client = new Client({ name: 'oauth-e2e', version: '1.0.0' });
  clients.push(client);
  try {
    await client.connect(transport);
  } catch (err) {
    (err as Error).message += `\n--- connect stderr ---\n${stderr}`;
    throw err;
  }
  return { client, stderr: () => stderr };
}

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await killAll();
});

describe('connect: OAuth 2.1', () => {
  it('401 → PRM + AS discovery → DCR → PKCE S256 → loopback callback → token; tokens reused by the next run; pagination intact', async () => {
    const as = await startAs();
    const dir = configDir();
    const first = await connect(as.url, dir);
    const page1 = await first.client.listTools();
    expect(page1.tools.map((t) => t.name)).toEqual(['tool-1', 'tool-2']);
    expect(page1.nextCursor).toBe('2');
    const page2 = await first.client.listTools({ cursor: page1.nextCursor });
    expect(page2.tools.map((t) => t.name)).toEqual(['tool-3', 'tool-4']);
    const page3 = await first.client.listTools({ cursor: page2.nextCursor });
    expect(page3.tools.map((t) => t.name)).toEqual(['tool-5']);
    expect(page3.nextCursor).toBeUndefined();
    expect((await first.client.callTool({ name: 'tool-1', arguments: { text: 'hi' } })).content).toEqual([{ type: 'text', text: 'tool-1:hi' }]);
    expect(await as.stats()).toMatchObject({ registrations: 1, authorizations: 1, codeExchanges: 1, badPkce: 0 });

    // Token store: 0700 dir, 0600 file; the token never appears in the logs.
    const files = readdirSync(join(dir, 'oauth')).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(1);
    expect(statSync(join(dir, 'oauth', files[0]!)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'oauth')).mode & 0o777).toBe(0o700);
    expect(first.stderr()).not.toMatch(/"access_token"/);

    const second = await connect(as.url, dir);
    expect((await second.client.listTools()).tools).toHaveLength(2);
    expect(await as.stats()).toMatchObject({ registrations: 1, authorizations: 1 });
  });

  it('refreshes the token before / at expiry without a new authorization', async () => {
    const as = await startAs({ TOKEN_TTL: '2' });
    const dir = configDir();
    const c = await connect(as.url, dir);
    await c.client.listTools();
    await new Promise((r) => setTimeout(r, 2_500));
    expect((await c.client.callTool({ name: 'tool-2', arguments: { text: 'later' } })).content).toEqual([{ type: 'text', text: 'tool-2:later' }]);
    const s = await as.stats();
    expect(s.refreshes).toBeGreaterThanOrEqual(1);
    expect(s.authorizations).toBe(1);
  });

  it('client credentials (machine to machine, no browser)', async () => {
    const as = await startAs();
    const c = await connect(as.url, configDir(), ['--client-credentials', '--client-id', 'm2m'], { SWITCHBOARD_CLIENT_SECRET: 'm2m-secret-value' });
    expect((await c.client.listTools()).tools).toHaveLength(2);
    const s = await as.stats();
    expect(s.clientCredentials).toBe(1);
    expect(s.authorizations).toBe(0);
    expect(c.stderr()).not.toContain('m2m-secret-value');
  });

  it('rejects an authorization server whose metadata names another issuer', async () => {
    const as = await startAs({ ISSUER_OVERRIDE: 'http://127.0.0.1:1/evil' });
    const err = await connect(as.url, configDir()).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/issuer/i);
    expect((await as.stats()).authorizations).toBe(0);
  });

  it('rejects a callback whose state does not match (CSRF)', async () => {
    const as = await startAs({ BAD_STATE: '1' });
    const err = await connect(as.url, configDir()).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/state/i);
    expect((await as.stats()).codeExchanges).toBe(0);
  });

  it('403 insufficient_scope → step-up: authorizes again for the union of scopes, then the call goes through', async () => {
    const as = await startAs({ WRITE_TOOL: 'tool-2' });
    const c = await connect(as.url, configDir());
    expect((await c.client.callTool({ name: 'tool-1', arguments: { text: 'read' } })).content).toEqual([{ type: 'text', text: 'tool-1:read' }]);
    const r = await c.client.callTool({ name: 'tool-2', arguments: { text: 'write' } });
    expect(r.content).toEqual([{ type: 'text', text: 'tool-2:write' }]);
    const s = (await as.stats()) as unknown as { insufficientScope: number; authorizations: number; scopesAuthorized: string[] };
    expect(s.insufficientScope).toBe(1);
    expect(s.authorizations).toBe(2);
    expect(s.scopesAuthorized[0]!.split(' ')).not.toContain('mcp:write');
    expect(s.scopesAuthorized[1]!.split(' ').sort()).toEqual(['mcp:read', 'mcp:write']);
    expect(c.stderr()).toMatch(/step-up/);
    // The stepped-up token keeps working for the next write.
    expect((await c.client.callTool({ name: 'tool-2', arguments: { text: 'again' } })).content).toEqual([{ type: 'text', text: 'tool-2:again' }]);
    expect(((await as.stats()) as unknown as { insufficientScope: number }).insufficientScope).toBe(1);
  });

  it('5 instances started at once against the same server: exactly one authorization flow, all 5 connected', async () => {
    const as = await startAs();
    const dir = configDir();
    const all = await Promise.all(Array.from({ length: 5 }, () => connect(as.url, dir)));
    const results = await Promise.all(all.map((c) => c.client.callTool({ name: 'tool-3', arguments: { text: 'n' } })));
    for (const r of results) expect(r.content).toEqual([{ type: 'text', text: 'tool-3:n' }]);
    const s = await as.stats();
    expect(s.authorizations).toBe(1);
    expect(s.registrations).toBe(1);
    expect(s.codeExchanges).toBe(1);
  });
});
