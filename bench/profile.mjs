#!/usr/bin/env node
// Where does the bridge spend its time? Runs `switchboard bridge` under `node --cpu-prof`, drives it with
// the bench generator (default: shared isolation, Streamable HTTP, c=64 on one session, 6 s), stops it
// with SIGTERM so the profile is written, then prints the top self-time frames (mapped back to the .ts
// sources through the dist source maps) and self time per file.
//   node bench/profile.mjs [--isolation shared|per-session] [--kind streamable|sse] [--c 64] [--sessions 1] [--duration 6] [--top 25]
import { fork } from 'node:child_process';
import { readFileSync, readdirSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve, relative } from 'node:path';
import { fileURLToPath, } from 'node:url';
import { SourceMap } from 'node:module';
import os from 'node:os';
import { spawnGroup, killTree, killAllSync, freePort, waitPort } from './lib/proc.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH, '..');
const arg = (n, d) => { const i = process.argv.indexOf(`--${n}`); return i === -1 ? d : process.argv[i + 1]; };
const ISO = arg('isolation', 'shared'), KIND = arg('kind', 'streamable');
const C = Number(arg('c', 64)), SESSIONS = Number(arg('sessions', 1)), DUR = Number(arg('duration', 6)) * 1000, TOP = Number(arg('top', 25));
process.on('exit', killAllSync);

const dir = join(os.tmpdir(), `switchboard-prof-${process.pid}`);
mkdirSync(dir, { recursive: true });
const port = await freePort();
const bridge = spawnGroup('node', ['--cpu-prof', '--cpu-prof-dir', dir, join(ROOT, 'packages/cli/dist/main.js'), 'bridge', '--port', String(port), '--isolation', ISO, '--log-level', 'warn', '--', 'node', join(ROOT, 'test/fixtures/echo-server.mjs')], { logFile: join(dir, 'bridge.log') });
await waitPort(port);
const gen = fork(join(BENCH, 'loadgen.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const result = await new Promise((res) => {
  gen.once('message', (m) => res(m));
  gen.send({ type: 'phase', target: { kind: KIND, origin: `http://127.0.0.1:${port}`, mcpPath: '/mcp', ssePath: '/sse' }, c: C, sessions: SESSIONS, warmMs: 1000, durMs: DUR, serverPid: bridge.pid });
});
gen.kill();
await killTree(bridge.pid, 10_000);
if (result.error) { console.error(result.error); process.exit(1); }
const r = result.result;
console.log(`load: ${ISO} · ${KIND} · c=${C} × ${SESSIONS} session(s): ${Math.round(r.rate)} calls/s, p50 ${r.p50.toFixed(2)} ms, bridge CPU ${Math.round(r.serverCpu * 100)}%, generator ${Math.round(r.genCpu * 100)}%`);

const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (!file) { console.error(`no .cpuprofile written in ${dir} (did the bridge exit cleanly?)`); process.exit(1); }
const prof = JSON.parse(readFileSync(join(dir, file), 'utf8'));
const dt = new Map();
for (let i = 0; i < prof.samples.length; i++) dt.set(prof.samples[i], (dt.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0));
const total = [...dt.values()].reduce((a, b) => a + b, 0);

const maps = new Map();
function origin(url, line, col) {
  if (!url.startsWith('file://')) return null;
  const path = fileURLToPath(url);
  if (!maps.has(path)) {
    let sm = null;
    try { if (existsSync(path + '.map')) sm = new SourceMap(JSON.parse(readFileSync(path + '.map', 'utf8'))); } catch {}
    maps.set(path, sm);
  }
  const sm = maps.get(path);
  const e = sm?.findEntry(line, col);
  if (!e?.originalSource) return null;
  const src = e.originalSource.startsWith('file://') ? fileURLToPath(e.originalSource) : resolve(dirname(path), e.originalSource);
  return `${relative(ROOT, src)}:${e.originalLine + 1}`;
}
const where = (cf) => {
  if (!cf.url) return `(${cf.functionName || 'native'})`;
  const o = origin(cf.url, cf.lineNumber, cf.columnNumber);
  if (o) return o;
  const u = cf.url.startsWith('file://') ? relative(ROOT, fileURLToPath(cf.url)) : cf.url;
  return `${u}:${cf.lineNumber + 1}`;
};
const byFrame = new Map(), byFile = new Map();
for (const n of prof.nodes) {
  const t = dt.get(n.id) ?? 0;
  if (!t) continue;
  const w = where(n.callFrame);
  const key = `${n.callFrame.functionName || '(anonymous)'}  ${w}`;
  byFrame.set(key, (byFrame.get(key) ?? 0) + t);
  const f = w.replace(/:\d+$/, '');
  byFile.set(f, (byFile.get(f) ?? 0) + t);
}
// inclusive time of our own frames (packages/…): self + everything they called
const kids = new Map(prof.nodes.map((n) => [n.id, n.children ?? []]));
const nodeById = new Map(prof.nodes.map((n) => [n.id, n]));
const incl = new Map();
const subtree = (id) => { if (incl.has(id)) return incl.get(id); let t = dt.get(id) ?? 0; for (const c of kids.get(id)) t += subtree(c); incl.set(id, t); return t; };
for (const n of prof.nodes) subtree(n.id);
const byOwnIncl = new Map();
const walk = (id, onStack) => {
  const n = nodeById.get(id);
  const w = where(n.callFrame);
  const key = `${n.callFrame.functionName || '(anonymous)'}  ${w}`;
  let next = onStack;
  if (w.startsWith('packages/') && !onStack.has(key)) { byOwnIncl.set(key, (byOwnIncl.get(key) ?? 0) + incl.get(id)); next = new Set(onStack).add(key); }
  for (const c of kids.get(id)) walk(c, next);
};
walk(prof.nodes[0].id, new Set());
const pct = (t) => `${((100 * t) / total).toFixed(1).padStart(5)}%`;
console.log(`\nprofile ${join(dir, file)} — ${(total / 1e6).toFixed(1)} s sampled\n\ntop self-time frames:`);
for (const [k, t] of [...byFrame].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${pct(t)}  ${k}`);
console.log('\nself time by file:');
for (const [k, t] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${pct(t)}  ${k}`);
console.log('\nour frames by inclusive time (self + callees):');
for (const [k, t] of [...byOwnIncl].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${pct(t)}  ${k}`);
