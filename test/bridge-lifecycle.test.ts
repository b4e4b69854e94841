/**
 * The bridge's life cycle with real processes: a shared server that keeps crashing is given up loudly (readiness,
 * 503, exit for a supervisor), a per-session server that never answers initialize fails the handshake like a shared
 * one, and a shutdown answers every call it cannot finish while not waiting on calls the client cancelled.
 */
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ROOT, processesMatching, startBridge, until } from './helpers/bridge.js';

const LIFECYCLE = `${ROOT}test/fixtures/lifecycle-server.mjs`;
const server = (marker: string, ...flags: string[]) => [process.execPath, LIFECYCLE, `--marker=${marker}`, ...flags];

/** The server processes of a bridge: the bridge's own command line names the marker too. */
async function children(marker: string, bridge: { proc: { pid?: number } }): Promise<number[]> {
  return (await processesMatching(marker)).filter((pid) => pid !== bridge.proc.pid);
}

async function client(url: string, name = 'lifecycle') {
  const c = new Client({ name, version: '1' });
  await c.connect(new StreamableHTTPClientTransport(new URL(url)));
  return c;
}

const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
const POST_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

describe('a shared server in a crash loop (item 2)', () => {
  it('by default the bridge exits non-zero, naming the crash loop', async () => {
    const marker = randomUUID();
    const bridge = await startBridge(['--log-level', 'warn', '--isolation', 'shared'], server(marker, '--crash-after-init=150'));
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => {
      if (bridge.proc.exitCode !== null) return resolve(bridge.proc.exitCode);
      bridge.proc.once('exit', (c) => resolve(c));
      setTimeout(() => resolve(-1), 60_000).unref();
    });
    expect(code, bridge.stderr()).toBe(1);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(bridge.stderr()).toMatch(/will not be restarted \(crash-loop breaker: it crashed 6 times in 60s\).*--on-crash-loop exit/);
    await until(async () => (await processesMatching(marker)).length === 0, { timeoutMs: 10_000 });
  }, 90_000);

  it('with --on-crash-loop wait it stays up: /readyz 503 with the reason, initialize 503 and no session', async () => {
    const marker = randomUUID();
    const bridge = await startBridge(['--log-level', 'warn', '--isolation', 'shared', '--on-crash-loop', 'wait'], server(marker, '--crash-after-init=150'));
    try {
      const ready = await until(
        async () => {
          const r = await fetch(`${bridge.base}/readyz`);
          const body = (await r.json()) as { ready: boolean; reason?: string; sessions?: number };
          return r.status === 503 && body.reason?.includes('crash-loop') ? body : undefined;
        },
        { timeoutMs: 60_000, stepMs: 200 },
      );
      expect(ready.reason).toMatch(/is not running and will not be restarted \(crash-loop breaker/);
      expect(ready.sessions).toBe(0);

      const r = await fetch(bridge.url, { method: 'POST', headers: POST_HEADERS, body: JSON.stringify(INIT) });
      expect(r.status).toBe(503);
      expect(r.headers.get('mcp-session-id')).toBeNull();
      const body = (await r.json()) as { error: { message: string } };
      expect(body.error.message).toMatch(/will not be restarted \(crash-loop breaker/);
      const after = (await (await fetch(`${bridge.base}/readyz`)).json()) as { sessions: number };
      expect(after.sessions).toBe(0);

      // The process is still there for an operator to look at, and holds no child.
      expect(bridge.proc.exitCode).toBeNull();
      expect((await fetch(`${bridge.base}/healthz`)).status).toBe(200);
      expect(await children(marker, bridge)).toEqual([]);
    } finally {
      expect(await bridge.stop()).toBe(0);
    }
  }, 90_000);
});

describe('a per-session server that never answers initialize (item 13)', () => {
  it('the client gets the JSON-RPC error a shared server gives, and the child is stopped', async () => {
    const marker = randomUUID();
    const bridge = await startBridge(['--log-level', 'warn', '--init-timeout', '2s'], server(marker));
    try {
      // The shared connection (for 2026-07-28 requests) is answered: only the silent client's child hangs.
      expect(await children(marker, bridge)).toHaveLength(1);
      const started = Date.now();
      const err = await client(bridge.url, 'silent-client').then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).toMatch(/did not answer initialize within 2s: check that it is an MCP server speaking stdio \(raise the limit with --init-timeout\)/);
      expect(Date.now() - started).toBeLessThan(20_000);
      await until(async () => (await children(marker, bridge)).length === 1, { timeoutMs: 10_000 });
      // Others are served as before.
      const c = await client(bridge.url);
      expect((await c.listTools()).tools.map((t) => t.name)).toEqual(['sleep', 'pid']);
      await c.close();
    } finally {
      await bridge.stop();
    }
  }, 60_000);
});

for (const mode of ['per-session', 'shared'] as const) {
  describe(`shutdown (${mode})`, () => {
    it('a call still open when --grace ends gets a JSON-RPC error before its stream closes (item 9)', async () => {
      const marker = randomUUID();
      const bridge = await startBridge(['--log-level', 'warn', '--isolation', mode, '--grace', '1s'], server(marker));
      const c = await client(bridge.url);
      const call = c.callTool({ name: 'sleep', arguments: { ms: 30_000 } }, undefined, { timeout: 60_000 }).then(
        () => ({ error: undefined as Error | undefined, at: Date.now() }),
        (error: Error) => ({ error, at: Date.now() }),
      );
      await new Promise((r) => setTimeout(r, 300));
      const signalled = Date.now();
      const code = bridge.stop('SIGTERM');
      const outcome = await call;
      expect(outcome.error?.message).toMatch(/shutting down and the call did not finish within the 1s grace period \(--grace\)/);
      // The grace, not the client's own 60 s timeout, decides.
      expect(outcome.at - signalled).toBeLessThan(15_000);
      expect(await code).toBe(0);
      await until(async () => (await processesMatching(marker)).length === 0, { timeoutMs: 10_000 });
      await c.close().catch(() => {});
    }, 60_000);

    it('a call the client cancelled does not hold the shutdown for the grace (item 17)', async () => {
      const marker = randomUUID();
      const bridge = await startBridge(['--log-level', 'info', '--isolation', mode, '--grace', '60s'], server(marker));
      const c = await client(bridge.url);
      const abort = new AbortController();
      const call = c.callTool({ name: 'sleep', arguments: { ms: 120_000 } }, undefined, { signal: abort.signal }).catch((e: Error) => e);
      await new Promise((r) => setTimeout(r, 300));
      abort.abort('not needed any more');
      expect(await call).toBeInstanceOf(Error);
      // The cancellation reached the server (which, like many, does not answer a cancelled call).
      await until(() => /cancelled \{/.test(bridge.stderr()), { timeoutMs: 10_000 });
      const signalled = Date.now();
      expect(await bridge.stop('SIGTERM')).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(15_000);
      expect(bridge.stderr()).not.toMatch(/grace period over/);
      await c.close().catch(() => {});
    }, 90_000);
  });
}
