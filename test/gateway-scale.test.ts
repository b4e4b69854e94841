// The README's scale-out recipe, for real: two gateway replicas (--session-id-prefix r1-/r2-) behind nginx with the
// README's nginx-gateway snippet, rate limits shared through a real redis-server. Sessions stick to their replica,
// a limit holds across both, 2026-07-28 requests land on either, and a killed replica's clients get 404 and
// re-initialize on the survivor.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client as V2Client, StreamableHTTPClientTransport as V2Http } from '@modelcontextprotocol/client';
import { CLI, ROOT, freePort, killAll, startProcess, stop, until } from './fixtures/connect-helpers.js';
import { readmeSnippet } from './helpers/proxies.js';
import { redisAvailable, startRedis } from './helpers/redis.js';

const ECHO = join(ROOT, 'test/fixtures/echo-server.mjs');
const haveNginx = spawnSync('nginx', ['-v'], { stdio: 'ignore' }).status === 0;
const ready = haveNginx && redisAvailable();
const dir = mkdtempSync(join(tmpdir(), 'sb-scale-'));
const H = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

let redis: Awaited<ReturnType<typeof startRedis>>;
let nginx: ChildProcess | undefined;
let base = '';
const replicas: Record<string, ReturnType<typeof startProcess>> = {};

async function startReplica(name: string, port: number, config: string) {
  const child = startProcess(process.execPath, [CLI, 'gateway', '--config', config, '--port', String(port), '--session-id-prefix', `${name}-`, '--log-level', 'info']);
  await until(() => (/switchboard: listening/.test(child.output()) ? true : undefined), { timeoutMs: 45_000, what: `replica ${name}` });
  await until(async () => {
    const r = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as { servers?: Record<string, { state: string }> };
    return r.servers?.echo?.state === 'up' ? true : undefined;
  }, { timeoutMs: 30_000, what: `replica ${name}'s backend` });
  replicas[name] = child;
}

/** One JSON-RPC exchange over raw HTTP; returns the status, the session id header and the last JSON-RPC message. */
async function rpc(body: object, sid?: string) {
  const res = await fetch(`${base}/mcp`, { method: 'POST', headers: { ...H, ...(sid ? { 'mcp-session-id': sid } : {}) }, body: JSON.stringify(body) });
  const text = await res.text();
  const data = text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)));
  const json = data.length ? data.at(-1) : text ? JSON.parse(text) : undefined;
  return { status: res.status, sid: res.headers.get('mcp-session-id') ?? undefined, message: json as { result?: { content?: unknown }; error?: { code: number; message: string } } | undefined };
}

async function session() {
  const r = await rpc({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'scale', version: '1' } } });
  expect(r.status).toBe(200);
  await rpc({ jsonrpc: '2.0', method: 'notifications/initialized' }, r.sid);
  return r.sid!;
}

const call = (sid: string, id: number, text: string) => rpc({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo__echo', arguments: { text } } }, sid);

beforeAll(async () => {
  if (!ready) return;
  redis = await startRedis();
  const config = join(dir, 'gateway.json');
  writeFileSync(
    config,
    JSON.stringify({
      mcpServers: { echo: { command: process.execPath, args: [ECHO] } },
      gateway: { redis: { url: redis.url }, limits: { toolRateLimits: { 'echo.echo': { calls: 12, per: '10m' } } } },
    }),
  );
  const [p1, p2, front] = [await freePort(), await freePort(), await freePort()];
  await startReplica('r1', p1, config);
  await startReplica('r2', p2, config);
  const snippet = readmeSnippet('nginx-gateway').replaceAll('127.0.0.1:8081', `127.0.0.1:${p1}`).replaceAll('127.0.0.1:8082', `127.0.0.1:${p2}`).replace('listen 8080;', `listen 127.0.0.1:${front};`);
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d));
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;\nmaster_process off;\nworker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log warn;\nevents { worker_connections 256; }\nhttp {\n  access_log off;\n  client_body_temp_path ${dir}/body;\n  proxy_temp_path ${dir}/proxy;\n  fastcgi_temp_path ${dir}/fastcgi;\n  uwsgi_temp_path ${dir}/uwsgi;\n  scgi_temp_path ${dir}/scgi;\n${snippet}\n}\n`,
  );
  nginx = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore', detached: true });
  base = `http://127.0.0.1:${front}`;
  await until(async () => ((await fetch(`${base}/healthz`).catch(() => undefined))?.ok ? true : undefined), { timeoutMs: 15_000, what: 'nginx' });
}, 120_000);

afterAll(async () => {
  if (nginx?.pid) {
    try {
      process.kill(-nginx.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const r of Object.values(replicas)) await stop(r);
  await redis?.stop();
  await killAll();
});

describe.skipIf(!ready)('gateway scale-out: two replicas behind nginx, limits in Redis', () => {
  it('sessions stick to their replica; both replicas serve; the limit holds across them', async () => {
    const sids: string[] = [];
    for (let i = 0; i < 12 && (sids.length < 5 || new Set(sids.map((s) => s.slice(0, 3))).size < 2); i++) sids.push(await session());
    expect(new Set(sids.map((s) => s.slice(0, 3)))).toEqual(new Set(['r1-', 'r2-']));
    // 4 calls on every session (a session on the wrong replica would get 404 at once).
    let ok = 0;
    let limited = 0;
    for (const [i, sid] of sids.entries()) {
      for (let n = 0; n < 4; n++) {
        const r = await call(sid, 10 + n, `s${i}-${n}`);
        expect(r.status).toBe(200);
        if (r.message?.error?.code === -32029) limited++;
        else {
          expect(JSON.stringify(r.message?.result?.content)).toContain(`s${i}-${n}`);
          ok++;
        }
      }
    }
    // One caller (anonymous here), one bucket of 12, shared by both replicas through Redis.
    expect(ok).toBe(12);
    expect(limited).toBe(sids.length * 4 - 12);
  });

  it('2026-07-28 stateless requests (no session) are balanced and served', async () => {
    const c = new V2Client({ name: 'scale-2026', version: '1' }, { versionNegotiation: { mode: 'auto' } });
    await c.connect(new V2Http(new URL(`${base}/mcp`)));
    expect(c.getProtocolEra()).toBe('modern');
    const names = (await c.listTools()).tools.map((t) => t.name);
    expect(names).toContain('echo__pid');
    await c.close();
  });

  it('a killed replica: its sessions get 404 from the survivor, and a new session continues there', async () => {
    const sids: string[] = [];
    for (let i = 0; i < 8 && !sids.some((s) => s.startsWith('r1-')); i++) sids.push(await session());
    const onR1 = sids.find((s) => s.startsWith('r1-'))!;
    expect(onR1).toBeDefined();
    await stop(replicas.r1);
    const lost = await rpc({ jsonrpc: '2.0', id: 5, method: 'tools/list' }, onR1);
    expect(lost.status).toBe(404);
    const again = await session();
    expect(again.startsWith('r2-')).toBe(true);
    const r = await rpc({ jsonrpc: '2.0', id: 6, method: 'tools/list' }, again);
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.message)).toContain('echo__echo');
  });
});
