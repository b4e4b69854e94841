// The gateway's forwarding matrix, end to end: four real backends at once behind one `switchboard gateway` —
//   local   server-everything over stdio (2025 era),
//   remote  server-everything over its own Streamable HTTP mode (2025 era),
//   api     an OpenAPI spec compiled in-process, against a tiny HTTP API started here,
//   modern  a 2026-07-28-only HTTP server (test/fixtures/connect-modern-http.mjs: refuses 2025 initialize),
// and, for every message type a backend supports, a 2025 session client (SDK v1 Client) and a 2026-07-28 stateless
// client (SDK v2 Client, modern era). Then 32 concurrent callers with 32 different keys, one backend killed and one
// hung (SIGSTOP) mid-run, and the audit log compared with the calls made, line for line.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Http } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, ElicitRequestSchema, LoggingMessageNotificationSchema, ResourceUpdatedNotificationSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { Client as V2Client, StreamableHTTPClientTransport as V2Http } from '@modelcontextprotocol/client';
import { CLI, EVERYTHING, ROOT, freePort, killAll, startEverything, startProcess, stop, until, waitForPort } from './fixtures/connect-helpers.js';

const MODERN = join(ROOT, 'test/fixtures/connect-modern-http.mjs');
const dir = mkdtempSync(join(tmpdir(), 'sb-gw-matrix-'));
const AUDIT = join(dir, 'audit.jsonl');
const sha = (k: string) => 'sha256:' + createHash('sha256').update(k).digest('hex');
const ADMIN = 'admin-key-0123456789abcdef';

type Era = '2025' | '2026';
type AnyClient = V1Client | V2Client;

let remote: Awaited<ReturnType<typeof startEverything>>;
let modern: ReturnType<typeof startProcess>;
let gateway: ReturnType<typeof startProcess>;
let url = '';
let api: ReturnType<typeof createServer>;
const clients: AnyClient[] = [];

/** Every tool call this file makes through the gateway, as the audit log must record it. */
const expectedAudit: string[] = [];
const audited = (caller: string, server: string, tool: string, outcome: string) => expectedAudit.push(`${caller}|${server}|${tool}|${outcome}`);

// 32 callers, each with its own allow/deny globs over `server.tool`, and the exposed names each must see (spelled
// out here, not derived from the globs) among the tools it can call with a token that must come back.
const CALLABLE: Record<string, { server: string; call: (token: string, n: number) => { arguments: Record<string, unknown>; expect: string } }> = {
  local__echo: { server: 'local', call: (t) => ({ arguments: { message: t }, expect: t }) },
  'local__get-sum': { server: 'local', call: (_t, n) => ({ arguments: { a: n, b: 1_000_000 }, expect: String(n + 1_000_000) }) },
  remote__echo: { server: 'remote', call: (t) => ({ arguments: { message: t }, expect: t }) },
  'remote__get-sum': { server: 'remote', call: (_t, n) => ({ arguments: { a: n, b: 2_000_000 }, expect: String(n + 2_000_000) }) },
  api__sayHello: { server: 'api', call: (t) => ({ arguments: { name: t }, expect: `hello ${t}` }) },
  api__square: { server: 'api', call: (_t, n) => ({ arguments: { n }, expect: `"square":${n * n}` }) },
  modern__echo: { server: 'modern', call: (t) => ({ arguments: { text: t }, expect: `modern:${t}` }) },
};
const POOL = Object.keys(CALLABLE);
const glob = (exposed: string) => exposed.replace('__', '.');
interface Caller {
  id: string;
  key: string;
  allow: string[];
  deny?: string[];
  /** Which exposed names this caller sees, checked against the admin's full list. */
  sees: (name: string) => boolean;
}
const CALLERS: Caller[] = [];
// 21 callers with two exact tools each (pairs at distance 1, 2 and 3 in the pool) …
for (const k of [1, 2, 3]) {
  for (let a = 0; a < POOL.length; a++) {
    const pair = [POOL[a]!, POOL[(a + k) % POOL.length]!];
    CALLERS.push({ id: `pair${k}-${a}`, key: '', allow: pair.map(glob), sees: (n) => pair.includes(n) });
  }
}
// … and 11 with wildcards and denies.
const WILD: Omit<Caller, 'key'>[] = [
  { id: 'w-local', allow: ['local.*'], sees: (n) => n.startsWith('local__') },
  { id: 'w-remote', allow: ['remote.*'], sees: (n) => n.startsWith('remote__') },
  { id: 'w-api', allow: ['api.*'], sees: (n) => n.startsWith('api__') },
  { id: 'w-modern', allow: ['modern.*'], sees: (n) => n.startsWith('modern__') },
  { id: 'w-echo', allow: ['*.echo'], sees: (n) => n.endsWith('__echo') },
  { id: 'w-sum', allow: ['*.get-sum'], sees: (n) => n.endsWith('__get-sum') },
  { id: 'w-not-everything', allow: ['*'], deny: ['local.*', 'remote.*'], sees: (n) => !n.startsWith('local__') && !n.startsWith('remote__') },
  { id: 'w-no-echo', allow: ['*'], deny: ['*.echo'], sees: (n) => !n.endsWith('__echo') },
  { id: 'w-mixed', allow: ['remote.echo', 'api.*'], sees: (n) => n === 'remote__echo' || n.startsWith('api__') },
  { id: 'w-modern-local', allow: ['modern.*', 'local.echo'], sees: (n) => n.startsWith('modern__') || n === 'local__echo' },
  { id: 'w-get', allow: ['local.get-*'], deny: ['local.get-env'], sees: (n) => n.startsWith('local__get-') && n !== 'local__get-env' },
];
for (const w of WILD) CALLERS.push({ ...w, key: '' });
CALLERS.forEach((c, i) => (c.key = `matrix-key-${i}-${'k'.repeat(24)}`));

async function v1(key: string): Promise<V1Client> {
  const c = new V1Client({ name: 'matrix-2025', version: '1.0.0' }, { capabilities: { sampling: {}, elicitation: {} } });
  c.setRequestHandler(CreateMessageRequestSchema, async () => ({ model: 'm', role: 'assistant', content: { type: 'text', text: 'sampled-by-2025-client' } }));
  c.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { name: 'Ada', check: true, integer: 1, number: 2, enum: 'ok', yes: true } }));
  await c.connect(new V1Http(new URL(url), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
  clients.push(c);
  return c;
}

async function v2(key: string): Promise<V2Client> {
  const c = new V2Client({ name: 'matrix-2026', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' }, capabilities: { sampling: {}, elicitation: { form: {} } } });
  c.setRequestHandler('sampling/createMessage', async () => ({ model: 'm', role: 'assistant', content: { type: 'text', text: 'sampled-by-2026-client' } }));
  c.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { name: 'Ada', check: true, integer: 1, number: 2, enum: 'ok', yes: true } }));
  await c.connect(new V2Http(new URL(url), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
  expect(c.getProtocolEra()).toBe('modern');
  clients.push(c);
  return c;
}

const connect = (era: Era, key: string) => (era === '2025' ? v1(key) : v2(key));

/** tools/call in either SDK, with progress when asked. */
async function call(c: AnyClient, name: string, args: Record<string, unknown>, onprogress?: (p: { progress: number }) => void) {
  if (c instanceof V1Client) return c.callTool({ name, arguments: args }, undefined, onprogress ? { onprogress, timeout: 60_000 } : { timeout: 60_000 });
  return (c as V2Client).callTool({ name, arguments: args }, onprogress ? { onprogress, timeout: 60_000 } : { timeout: 60_000 });
}
const text = (r: { content?: unknown }) => JSON.stringify(r.content);

async function readyServers(): Promise<Record<string, { state: string }>> {
  const r = (await (await fetch(url.replace(/\/mcp$/, '/readyz'), { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as { servers?: Record<string, { state: string }> };
  return r.servers ?? {};
}

beforeAll(async () => {
  remote = await startEverything('streamableHttp');
  const modernPort = await freePort();
  modern = startProcess(process.execPath, [MODERN], { PORT: String(modernPort) });
  await waitForPort(modernPort, 30_000);
  api = createServer((req, res) => {
    const hello = /^\/hello\/([^/?]+)/.exec(req.url ?? '');
    const square = /^\/square\/(-?\d+)/.exec(req.url ?? '');
    const body = hello ? { greeting: `hello ${decodeURIComponent(hello[1]!)}` } : square ? { square: Number(square[1]) ** 2 } : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? { error: 'no such route' }));
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', () => r()));
  const apiPort = (api.address() as { port: number }).port;
  const op = (operationId: string, param: string, type: string) => ({
    get: { operationId, parameters: [{ name: param, in: 'path', required: true, schema: { type } }], responses: { 200: { description: 'ok' } } },
  });
  writeFileSync(
    join(dir, 'api.json'),
    JSON.stringify({
      openapi: '3.0.3',
      info: { title: 'Matrix API', version: '1' },
      servers: [{ url: `http://127.0.0.1:${apiPort}` }],
      paths: { '/hello/{name}': op('sayHello', 'name', 'string'), '/square/{n}': op('square', 'n', 'integer') },
    }),
  );
  writeFileSync(
    join(dir, 'keys.json'),
    JSON.stringify({ keys: [{ id: 'admin', hash: sha(ADMIN), allow: ['*'] }, ...CALLERS.map((c) => ({ id: c.id, hash: sha(c.key), allow: c.allow, ...(c.deny ? { deny: c.deny } : {}) }))] }),
  );
  const config = join(dir, 'gateway.json');
  writeFileSync(
    config,
    JSON.stringify({
      mcpServers: {
        local: { command: process.execPath, args: [EVERYTHING, 'stdio'] },
        remote: { url: remote.url, transport: 'streamable-http', timeout: '5s' },
        api: { openapi: { spec: join(dir, 'api.json'), allowPrivate: true, allowHttp: true } },
        modern: { url: `http://127.0.0.1:${modernPort}/mcp`, transport: 'streamable-http', timeout: '5s' },
      },
      gateway: { auth: { keys: join(dir, 'keys.json') }, audit: { path: AUDIT }, limits: { deadline: '1s' } },
    }),
  );
  const port = await freePort();
  gateway = startProcess(process.execPath, [CLI, 'gateway', '--config', config, '--no-watch', '--port', String(port), '--log-level', 'info']);
  url = `http://127.0.0.1:${port}/mcp`;
  await until(() => (/switchboard: listening/.test(gateway.output()) ? true : undefined), { timeoutMs: 60_000, what: 'the gateway to listen' }).catch((e: Error) => {
    e.message += `\n${gateway.output().slice(-3000)}`;
    throw e;
  });
  await until(async () => {
    const s = await readyServers();
    return ['local', 'remote', 'api', 'modern'].every((k) => s[k]?.state === 'up') ? true : undefined;
  }, { timeoutMs: 90_000, what: 'all four backends to be up' }).catch(async (e: Error) => {
    e.message += `\n${JSON.stringify(await readyServers())}\n${gateway.output().slice(-3000)}`;
    throw e;
  });
}, 180_000);

afterAll(async () => {
  try {
    process.kill(remote.child.pid!, 'SIGCONT');
  } catch {
    /* gone */
  }
  await Promise.allSettled(clients.map((c) => c.close()));
  await stop(gateway, 'SIGTERM');
  await killAll();
  await new Promise<void>((r) => api?.close(() => r()));
}, 60_000);

describe.each(['2025', '2026'] as const)('forwarding matrix — %s client', (era) => {
  let c: AnyClient;
  const caller = 'admin';
  beforeAll(async () => {
    c = await connect(era, ADMIN);
  }, 60_000);

  it('tools/list: every backend, prefixed, in one list', async () => {
    const names = (await c.listTools()).tools.map((t) => t.name);
    for (const n of POOL) expect(names, n).toContain(n);
    expect(names.every((n) => /^(local|remote|api|modern)__/.test(n))).toBe(true);
  });

  it.each(POOL)('tools/call → %s', async (name) => {
    const token = `${era}-${name}-${Math.random().toString(36).slice(2, 8)}`;
    const { arguments: args, expect: want } = CALLABLE[name]!.call(token, 7);
    const r = await call(c, name, args);
    expect(r.isError, text(r)).toBeFalsy();
    expect(text(r)).toContain(want.replace(/"/g, '\\"'));
    audited(caller, CALLABLE[name]!.server, name, 'ok');
  });

  it.each(['local', 'remote'])('resources/list, resources/templates/list and resources/read → %s', async (server) => {
    const { resources } = await c.listResources();
    const mine = resources.filter((r) => r.uri.startsWith(`demo+${server}:`));
    expect(mine.length).toBeGreaterThan(0);
    const read = await c.readResource({ uri: mine[0]!.uri });
    expect(read.contents[0]!.uri).toBe(mine[0]!.uri);
    expect(JSON.stringify(read.contents).length).toBeGreaterThan(50);
    const { resourceTemplates } = await c.listResourceTemplates();
    const template = resourceTemplates.find((t) => t.uriTemplate === `demo+${server}://resource/dynamic/text/{resourceId}`);
    expect(template, JSON.stringify(resourceTemplates.map((t) => t.uriTemplate))).toBeDefined();
    const dynamic = await c.readResource({ uri: `demo+${server}://resource/dynamic/text/3` });
    expect(dynamic.contents[0]!.uri).toBe(`demo+${server}://resource/dynamic/text/3`);
  });

  it.each(['local', 'remote'])('prompts/list and prompts/get → %s', async (server) => {
    const names = (await c.listPrompts()).prompts.map((p) => p.name);
    expect(names).toContain(`${server}__simple-prompt`);
    const r = await c.getPrompt({ name: `${server}__args-prompt`, arguments: { city: `Paris-${era}` } });
    expect(JSON.stringify(r.messages)).toContain(`Paris-${era}`);
  });

  it.each(['local', 'remote'])('completion/complete → %s', async (server) => {
    const r = await c.complete({ ref: { type: 'ref/prompt', name: `${server}__completable-prompt` }, argument: { name: 'department', value: 'Eng' } });
    expect(r.completion.values).toContain('Engineering');
  });

  // 2026-07-28 has no ping (the SDK refuses to send it): that era's liveness is server/discover, done on connect.
  it.runIf(era === '2025')('ping', async () => {
    await expect(c.ping()).resolves.toBeDefined();
  });

  // 2025 sessions only: a 2026-07-28 client subscribes through subscriptions/listen, whose filter the era front
  // supports for list_changed alone (see the 32-caller test), not for resources.
  it.runIf(era === '2025').each(['local', 'remote'])('resources/subscribe → notifications/resources/updated under the namespaced URI → %s', async (server) => {
    const v1c = c as V1Client;
    const uri = `demo+${server}://resource/dynamic/text/1`;
    const updates: string[] = [];
    v1c.setNotificationHandler(ResourceUpdatedNotificationSchema, async (n) => void updates.push(n.params.uri));
    await v1c.subscribeResource({ uri });
    await call(c, `${server}__toggle-subscriber-updates`, {});
    audited(caller, server, `${server}__toggle-subscriber-updates`, 'ok');
    try {
      // The server sends updates every 5 s: 5× that.
      await until(() => (updates.includes(uri) ? true : undefined), { timeoutMs: 25_000, what: `resources/updated for ${uri}` });
      expect(updates.every((u) => u.startsWith('demo+')), updates.join(', ')).toBe(true);
    } finally {
      await call(c, `${server}__toggle-subscriber-updates`, {});
      audited(caller, server, `${server}__toggle-subscriber-updates`, 'ok');
      await v1c.unsubscribeResource({ uri });
    }
  });

  it.runIf(era === '2025')('logging/setLevel reaches the backends; their log messages reach this session', async () => {
    const v1c = c as V1Client;
    const logs: unknown[] = [];
    v1c.setNotificationHandler(LoggingMessageNotificationSchema, async (n) => void logs.push(n.params));
    await v1c.setLoggingLevel('debug');
    await call(c, 'local__toggle-simulated-logging', {});
    audited(caller, 'local', 'local__toggle-simulated-logging', 'ok');
    try {
      await until(() => (logs.length > 0 ? true : undefined), { timeoutMs: 25_000, what: 'a log message from the backend' });
    } finally {
      await call(c, 'local__toggle-simulated-logging', {});
      audited(caller, 'local', 'local__toggle-simulated-logging', 'ok');
    }
  });

  it.each(['local', 'remote'])('resource links in a tool result name namespaced URIs that read back → %s', async (server) => {
    const r = await call(c, `${server}__get-resource-links`, { count: 2 });
    const links = (r.content as { type: string; uri?: string }[]).filter((x) => x.type === 'resource_link');
    expect(links.length).toBe(2);
    for (const link of links) {
      expect(link.uri).toMatch(new RegExp(`^demo\\+${server}:`));
      const read = await c.readResource({ uri: link.uri! });
      expect(read.contents[0]!.uri).toBe(link.uri);
    }
    audited(caller, server, `${server}__get-resource-links`, 'ok');
  });

  it.each(['local', 'remote'])('progress notifications → %s (to this call only)', async (server) => {
    const progress: number[] = [];
    const r = await call(c, `${server}__trigger-long-running-operation`, { duration: 1, steps: 3 }, (p) => progress.push(p.progress));
    expect(text(r)).toMatch(/completed/i);
    expect(progress).toEqual([1, 2, 3]);
    audited(caller, server, `${server}__trigger-long-running-operation`, 'ok');
  });

  it.each(['local', 'remote'])('cancellation reaches the one call it names, which ends (audited as cancelled) → %s', async (server) => {
    const abort = new AbortController();
    const progress: number[] = [];
    const name = `${server}__trigger-long-running-operation`;
    const started = Date.now();
    const onprogress = (p: { progress: number }) => {
      progress.push(p.progress);
      abort.abort();
    };
    const args = { name, arguments: { duration: 20, steps: 20 } };
    const outcome = await (c instanceof V1Client
      ? c.callTool(args, undefined, { onprogress, signal: abort.signal, timeout: 60_000 })
      : (c as V2Client).callTool(args, { onprogress, signal: abort.signal, timeout: 60_000 })
    ).then(
      () => 'completed',
      (e: Error) => e.name || e.message,
    );
    expect(outcome).not.toBe('completed');
    expect(progress.length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(20_000);
    audited(caller, server, name, 'error');
  });

  it.each(['local', 'remote'])('server→client sampling → %s', async (server) => {
    const r = await call(c, `${server}__trigger-sampling-request`, { prompt: 'hi', maxTokens: 5 });
    expect(text(r)).toContain(`sampled-by-${era}-client`);
    audited(caller, server, `${server}__trigger-sampling-request`, 'ok');
  });

  it.each(['local', 'remote'])('server→client elicitation → %s', async (server) => {
    const r = await call(c, `${server}__trigger-elicitation-request`, {});
    expect(text(r)).toContain('Ada');
    audited(caller, server, `${server}__trigger-elicitation-request`, 'ok');
  });

  it('a 2026-only backend asking for input (input_required) → modern__confirm', async () => {
    const r = await call(c, 'modern__confirm', {});
    expect(text(r)).toContain('confirmed:');
    expect(text(r)).toContain('yes');
    audited(caller, 'modern', 'modern__confirm', 'ok');
  });
});

describe('32 callers with 32 keys; a backend killed and one hung mid-run; the audit log', () => {
  it('each caller sees and calls exactly its scope with 0 misrouted answers; the dead and the hung backend hurt no one else; every call is audited once', async () => {
    const admin = await v1(ADMIN);
    const all = (await admin.listTools()).tools.map((t) => t.name);
    // The 2025 admin session hears the catalog change when a backend goes.
    let listChanged = 0;
    admin.setNotificationHandler(ToolListChangedNotificationSchema, async () => void listChanged++);
    // A 2026-07-28 client hears it on a subscriptions/listen stream.
    const modernAdmin = await v2(ADMIN);
    let modernListChanged = 0;
    modernAdmin.setNotificationHandler('notifications/tools/list_changed', async () => void modernListChanged++);
    const subscription = await modernAdmin.listen({ toolsListChanged: true });

    const sessions = await Promise.all(CALLERS.map(async (k, i) => ({ k, era: (i % 2 ? '2026' : '2025') as Era, c: await connect(i % 2 ? '2026' : '2025', k.key) })));
    const round = async (phase: string, usable: (name: string) => boolean) =>
      Promise.all(
        sessions.map(async ({ k, era, c }, i) => {
          const t0 = Date.now();
          const names = (await c.listTools()).tools.map((t) => t.name).sort();
          const listMs = Date.now() - t0;
          const wrong: string[] = [];
          for (const [n, name] of POOL.filter((p) => k.sees(p) && usable(p)).entries()) {
            const token = `${phase}-${k.id}-${era}-${n}`;
            const { arguments: args, expect: want } = CALLABLE[name]!.call(token, i * 100 + n);
            const r = await call(c, name, args);
            if (!text(r).includes(want.replace(/"/g, '\\"'))) wrong.push(`${name} ${token}: ${text(r).slice(0, 200)}`);
            audited(k.id, CALLABLE[name]!.server, name, r.isError ? 'error' : 'ok');
          }
          return { k, names, listMs, wrong };
        }),
      );

    // Phase 1: everything up.
    const first = await round('p1', () => true);
    for (const r of first) {
      expect(r.names, r.k.id).toEqual(all.filter(r.k.sees).sort());
      expect(r.names.length, r.k.id).toBeGreaterThan(0);
      expect(r.wrong, r.k.id).toEqual([]);
    }
    // A tool outside a caller's scope is refused like an unknown one (and audited as denied).
    for (const { k, c } of sessions.slice(0, 4)) {
      const outside = all.find((n) => !k.sees(n))!;
      const refused = await call(c, outside, {}).catch((e: Error) => e);
      expect(String((refused as Error).message ?? text(refused as never)), k.id).toMatch(/Unknown tool/);
      audited(k.id, outside.split('__')[0]!, outside, 'denied');
    }

    // Phase 2: modern killed, remote hung (SIGSTOP: the socket stays open, nothing answers).
    await stop(modern, 'SIGKILL');
    process.kill(remote.child.pid!, 'SIGSTOP');
    try {
      // The gateway notices the dead one (its connection, or the health ping) and drops it from the lists.
      await until(async () => ((await readyServers()).modern?.state === 'down' ? true : undefined), { timeoutMs: 30_000, what: 'the killed backend to be down' });
      await until(() => (listChanged > 0 ? true : undefined), { timeoutMs: 15_000, what: 'tools/list_changed (2025 session) after a backend went down' });
      await until(() => (modernListChanged > 0 ? true : undefined), { timeoutMs: 15_000, what: 'tools/list_changed (2026 listen stream) after a backend went down' });
      await subscription.close();
      const second = await round('p2', (name) => ['local', 'api'].includes(CALLABLE[name]!.server));
      for (const r of second) {
        expect(r.wrong, r.k.id).toEqual([]);
        // Lists come from memory: the hung backend never delays them (deadline 1 s; 5× on a loaded machine).
        expect(r.listMs, r.k.id).toBeLessThan(5_000);
        expect(r.names.some((n) => n.startsWith('modern__')), r.k.id).toBe(false);
      }
      // The dead and the hung backend answer their own callers with errors, within their timeout.
      for (const name of ['modern__echo', 'remote__echo']) {
        const t0 = Date.now();
        const r = await admin.callTool({ name, arguments: { text: 'x', message: 'x' } }, undefined, { timeout: 60_000 }).then(
          (x) => ({ error: x.isError ? text(x) : undefined, result: x }),
          (e: Error) => ({ error: e.message, result: undefined }),
        );
        expect(r.error, `${name}: ${JSON.stringify(r.result)}`).toBeDefined();
        expect(Date.now() - t0, name).toBeLessThan(30_000);
        // Once a backend is down its tools leave the table: a call is then an unknown tool, which names no server and
        // is not audited; a call that reached the backend's lane (the hung one, until its probe fails) is.
        if (!/Unknown tool/.test(r.error!)) audited('admin', name.split('__')[0]!, name, 'error');
      }
    } finally {
      process.kill(remote.child.pid!, 'SIGCONT');
    }

    // The audit log: exactly one line per call made above (this test and the matrix), none missing or extra.
    const lines = () => {
      try {
        return readFileSync(AUDIT, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { event: string; caller: string; server: string; tool: string; outcome: string })
          .filter((l) => l.event === 'call');
      } catch {
        return [];
      }
    };
    await until(() => (lines().length >= expectedAudit.length ? true : undefined), { timeoutMs: 20_000, what: `${expectedAudit.length} audit lines` }).catch(() => undefined);
    const got = lines().map((l) => `${l.caller}|${l.server}|${l.tool}|${l.outcome}`).sort();
    expect(got).toEqual([...expectedAudit].sort());
  }, 300_000);
});
