#!/usr/bin/env node
// Soak: a bridge under mixed load for --minutes (default 30) while its children are SIGKILLed at random.
// Every 10 s it samples the bridge's RSS, open file descriptors (/proc/PID/fd) and live children, then prints the
// table and the slope of each (least squares over the samples after the first minute). Not a test: vitest never
// runs it. Linux only (/proc). Needs a build (packages/cli/dist/main.js).
//
//   node bench/soak.mjs [--minutes 30] [--isolation per-session|shared] [--workers 8] [--kill-every 20]
import { readdirSync, readlinkSync } from 'node:fs';
import { ROOT, arg, describeMachine } from './lib/env.mjs';
import { descendants, freePort, killAllSync, killTree, rssKb, spawnGroup, waitPort } from './lib/proc.mjs';

const MINUTES = Number(arg('minutes', '30'));
const ISOLATION = arg('isolation', 'per-session');
const WORKERS = Number(arg('workers', '8'));
const KILL_EVERY_S = Number(arg('kill-every', '20'));
const SAMPLE_MS = 10_000;
const WARMUP_MS = 60_000;
const ACCEPT = 'application/json, text/event-stream';

for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { killAllSync(); process.exit(130); });
process.on('exit', () => killAllSync());

const port = await freePort();
const bridge = spawnGroup(process.execPath, [
  `${ROOT}/packages/cli/dist/main.js`, 'bridge', '--port', String(port), '--isolation', ISOLATION, '--log-level', 'error',
  // Abandoned sessions must be reaped within the run, or the soak measures the idle timeout rather than a leak.
  '--session-idle-timeout', '1m',
  // Room for every worker plus the abandoned sessions a minute of idle timeout holds; the default (4 × cores) would
  // turn most new sessions into 503s on a small box.
  '--max-children', String(WORKERS * 4),
  '--', process.execPath, `${ROOT}/test/fixtures/echo-server.mjs`,
], { logFile: '/tmp/switchboard-soak-bridge.log' });
await waitPort(port);
const url = `http://127.0.0.1:${port}/mcp`;

let stopped = false;
const counts = { calls: 0, failed: 0, refused: 0, sessions: 0, abandoned: 0, kills: 0 };

async function post(body, headers = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: ACCEPT, ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  return { status: res.status, sid: res.headers.get('mcp-session-id'), text };
}

let seq = 0;
const pick = (xs) => xs[Math.floor(Math.random() * xs.length)];

/** One random call on a session: echo (small or 64 KB), a short sleep with progress, the big tool, a list, a ping. */
function randomCall() {
  const id = ++seq;
  const kind = pick(['echo', 'echo', 'echo', 'echo-large', 'sleep', 'big', 'list', 'ping']);
  const call = (name, args, meta) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args, ...(meta ? { _meta: meta } : {}) } });
  switch (kind) {
    case 'echo-large': return call('echo', { pad: 'x'.repeat(64 * 1024) });
    case 'sleep': return call('sleep', { ms: 50 + Math.floor(Math.random() * 450) }, { progressToken: `p${id}` });
    case 'big': return call('big', { n: 100_000 });
    case 'list': return { jsonrpc: '2.0', id, method: 'tools/list' };
    case 'ping': return { jsonrpc: '2.0', id, method: 'ping' };
    default: return call('echo', { n: id });
  }
}

async function worker() {
  while (!stopped) {
    try {
      const init = await post({ jsonrpc: '2.0', id: ++seq, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'soak', version: '1' } } });
      // 503: every allowed child is busy (--max-children) — the budget working, counted apart from failures.
      if (init.status === 503) { counts.refused++; await new Promise((r) => setTimeout(r, 500)); continue; }
      if (init.status !== 200 || !init.sid) { counts.failed++; await new Promise((r) => setTimeout(r, 500)); continue; }
      counts.sessions++;
      const h = { 'mcp-session-id': init.sid, 'mcp-protocol-version': '2025-11-25' };
      await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, h);
      const n = 10 + Math.floor(Math.random() * 40);
      for (let i = 0; i < n && !stopped; i++) {
        const r = await post(randomCall(), h).catch(() => ({ status: 0, text: '' }));
        counts.calls++;
        if (r.status !== 200 || !r.text.includes('"result"')) counts.failed++;
      }
      // One session in ten is abandoned (a crashed client): the idle timeout must reap it.
      if (Math.random() < 0.1) counts.abandoned++;
      else await fetch(url, { method: 'DELETE', headers: h }).then((r) => r.arrayBuffer()).catch(() => {});
    } catch {
      counts.failed++;
    }
  }
}

function children() {
  // The bridge's descendants, minus its watchdog (a /bin/sh that is not an MCP server).
  return descendants(bridge.pid).filter((pid) => {
    try { return !readlinkSync(`/proc/${pid}/exe`).endsWith('/sh') && !readlinkSync(`/proc/${pid}/exe`).endsWith('/dash'); } catch { return false; }
  });
}

function fds(pid) {
  try { return readdirSync(`/proc/${pid}/fd`).length; } catch { return 0; }
}

const killer = setInterval(() => {
  const kids = children();
  if (!kids.length) return;
  try { process.kill(pick(kids), 'SIGKILL'); counts.kills++; } catch {}
}, KILL_EVERY_S * 1000);

const started = Date.now();
const samples = [];
function sample() {
  const s = { t: Math.round((Date.now() - started) / 1000), rssMb: rssKb(bridge.pid) / 1024, fds: fds(bridge.pid), children: children().length, calls: counts.calls, failed: counts.failed, kills: counts.kills };
  samples.push(s);
  const prev = samples.at(-2);
  process.stderr.write(`${String(s.t).padStart(5)} s  rss ${s.rssMb.toFixed(1).padStart(6)} MB  fds ${String(s.fds).padStart(4)}  children ${String(s.children).padStart(3)}  calls +${s.calls - (prev?.calls ?? 0)}  failed +${s.failed - (prev?.failed ?? 0)}  kills ${s.kills}\n`);
}
const sampler = setInterval(sample, SAMPLE_MS);
sample();

const machine = describeMachine();
const workers = Array.from({ length: WORKERS }, () => worker());
await new Promise((r) => setTimeout(r, MINUTES * 60_000));
stopped = true;
clearInterval(killer);
clearInterval(sampler);
sample();
await Promise.race([Promise.all(workers), new Promise((r) => setTimeout(r, 35_000))]);

/** Least-squares slope of y over t, per minute, over the samples from `fromS` seconds on. */
function slope(points, key, fromS = WARMUP_MS / 1000) {
  const pts = points.filter((p) => p.t >= fromS);
  if (pts.length < 2) return NaN;
  const mt = pts.reduce((a, p) => a + p.t, 0) / pts.length;
  const my = pts.reduce((a, p) => a + p[key], 0) / pts.length;
  const num = pts.reduce((a, p) => a + (p.t - mt) * (p[key] - my), 0);
  const den = pts.reduce((a, p) => a + (p.t - mt) ** 2, 0);
  return (num / den) * 60;
}

const bridgePid = bridge.pid;
await killTree(bridgePid, 15_000);
await new Promise((r) => setTimeout(r, 2000));
const leftover = descendants(bridgePid).length + children().length;

const out = [];
out.push(`soak: ${MINUTES} min, --isolation ${ISOLATION}, ${WORKERS} workers, a random child SIGKILLed every ${KILL_EVERY_S} s`);
out.push(`machine: ${machine.date}, ${machine.nproc} cores ${machine.cpu}, ${machine.memGb} GB, Node ${machine.node}, commit ${machine.commit}`);
out.push('');
out.push('| t (s) | RSS (MB) | fds | children | calls | failed | kills |');
out.push('|---:|---:|---:|---:|---:|---:|---:|');
for (const s of samples) out.push(`| ${s.t} | ${s.rssMb.toFixed(1)} | ${s.fds} | ${s.children} | ${s.calls} | ${s.failed} | ${s.kills} |`);
out.push('');
const half = (samples.at(-1)?.t ?? 0) / 2;
const slopes = (from) => `RSS ${slope(samples, 'rssMb', from).toFixed(3)} MB/min, fds ${slope(samples, 'fds', from).toFixed(3)}/min, children ${slope(samples, 'children', from).toFixed(3)}/min`;
out.push(`slope after the first minute: ${slopes(WARMUP_MS / 1000)}`);
// The first minutes include warm-up (JIT, heap growth) and the abandoned sessions piling up to the idle timeout.
out.push(`slope over the second half (from ${Math.round(half)} s): ${slopes(half)}`);
out.push(`calls ${counts.calls} (failed ${counts.failed}, mostly calls in flight on a killed child), sessions refused with 503 ${counts.refused}, sessions ${counts.sessions} (${counts.abandoned} abandoned), kills ${counts.kills}; processes left after stop: ${leftover}`);
process.stdout.write(out.join('\n') + '\n');
process.exit(0);
