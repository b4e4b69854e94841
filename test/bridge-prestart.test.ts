/**
 * --prestart N (issue 12, first-use friction): per-session servers started ahead of their session, with real
 * processes. N wait before any client connects; a client's session (Streamable HTTP or legacy SSE) is served by one
 * of them (its pid existed before the client connected); the pool refills; a waiting server that is killed is
 * replaced; waiting servers count toward --max-children; stopping the bridge leaves no process; the flag is refused
 * where it cannot work.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { CLI, ROOT, processesMatching, startBridge, until, type RunningBridge } from './helpers/bridge.js';

const LIFECYCLE = `${ROOT}test/fixtures/lifecycle-server.mjs`;

/** The server processes of a bridge (the bridge's own command line names the marker too). */
async function servers(marker: string, bridge: RunningBridge): Promise<number[]> {
  return (await processesMatching(marker)).filter((pid) => pid !== bridge.proc.pid);
}

async function client(url: string) {
  const c = new Client({ name: 'prestart', version: '1' });
  await c.connect(new StreamableHTTPClientTransport(new URL(url)));
  return c;
}

/** The pid of the server process behind a client's session (the fixture's `pid` tool). */
async function pidOf(c: Client): Promise<number> {
  const r = (await c.callTool({ name: 'pid', arguments: {} })) as { content: { text: string }[] };
  return Number(r.content[0]!.text);
}

async function readyz(bridge: RunningBridge): Promise<{ prestarted?: number; children?: number }> {
  return (await (await fetch(`${bridge.base}/readyz`)).json()) as { prestarted?: number; children?: number };
}

/** Until exactly `n` server processes run (the shared one included), bounded; returns their pids. */
async function settle(marker: string, bridge: RunningBridge, n: number): Promise<number[]> {
  let pids: number[] = [];
  await until(async () => (pids = await servers(marker, bridge)).length === n, { timeoutMs: 15_000, stepMs: 50 });
  return pids;
}

describe('--prestart 2', () => {
  const marker = randomUUID();
  let bridge: RunningBridge;
  beforeAll(async () => {
    bridge = await startBridge(['--log-level', 'info', '--prestart', '2', '--max-children', '4', '--metrics'], [process.execPath, LIFECYCLE, `--marker=${marker}`]);
  });
  afterAll(async () => {
    await bridge?.stop();
  });

  it('starts two servers before any client connects, serves a session from one of them, refills, and replaces one that is killed', async () => {
    // The shared server (2026-07-28 requests) and two waiting ones, with no client yet.
    const before = await settle(marker, bridge, 3);
    await until(async () => (await readyz(bridge)).prestarted === 2, { timeoutMs: 10_000, stepMs: 50 });

    const a = await client(bridge.url);
    const aPid = await pidOf(a);
    expect(before).toContain(aPid);

    // The pool refills: the session's server, the shared one, and two waiting again.
    const refilled = await settle(marker, bridge, 4);
    const fresh = refilled.filter((p) => !before.includes(p));
    expect(fresh).toHaveLength(1);
    await until(async () => (await readyz(bridge)).prestarted === 2, { timeoutMs: 10_000, stepMs: 50 });
    const metrics = await (await fetch(`${bridge.base}/metrics`)).text();
    expect(metrics).toMatch(/^switchboard_children_waiting 2$/m);

    // A waiting server that dies is replaced (its supervisor restarts it, after a backoff).
    process.kill(fresh[0]!, 'SIGKILL');
    await until(async () => !(await servers(marker, bridge)).includes(fresh[0]!), { timeoutMs: 10_000, stepMs: 50 });
    const replaced = await settle(marker, bridge, 4);
    expect(replaced.filter((p) => !refilled.includes(p))).toHaveLength(1);

    // A second session is served by a server that was waiting before it connected, too.
    const b = await client(bridge.url);
    const bPid = await pidOf(b);
    expect(replaced).toContain(bPid);
    expect(bPid).not.toBe(aPid);
    expect((await b.listTools()).tools.map((t) => t.name)).toEqual(['sleep', 'pid']);
    await Promise.all([a.close(), b.close()]);
  });

  it('a legacy SSE session takes a waiting server on its initialize, too', async () => {
    // Two sessions above closed without DELETE: they keep their servers until the idle timeout.
    const waiting = await settle(marker, bridge, 5);
    const c = new Client({ name: 'prestart-sse', version: '1' });
    await c.connect(new SSEClientTransport(new URL(`${bridge.base}/sse`)));
    expect(waiting).toContain(await pidOf(c));
    // Three sessions and one waiting server fill --max-children 4: the pool does not start a second.
    await until(async () => (await readyz(bridge)).prestarted === 1, { timeoutMs: 10_000, stepMs: 50 });
    await new Promise((r) => setTimeout(r, 500));
    expect(await servers(marker, bridge)).toHaveLength(5);
    await c.close();
  });

  it('stopping the bridge stops the waiting servers with the rest', async () => {
    expect((await servers(marker, bridge)).length).toBeGreaterThanOrEqual(3);
    expect(await bridge.stop()).toBe(0);
    await until(async () => (await processesMatching(marker)).length === 0, { timeoutMs: 10_000, stepMs: 50 });
  });
});

describe('--prestart within --max-children', () => {
  const marker = randomUUID();
  let bridge: RunningBridge;
  beforeAll(async () => {
    bridge = await startBridge(['--log-level', 'warn', '--prestart', '2', '--max-children', '2'], [process.execPath, LIFECYCLE, `--marker=${marker}`]);
  });
  afterAll(async () => {
    await bridge?.stop();
  });

  it('waiting servers count toward the limit: the pool never runs more, and refills once a session leaves', async () => {
    await settle(marker, bridge, 3);
    const a = await client(bridge.url);
    const b = await client(bridge.url);
    // Both sessions took a waiting server; the limit leaves no room for another, waiting or not.
    await new Promise((r) => setTimeout(r, 500));
    expect(await servers(marker, bridge)).toHaveLength(3);
    expect((await readyz(bridge)).prestarted).toBe(0);
    const r = await fetch(bridge.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
    });
    expect(r.status).toBe(503);
    await r.text();

    // A session that says goodbye frees its slot, and the pool takes it.
    await (a.transport as StreamableHTTPClientTransport).terminateSession();
    await a.close();
    await until(async () => (await readyz(bridge)).prestarted === 1, { timeoutMs: 10_000, stepMs: 50 });
    expect(await servers(marker, bridge)).toHaveLength(3);
    await b.close();
  });
});

describe('--prestart refusals', () => {
  const run = (args: string[]) => spawnSync(process.execPath, [CLI, 'bridge', '--port', '0', ...args, '--', process.execPath, LIFECYCLE], { encoding: 'utf8', timeout: 20_000 });

  it('refuses --prestart with shared isolation', () => {
    const r = run(['--isolation', 'shared', '--prestart', '1']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--prestart applies to --isolation per-session only/);
  });

  it('refuses --prestart above --max-children', () => {
    const r = run(['--prestart', '3', '--max-children', '2']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--prestart 3 is more than --max-children 2.*Lower --prestart or raise --max-children/);
  });

  it('refuses a negative or fractional --prestart', () => {
    expect(run(['--prestart', '-1']).stderr).toMatch(/--prestart -1: expected a whole number, 0 or more/);
    expect(run(['--prestart', '1.5']).stderr).toMatch(/--prestart 1.5: expected a whole number/);
  });
});
