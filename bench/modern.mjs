#!/usr/bin/env node
// The 2026-07-28 path measured against the 2025 path on the same bridge, same run: a stateless tools/call (its
// own request: envelope, Mcp-Method/Mcp-Name, no session) vs a call on a 2025 session, both to the same shared
// echo child. c=1 p50/p99 and c=64 calls/s, rounds interleaved. Writes bench/results-modern.json.
//   node bench/modern.mjs [--rounds 3] [--seconds 5]
import { Pool } from 'undici';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH, ROOT, arg, describeMachine } from './lib/env.mjs';
import { StreamableSession } from './lib/mcp.mjs';
import { freePort, killTree, spawnGroup, waitPort } from './lib/proc.mjs';

const ROUNDS = Number(arg('rounds', 3));
const SECONDS = Number(arg('seconds', 5));
const CLI = join(ROOT, 'packages/cli/dist/main.js');
const ECHO = join(ROOT, 'test/fixtures/echo-server.mjs');
const pct = (a, p) => a[Math.min(a.length - 1, Math.floor((p / 100) * a.length))];

const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
};
const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'echo' };
let id = 1;

/** One stateless 2026 call; true on a result with our id. */
async function modernCall(pool) {
  const n = id++;
  const res = await pool.request({
    path: '/mcp',
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({ jsonrpc: '2.0', id: n, method: 'tools/call', params: { name: 'echo', arguments: { text: 'hello', n: 42 }, _meta: ENVELOPE } }),
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const text = await res.body.text();
  return res.statusCode === 200 && text.includes('"result"') && text.includes(`"id":${n}`);
}

async function c1(call) {
  for (let i = 0; i < 200; i++) await call();
  const lat = [];
  for (let i = 0; i < 2000; i++) {
    const t0 = performance.now();
    if (!(await call())) throw new Error('call failed');
    lat.push(performance.now() - t0);
  }
  lat.sort((a, b) => a - b);
  return { p50: pct(lat, 50), p99: pct(lat, 99) };
}

async function c64(call) {
  let n = 0;
  let errors = 0;
  const until = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (performance.now() < until) {
        if (await call().catch(() => false)) n++;
        else errors++;
      }
    }),
  );
  return { callsPerSec: n / SECONDS, errors };
}

const port = await freePort();
const bridge = spawnGroup(process.execPath, [CLI, 'bridge', '--port', String(port), '--isolation', 'shared', '--log-level', 'warn', '--', process.execPath, ECHO]);
await waitPort(port, 30_000);
const origin = `http://127.0.0.1:${port}`;
for (let i = 0; i < 100 && !(await fetch(`${origin}/readyz`).then((r) => r.ok).catch(() => false)); i++) await new Promise((r) => setTimeout(r, 200));
const pool = new Pool(origin, { connections: 66 });
const session = await new StreamableSession(pool, '/mcp').open();
const legacy = () => session.call();
const modern = () => modernCall(pool);
const results = { machine: describeMachine(), date: new Date().toISOString(), rounds: [] };
for (let r = 0; r < ROUNDS; r++) {
  const round = { '2025': { c1: await c1(legacy), c64: await c64(legacy) }, '2026': { c1: await c1(modern), c64: await c64(modern) } };
  results.rounds.push(round);
  process.stderr.write(`round ${r + 1}: ${JSON.stringify(round)}\n`);
}
await session.close();
await pool.close();
await killTree(bridge.pid);
const best = (era, f) => Math.max(...results.rounds.map((r) => f(r[era])));
const min = (era, f) => Math.min(...results.rounds.map((r) => f(r[era])));
results.summary = {
  p50_2025: min('2025', (x) => x.c1.p50),
  p50_2026: min('2026', (x) => x.c1.p50),
  cps64_2025: best('2025', (x) => x.c64.callsPerSec),
  cps64_2026: best('2026', (x) => x.c64.callsPerSec),
};
results.summary.cps64Ratio = results.summary.cps64_2026 / results.summary.cps64_2025;
writeFileSync(join(BENCH, 'results-modern.json'), JSON.stringify(results, null, 2) + '\n');
console.log(JSON.stringify(results.summary, null, 2));
process.exit(0);
