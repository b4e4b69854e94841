// The gateway's per-caller features end to end, through the real CLI: cached lists per scope set (and their
// invalidation on reload), W3C trace context carried to the backend and into the audit log, Prometheus metrics per
// server and tool, one API key file for the bridge and the gateway, and per-caller credentials for a remote backend.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CLI, ROOT, freePort, killAll, startProcess, stop, until } from './fixtures/connect-helpers.js';

const ECHO = join(ROOT, 'test/fixtures/echo-server.mjs');
const KEYS = { alice: 'alice-key-0123456789abcdef', carol: 'carol-key-0123456789abcdef', bob: 'bob-key-0123456789abcdef00' };
const hex = (k: string) => createHash('sha256').update(k).digest('hex');
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

const dir = mkdtempSync(join(tmpdir(), 'sb-gateway-policy-'));
const clients: Client[] = [];
let gw: { url: string; base: string; child: ReturnType<typeof startProcess>; file: string };

function config(echoDeny: string[] = []) {
  return {
    mcpServers: {
      echo: { command: process.execPath, args: [ECHO], tools: { deny: echoDeny } },
      other: { command: process.execPath, args: [ECHO] },
    },
    gateway: { auth: { keys: join(dir, 'keys.json') }, audit: { path: join(dir, 'audit.jsonl') } },
  };
}

async function client(key: string, headers: Record<string, string> = {}) {
  const c = new Client({ name: 'gw-policy', version: '1.0.0' });
  await c.connect(new StreamableHTTPClientTransport(new URL(gw.url), { requestInit: { headers: { authorization: `Bearer ${key}`, ...headers } } }));
  clients.push(c);
  return c;
}

const names = async (c: Client) => (await c.listTools()).tools.map((t) => t.name).sort();

beforeAll(async () => {
  writeFileSync(
    join(dir, 'keys.json'),
    JSON.stringify({
      keys: [
        // One file for the bridge and the gateway: the shared spelling, and the gateway's earlier one (carol).
        { id: 'alice', sha256: hex(KEYS.alice), allow: ['echo.*'], scopes: ['tools:read'] },
        { id: 'carol', hash: `sha256:${hex(KEYS.carol)}`, allow: ['echo.*'] },
        { id: 'bob', sha256: hex(KEYS.bob), allow: ['*'], deny: ['echo.crash'] },
        { id: 'revoked', sha256: hex('revoked-key-0123456789abcdef'), disabled: true },
      ],
    }),
  );
  const file = join(dir, 'gateway.json');
  writeFileSync(file, JSON.stringify(config()));
  const port = await freePort();
  const child = startProcess(process.execPath, [CLI, 'gateway', '--config', file, '--port', String(port), '--log-level', 'info', '--metrics']);
  await until(() => (/switchboard: listening/.test(child.output()) ? true : undefined), { timeoutMs: 45_000, what: 'the gateway to listen' }).catch((err: Error) => {
    err.message += `\n--- gateway output ---\n${child.output()}`;
    throw err;
  });
  const base = `http://127.0.0.1:${port}`;
  await until(async () => {
    const r = (await (await fetch(`${base}/readyz`, { headers: { authorization: `Bearer ${KEYS.bob}` } })).json()) as { servers?: Record<string, { state: string }> };
    return r.servers?.echo?.state === 'up' && r.servers?.other?.state === 'up' ? true : undefined;
  }, { timeoutMs: 60_000, what: 'both backends to be up' });
  gw = { url: `${base}/mcp`, base, child, file };
}, 90_000);

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await stop(gw?.child);
  await killAll();
});

describe('gateway lists per scope set', () => {
  it('callers with the same scopes see the same list, others their own; a reload changes every cached list', async () => {
    const [alice, carol, bob] = [await client(KEYS.alice), await client(KEYS.carol), await client(KEYS.bob)];
    const aliceNames = await names(alice);
    expect(aliceNames).toContain('echo__crash');
    expect(aliceNames.every((n) => n.startsWith('echo__'))).toBe(true);
    expect(await names(carol)).toEqual(aliceNames);
    const bobNames = await names(bob);
    expect(bobNames).not.toContain('echo__crash');
    expect(bobNames).toContain('other__echo');
    // Twice more: the cached answer is the same answer.
    expect(await names(alice)).toEqual(aliceNames);
    expect(await names(bob)).toEqual(bobNames);

    // Re-exposing a server (no restart) must reach callers whose list is cached.
    writeFileSync(gw.file, JSON.stringify(config(['echo'])));
    await until(async () => (!(await names(alice)).includes('echo__echo') ? true : undefined), { timeoutMs: 30_000, what: 'echo__echo to leave alice’s list' });
    expect(await names(carol)).not.toContain('echo__echo');
    expect(await names(bob)).not.toContain('echo__echo');
    expect(await names(bob)).toContain('other__echo');
    writeFileSync(gw.file, JSON.stringify(config()));
    await until(async () => ((await names(alice)).includes('echo__echo') ? true : undefined), { timeoutMs: 30_000, what: 'echo__echo to come back' });
  });
});

describe('gateway trace context', () => {
  const meta = (r: { structuredContent?: unknown }) => (r.structuredContent as { meta: Record<string, unknown> | null }).meta;

  it('carries the traceparent header to the backend as a child span in _meta and writes it in the audit line', async () => {
    const c = await client(KEYS.bob, { traceparent: `00-${TRACE}-${CALLER_SPAN}-01`, tracestate: 'vendor=abc' });
    const r = await c.callTool({ name: 'other__echo', arguments: { text: 'traced' } });
    const sent = meta(r)!;
    const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(String(sent.traceparent));
    expect(m, JSON.stringify(sent)).not.toBeNull();
    expect(m![1]).toBe(TRACE);
    expect(m![2]).not.toBe(CALLER_SPAN);
    expect(sent.tracestate).toBe('vendor=abc');
    const line = await until(() => {
      // A line may be half-written while we read: only whole lines count.
      const file = join(dir, 'audit.jsonl');
      const lines = (existsSync(file) ? readFileSync(file, 'utf8') : '').split('\n').flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
      return lines.find((l) => l.traceId === TRACE && l.spanId === m![2]);
    }, { timeoutMs: 10_000, what: 'the traced audit line' });
    expect(line).toMatchObject({ caller: 'bob', tool: 'other__echo', parentSpanId: CALLER_SPAN, outcome: 'ok' });
  });

  it('takes _meta.traceparent of the request over the header, and drops an invalid one instead of forwarding it', async () => {
    const c = await client(KEYS.bob, { traceparent: `00-${TRACE}-${CALLER_SPAN}-01` });
    const own = `00-${'1'.repeat(32)}-${'2'.repeat(16)}-00`;
    const viaMeta = meta(await c.callTool({ name: 'other__echo', arguments: {}, _meta: { traceparent: own } }))!;
    expect(String(viaMeta.traceparent)).toMatch(new RegExp(`^00-${'1'.repeat(32)}-[0-9a-f]{16}-00$`));

    const plain = await client(KEYS.bob, { traceparent: 'not-a-traceparent' });
    const bad = meta(await plain.callTool({ name: 'other__echo', arguments: {}, _meta: { traceparent: `ff-${TRACE}-${CALLER_SPAN}-01`, progressToken: 'kept' } }));
    // The rest of _meta still travels (the progress token under the lane's own name).
    expect(Object.keys(bad ?? {})).toEqual(['progressToken']);
  });
});

describe('gateway metrics', () => {
  const scrape = async (key?: string) => fetch(`${gw.base}/metrics`, key ? { headers: { authorization: `Bearer ${key}` } } : {});
  const value = (body: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"[\]().*+?^$|\\]/g, '\\$&')} (\\S+)$`, 'm').exec(body)?.[1] ?? 0);

  it('counts calls per server, tool and outcome, times them, shows those in flight, and only behind authentication', async () => {
    expect((await scrape()).status).toBe(401);
    const before = await (await scrape(KEYS.bob)).text();
    const alice = await client(KEYS.alice);
    const bob = await client(KEYS.bob);
    await alice.callTool({ name: 'echo__echo', arguments: { text: 'one' } });
    await alice.callTool({ name: 'echo__echo', arguments: { text: 'two' } });
    await alice.callTool({ name: 'other__echo', arguments: {} }).catch(() => undefined); // outside alice's scope
    await bob.callTool({ name: 'made_up_tool_name', arguments: {} }).catch(() => undefined);
    const slow = bob.callTool({ name: 'other__sleep', arguments: { ms: 3000 } });
    const during = await until(async () => {
      const body = await (await scrape(KEYS.bob)).text();
      return value(body, 'switchboard_tool_calls_in_flight{server="other",tool="other__sleep"}') === 1 ? body : undefined;
    }, { timeoutMs: 10_000, what: 'the slow call to show in flight' });
    await slow;
    const after = await (await scrape(KEYS.bob)).text();

    const ok = 'switchboard_tool_calls_total{server="echo",tool="echo__echo",outcome="ok"}';
    expect(value(after, ok) - value(before, ok)).toBe(2);
    const denied = 'switchboard_tool_calls_total{server="other",tool="other__echo",outcome="denied"}';
    expect(value(after, denied) - value(before, denied)).toBe(1);
    expect(value(after, 'switchboard_tool_calls_total{server="",tool="",outcome="unknown-tool"}')).toBeGreaterThanOrEqual(1);
    // A name a client made up never becomes a label.
    expect(after).not.toContain('made_up_tool_name');
    expect(value(during, 'switchboard_tool_calls_in_flight{server="other",tool="other__sleep"}')).toBe(1);
    expect(value(after, 'switchboard_tool_calls_in_flight{server="other",tool="other__sleep"}')).toBe(0);
    expect(value(after, 'switchboard_tool_call_duration_seconds_bucket{le="1",server="other",tool="other__sleep"}')).toBe(0);
    expect(value(after, 'switchboard_tool_call_duration_seconds_count{server="other",tool="other__sleep"}')).toBe(1);
  });
});

describe('one API key file for the bridge and the gateway', () => {
  it('the gateway key file lets the same keys into `switchboard bridge --api-key-file`, and a disabled key into neither', async () => {
    const port = await freePort();
    const child = startProcess(process.execPath, [CLI, 'bridge', '--port', String(port), '--api-key-file', join(dir, 'keys.json'), '--log-level', 'warn', '--', process.execPath, ECHO]);
    try {
      await until(() => (/switchboard: listening/.test(child.output()) ? true : undefined), { timeoutMs: 45_000, what: 'the bridge to listen' });
      const c = new Client({ name: 'bridge-keys', version: '1.0.0' });
      await c.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), { requestInit: { headers: { authorization: `Bearer ${KEYS.carol}` } } }));
      clients.push(c);
      expect((await c.listTools()).tools.map((t) => t.name)).toContain('echo');
      const post = (key: string, url: string) =>
        fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{"jsonrpc":"2.0","id":1,"method":"ping"}' });
      expect((await post('revoked-key-0123456789abcdef', `http://127.0.0.1:${port}/mcp`)).status).toBe(401);
      expect((await post('revoked-key-0123456789abcdef', gw.url)).status).toBe(401);
    } finally {
      await stop(child);
    }
  });
});

describe('per-caller credentials for a remote backend', () => {
  it('a caller named in callerHeaders reaches the backend over a connection with its own credential; others share one', async () => {
    const SHARED = 'gateway-shared-key-0123456789';
    const ALICE_OWN = 'alice-own-backend-key-0123456789';
    writeFileSync(join(dir, 'backend-keys.json'), JSON.stringify({ keys: [{ id: 'gw', sha256: hex(SHARED) }, { id: 'alice-own', sha256: hex(ALICE_OWN) }] }));
    writeFileSync(join(dir, 'shared.token'), SHARED);
    writeFileSync(join(dir, 'alice.token'), ALICE_OWN);
    // The remote backend: a bridge that wants an API key, one echo child per session (so a session shows as a pid).
    const bport = await freePort();
    const backend = startProcess(process.execPath, [CLI, 'bridge', '--port', String(bport), '--api-key-file', join(dir, 'backend-keys.json'), '--isolation', 'per-session', '--log-level', 'warn', '--', process.execPath, ECHO]);
    const file = join(dir, 'per-caller.json');
    writeFileSync(
      file,
      JSON.stringify({
        mcpServers: {
          remote: {
            url: `http://127.0.0.1:${bport}/mcp`,
            transport: 'streamable-http',
            headers: { Authorization: `Bearer \${file:${join(dir, 'shared.token')}}` },
            callerHeaders: { alice: { Authorization: `Bearer \${file:${join(dir, 'alice.token')}}` }, carol: { Authorization: 'Bearer not-a-key-of-the-backend-0123' } },
          },
        },
        gateway: { auth: { keys: join(dir, 'keys-remote.json') } },
      }),
    );
    // The same three callers, each allowed the remote server.
    writeFileSync(join(dir, 'keys-remote.json'), JSON.stringify({ keys: Object.entries(KEYS).map(([id, key]) => ({ id, sha256: hex(key) })) }));
    const port = await freePort();
    let child: ReturnType<typeof startProcess> | undefined;
    try {
      await until(() => (/switchboard: listening/.test(backend.output()) ? true : undefined), { timeoutMs: 45_000, what: 'the backend bridge to listen' });
      child = startProcess(process.execPath, [CLI, 'gateway', '--config', file, '--port', String(port), '--log-level', 'info']);
      const base = `http://127.0.0.1:${port}`;
      await until(async () => {
        const r = (await (await fetch(`${base}/readyz`, { headers: { authorization: `Bearer ${KEYS.bob}` } }).catch(() => undefined))?.json().catch(() => ({}))) as { servers?: Record<string, { state: string }> } | undefined;
        return r?.servers?.remote?.state === 'up' ? true : undefined;
      }, { timeoutMs: 60_000, what: 'the remote backend to be up' });
      const connect = async (key: string) => {
        const c = new Client({ name: 'per-caller', version: '1.0.0' });
        await c.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
        clients.push(c);
        return c;
      };
      const pid = async (c: Client) => JSON.stringify((await c.callTool({ name: 'remote__pid', arguments: {} })).content);
      const bobPid = await pid(await connect(KEYS.bob));
      const alicePid = await pid(await connect(KEYS.alice));
      // Alice's calls go over a connection of her own (another backend session), and every session of hers shares it.
      expect(alicePid).not.toBe(bobPid);
      expect(await pid(await connect(KEYS.alice))).toBe(alicePid);
      expect(await pid(await connect(KEYS.bob))).toBe(bobPid);
      // Carol's credential is wrong for the backend: her call fails, saying so; nobody else is affected.
      const refused = await (await connect(KEYS.carol)).callTool({ name: 'remote__pid', arguments: {} }).catch((e: Error) => e);
      expect(String((refused as Error).message)).toMatch(/refused the connection made with your credentials/);
      expect(await pid(await connect(KEYS.bob))).toBe(bobPid);
    } finally {
      await stop(child);
      await stop(backend);
    }
  });
});
