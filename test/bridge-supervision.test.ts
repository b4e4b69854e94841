/**
 * Child supervision with real processes: a crash mid-call fails that call at once and the next call
 * works; SIGTERM drains in-flight calls; nothing is ever left running; a server that cannot start
 * gives a clear error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CLI, ROOT, processesMatching, startBridge, until, type RunningBridge } from './helpers/bridge.js';

const fixture = (marker: string) => [process.execPath, `${ROOT}test/fixtures/echo-server.mjs`, `--marker=${marker}`];

async function client(url: string) {
  const c = new Client({ name: 'sup', version: '1' });
  await c.connect(new StreamableHTTPClientTransport(new URL(url)));
  return c;
}

for (const mode of ['per-session', 'shared'] as const) {
  describe(`crash recovery (${mode})`, () => {
    const marker = randomUUID();
    let bridge: RunningBridge;
    beforeAll(async () => {
      bridge = await startBridge(['--log-level', 'warn', '--isolation', mode], fixture(marker));
    });
    afterAll(async () => {
      await bridge?.stop();
    });

    it('a child killed mid-call fails the call in under a second, and the next call succeeds', async () => {
      const c = await client(bridge.url);
      try {
        const before = (await c.callTool({ name: 'pid', arguments: {} })).content as Array<{ text: string }>;
        const pid = Number(before[0]!.text);
        const started = Date.now();
        const slow = c.callTool({ name: 'sleep', arguments: { ms: 20_000 } }).then(
          () => ({ ok: true, at: Date.now() }),
          (err: Error) => ({ ok: false, at: Date.now(), message: err.message }),
        );
        await new Promise((r) => setTimeout(r, 150));
        const killedAt = Date.now();
        process.kill(pid, 'SIGKILL');
        const outcome = await slow;
        expect(outcome.ok).toBe(false);
        expect((outcome as { message: string }).message).toMatch(/exited|restart/i);
        expect(outcome.at - killedAt).toBeLessThan(1000);
        expect(outcome.at - started).toBeLessThan(5000);
        const after = await until(async () => {
          try {
            return (await c.callTool({ name: 'pid', arguments: {} })).content as Array<{ text: string }>;
          } catch {
            return undefined;
          }
        }, { timeoutMs: 5000, stepMs: 100 });
        expect(Number(after[0]!.text)).not.toBe(pid);
        expect(bridge.stderr()).toMatch(/MCP server exited/);
      } finally {
        await c.close();
      }
    });

    it('/readyz reflects the shared child', async () => {
      const r = await fetch(`${bridge.base}/readyz`);
      expect(r.status).toBe(200);
      expect(((await r.json()) as { ready: boolean }).ready).toBe(true);
    });
  });
}

describe('shutdown', () => {
  it('SIGTERM lets in-flight calls finish, exits 0 and leaves no process behind', async () => {
    const marker = randomUUID();
    const bridge = await startBridge(['--log-level', 'warn', '--grace', '5s'], fixture(marker));
    const c = await client(bridge.url);
    const c2 = await client(bridge.url);
    expect((await processesMatching(marker)).length).toBeGreaterThanOrEqual(2);
    const inflight = c.callTool({ name: 'sleep', arguments: { ms: 800 } });
    await new Promise((r) => setTimeout(r, 100));
    const code = bridge.stop('SIGTERM');
    const result = await inflight;
    expect((result.content as Array<{ text: string }>)[0]!.text).toBe('slept 800');
    expect(await code).toBe(0);
    await until(async () => (await processesMatching(marker)).length === 0, { timeoutMs: 5000 });
    await c.close().catch(() => {});
    await c2.close().catch(() => {});
  });

  it('SIGKILL of the bridge still takes its children down (stdin EOF)', async () => {
    const marker = randomUUID();
    const bridge = await startBridge(['--log-level', 'warn'], fixture(marker));
    const c = await client(bridge.url);
    expect((await processesMatching(marker)).length).toBeGreaterThanOrEqual(2);
    process.kill(bridge.proc.pid!, 'SIGKILL');
    await until(async () => (await processesMatching(marker)).length === 0, { timeoutMs: 5000 });
    await c.close().catch(() => {});
  });

  it('a server that cannot start is reported clearly and the bridge exits non-zero', async () => {
    const proc = spawn(process.execPath, [CLI, 'bridge', '--port', '0', '--', '/nonexistent/server-binary'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    proc.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((r) => proc.once('exit', r));
    expect(code).not.toBe(0);
    expect(err).toMatch(/could not start MCP server "\/nonexistent\/server-binary"/);
  });

  it('a server that keeps crashing trips the crash-loop breaker instead of spinning', async () => {
    const proc = spawn(process.execPath, [CLI, 'bridge', '--port', '0', '--', process.execPath, '-e', 'process.exit(1)'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    proc.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((r) => proc.once('exit', r));
    expect(code).not.toBe(0);
    expect(err).toMatch(/exited|crashed/i);
  });
});
