#!/usr/bin/env node
// The gateway against the bare bridge and a direct stdio client, same run, same echo child:
// added p50 at c=1, calls/s at c=64 on one session and across 64 sessions, tools/list latency with 500 tools
// aggregated from two backends while a third is hung, and RSS with 1,000 idle sessions. Rounds are interleaved
// (bridge, gateway, bridge, gateway …) so that a busy moment on this shared box hurts both alike; ratios are the
// figures to read. Writes bench/results-gateway.json; RESULTS-gateway.md is written from it by hand.
//   node bench/gateway.mjs [--rounds 2] [--seconds 5] [--only tools-list]
// --only tools-list measures the list figure alone (prints it; results-gateway.json is left as it is).
import { Pool } from 'undici';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH, ROOT, arg, describeMachine } from './lib/env.mjs';
import { StreamableSession, StdioSession } from './lib/mcp.mjs';
import { freePort, killTree, rssKb, spawnGroup, waitPort } from './lib/proc.mjs';

const ROUNDS = Number(arg('rounds', 2));
const SECONDS = Number(arg('seconds', 5));
const CLI = join(ROOT, 'packages/cli/dist/main.js');
const ECHO = join(ROOT, 'test/fixtures/echo-server.mjs');
const dir = mkdtempSync(join(tmpdir(), 'sb-bench-gw-'));

const pct = (a, p) => a[Math.min(a.length - 1, Math.floor((p / 100) * a.length))];

async function start(kind, extra = {}) {
  const port = await freePort();
  let args;
  if (kind === 'bridge') args = [CLI, 'bridge', '--port', String(port), '--isolation', 'shared', '--log-level', 'warn', '--max-sessions', '5000', '--', process.execPath, ECHO];
  else {
    const cfg = join(dir, `${kind}-${port}.json`);
    writeFileSync(cfg, JSON.stringify(extra.config ?? { mcpServers: { e: { command: process.execPath, args: [ECHO] } } }));
    args = [CLI, 'gateway', '--config', cfg, '--no-watch', '--port', String(port), '--log-level', 'warn', '--max-sessions', '5000'];
  }
  const child = spawnGroup(process.execPath, args, { logFile: join(dir, `${kind}-${port}.log`) });
  await waitPort(port, 30_000);
  // The gateway lists a backend once it is up: wait for the first successful call/list.
  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const r = await fetch(`${origin}/readyz`).then((x) => x.json()).catch(() => ({}));
    if (r.ready && (kind === 'bridge' || Object.values(r.servers ?? {}).some((s) => s.state === 'up'))) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, origin, pid: child.pid, tool: kind === 'bridge' ? 'echo' : 'e__echo' };
}

async function c1(t, n = 2000) {
  const pool = new Pool(t.origin, { connections: 2 });
  const s = await new StreamableSession(pool, '/mcp', t.tool).open();
  for (let i = 0; i < 200; i++) await s.call();
  const lat = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    if (!(await s.call())) throw new Error('call failed');
    lat.push(performance.now() - t0);
  }
  await s.close();
  await pool.close();
  lat.sort((a, b) => a - b);
  return { p50: pct(lat, 50), p99: pct(lat, 99) };
}

async function throughput(t, c, sessions) {
  const pool = new Pool(t.origin, { connections: c + 2 });
  const sess = [];
  for (let i = 0; i < sessions; i++) sess.push(await new StreamableSession(pool, '/mcp', t.tool).open());
  let n = 0;
  let errors = 0;
  let stop = false;
  const until = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: c }, async (_, w) => {
      const s = sess[w % sessions];
      while (!stop) {
        if ((await s.call().catch(() => false)) === true) n++;
        else errors++;
        if (performance.now() > until) stop = true;
      }
    }),
  );
  for (const s of sess) await s.close();
  await pool.close();
  return { callsPerSec: n / SECONDS, errors };
}

async function idleRss(t, n = 1000) {
  const before = rssKb(t.pid);
  const pool = new Pool(t.origin, { connections: 16 });
  const sess = [];
  for (let i = 0; i < n; i += 16) sess.push(...(await Promise.all(Array.from({ length: Math.min(16, n - i) }, () => new StreamableSession(pool, '/mcp', t.tool).open()))));
  await new Promise((r) => setTimeout(r, 1000));
  const after = rssKb(t.pid);
  for (const s of sess) await s.close();
  await pool.close();
  return { rssBeforeMb: before / 1024, rssWithIdleMb: after / 1024, perSessionKb: (after - before) / n };
}

async function direct() {
  const s = await new StdioSession(process.execPath, [ECHO]).open();
  for (let i = 0; i < 200; i++) await s.call();
  const lat = [];
  for (let i = 0; i < 2000; i++) {
    const t0 = performance.now();
    await s.call();
    lat.push(performance.now() - t0);
  }
  s.close?.();
  try {
    process.kill(-s.pid, 'SIGKILL');
  } catch {}
  lat.sort((a, b) => a - b);
  return { p50: pct(lat, 50), p99: pct(lat, 99) };
}

async function listLatency() {
  const config = {
    mcpServers: {
      a: { command: process.execPath, args: [join(BENCH, 'servers/many-tools.mjs'), '250'] },
      b: { command: process.execPath, args: [join(BENCH, 'servers/many-tools.mjs'), '250'] },
      h: { command: process.execPath, args: [join(BENCH, 'servers/hung.mjs')] },
    },
  };
  const t = await start('gateway-500', { config });
  const pool = new Pool(t.origin, { connections: 2 });
  const s = await new StreamableSession(pool, '/mcp', 'a__tool_0').open();
  let tools = 0;
  for (let i = 0; i < 50; i++) tools = (await s.request('tools/list')).tools.length;
  const lat = [];
  for (let i = 0; i < 300; i++) {
    const t0 = performance.now();
    await s.request('tools/list');
    lat.push(performance.now() - t0);
  }
  await s.close();
  await pool.close();
  await killTree(t.pid);
  lat.sort((a, b) => a - b);
  return { tools, p50: pct(lat, 50), p99: pct(lat, 99) };
}

if (arg('only', '') === 'tools-list') {
  console.log(JSON.stringify({ machine: describeMachine(), date: new Date().toISOString(), toolsList: await listLatency() }, null, 2));
  process.exit(0);
}
const results = { machine: describeMachine(), date: new Date().toISOString(), seconds: SECONDS, rounds: [] };
for (let r = 0; r < ROUNDS; r++) {
  const round = { direct: { c1: await direct() } };
  for (const kind of ['bridge', 'gateway']) {
    const t = await start(kind);
    round[kind] = { c1: await c1(t), c64one: await throughput(t, 64, 1), c64many: await throughput(t, 64, 64) };
    if (r === 0) round[kind].idle = await idleRss(t);
    await killTree(t.pid);
  }
  results.rounds.push(round);
  process.stderr.write(`round ${r + 1}: ${JSON.stringify(round)}\n`);
}
results.toolsList = await listLatency();
const best = (k, f) => Math.max(...results.rounds.map((r) => f(r[k])));
const min = (k, f) => Math.min(...results.rounds.map((r) => f(r[k])));
results.summary = {
  directP50: min('direct', (x) => x.c1.p50),
  bridgeP50: min('bridge', (x) => x.c1.p50),
  gatewayP50: min('gateway', (x) => x.c1.p50),
  addedP50OverBridgeMs: min('gateway', (x) => x.c1.p50) - min('bridge', (x) => x.c1.p50),
  c64oneRatio: best('gateway', (x) => x.c64one.callsPerSec) / best('bridge', (x) => x.c64one.callsPerSec),
  c64manyRatio: best('gateway', (x) => x.c64many.callsPerSec) / best('bridge', (x) => x.c64many.callsPerSec),
  gatewayC64many: best('gateway', (x) => x.c64many.callsPerSec),
  toolsListP50Ms: results.toolsList.p50,
};
writeFileSync(join(BENCH, 'results-gateway.json'), JSON.stringify(results, null, 2) + '\n');
console.log(JSON.stringify(results.summary, null, 2));
process.exit(0);
