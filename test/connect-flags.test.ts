// `switchboard connect` flags, observed at a real server (test/fixtures/connect-probe-server.mjs) or at
// server-everything: --header / --header-file with ${ENV} reach the server and never reach stderr (even at debug);
// --timeout cuts a silent call with a JSON-RPC error but not a call that keeps sending progress; --ping-interval
// pings; and a legacy SSE server restarted mid-session is re-initialized transparently.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ROOT, connectArgs, freePort, killAll, startEverything, startProcess, stop, until, waitForPort } from './fixtures/connect-helpers.js';

const closers: (() => Promise<void>)[] = [];
let probe = '';

interface Seen {
  posts: { method: string; authorization?: string; xApiKey?: string }[];
  pings: number;
  cancelled: number;
}
const seen = async (): Promise<Seen> => (await fetch(`${probe}/seen`)).json() as Promise<Seen>;

beforeAll(async () => {
  const port = await freePort();
  startProcess(process.execPath, [join(ROOT, 'test/fixtures/connect-probe-server.mjs')], { PORT: String(port) });
  await waitForPort(port);
  probe = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await Promise.allSettled(closers.map((c) => c()));
  await killAll();
});

async function connect(url: string, extra: string[], env: Record<string, string> = {}) {
  let stderr = '';
  const transport = new StdioClientTransport({ ...connectArgs(url, extra), env: { ...(process.env as Record<string, string>), ...env }, stderr: 'pipe' });
  transport.stderr?.on('data', (d) => (stderr += d));
  const client = new Client({ name: 'flags', version: '1.0.0' });
  await client.connect(transport);
  closers.push(() => client.close());
  return { client, stderr: () => stderr };
}

describe.concurrent('connect: flags', () => {
  it('--header and --header-file (${ENV} expanded) reach the server on every request; the values never reach stderr', async () => {
    const token = 'sk-live-Q7f3v9TOKENxx81b2c3d4e5';
    const key = 'apikey-Z9y8x7FILEKEY6w5v4u3';
    const dir = mkdtempSync(join(tmpdir(), 'sb-hdr-'));
    const file = join(dir, 'headers');
    writeFileSync(file, '# secrets for the probe\nX-Api-Key: ${SB_TEST_FILE_KEY}\n\n');
    const c = await connect(`${probe}/mcp`, ['--log-level', 'trace', '--header', 'Authorization: Bearer ${SB_TEST_TOKEN}', '--header-file', file], {
      SB_TEST_TOKEN: token,
      SB_TEST_FILE_KEY: key,
    });
    expect((await c.client.callTool({ name: 'echo', arguments: { text: 'hdr' } })).content).toEqual([{ type: 'text', text: 'echo:hdr' }]);
    const posts = (await seen()).posts.filter((p) => p.authorization === `Bearer ${token}`);
    expect(posts.map((p) => p.method)).toEqual(expect.arrayContaining(['initialize', 'notifications/initialized', 'tools/call']));
    for (const p of posts) expect(p.xApiKey).toBe(key);
    expect(c.stderr()).toMatch(/connected upstream/); // the logs are there…
    expect(c.stderr()).not.toContain(token); // …the secrets are not
    expect(c.stderr()).not.toContain(key);
    expect(c.stderr()).not.toContain('Q7f3v9TOKEN');
  });

  it('--timeout: a silent call gets a clear JSON-RPC error (and is cancelled upstream); a call sending progress outlives it', async () => {
    const c = await connect(`${probe}/mcp`, ['--timeout', '1s', '--log-level', 'warn']);
    const t0 = Date.now();
    const err = (await c.client.callTool({ name: 'silent', arguments: {} }, undefined, { timeout: 20_000 }).catch((e: unknown) => e)) as { code?: number; message?: string };
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(err.code).toBe(-32001);
    expect(err.message).toMatch(/did not answer tools\/call within 1000 ms.*--timeout/);
    await until(async () => (await seen()).cancelled >= 1, { timeoutMs: 5_000, what: 'notifications/cancelled at the server' });

    const progress: number[] = [];
    const r = await c.client.callTool({ name: 'progress', arguments: { seconds: 3 } }, undefined, { timeout: 20_000, onprogress: (p) => void progress.push(p.progress) });
    expect(r.content).toEqual([{ type: 'text', text: 'done after 3s' }]);
    expect(progress.length).toBeGreaterThanOrEqual(10);
  });

  it('--ping-interval sends pings the server sees', async () => {
    const before = (await seen()).pings;
    await connect(`${probe}/mcp`, ['--ping-interval', '300ms', '--log-level', 'warn']);
    await until(async () => (await seen()).pings - before >= 3, { timeoutMs: 10_000, what: 'three pings at the server' });
  });

  it('a legacy SSE server restarted mid-session: re-initialized, the client keeps working', { timeout: 60_000 }, async () => {
    let server = await startEverything('sse');
    const c = await connect(server.url, ['--log-level', 'debug']);
    expect((await c.client.callTool({ name: 'echo', arguments: { message: 'before' } })).content).toEqual([{ type: 'text', text: 'Echo: before' }]);
    expect(c.stderr()).toContain('"transport":"sse"');
    await stop(server.child);
    server = await startEverything('sse', server.port);
    await until(() => /session re-established/.test(c.stderr()), { timeoutMs: 30_000, what: 'the session to be re-established' });
    expect((await c.client.callTool({ name: 'echo', arguments: { message: 'after' } })).content).toEqual([{ type: 'text', text: 'Echo: after' }]);
    expect((await c.client.listTools()).tools.length).toBeGreaterThan(5);
  });
});
