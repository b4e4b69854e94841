#!/usr/bin/env node
// stdio → remote benchmark: `switchboard connect` vs mcp-remote vs supergateway --streamableHttp, one run.
//   node bench/connect.mjs [--duration 5] [--warmup 1] [--rounds 2] [--only connect,mcp-remote,supergateway] [--no-write] [--cpu-prof]
// One upstream (servers/http-ceiling.mjs: node:http answering Streamable HTTP itself, no child, so the
// stdio face is the bottleneck), restarted per contender. Each contender is one process with one stdio pipe;
// this process writes newline-delimited tools/call requests with c in flight (c = 1, 16, 64), matches answers
// by id, and measures calls/s, p50/p99, the contender's VmRSS and the CPU of generator / contender / upstream.
// Baseline: a direct HTTP client (lib/mcp.mjs StreamableSession over an undici Pool, keep-alive) against the
// same upstream, so "added p50" = contender p50 − direct p50 at the same c.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync, openSync, closeSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { spawnGroup, killTree, killAllSync, freePort, waitPort, rssKb, descendants, procStat, systemTicks, machineBusy, CLK_TCK } from './lib/proc.mjs';
import { BENCH, ROOT, arg, describeMachine } from './lib/env.mjs';

const DUR_MS = Number(arg('duration', 5)) * 1000;
const WARM_MS = Number(arg('warmup', 1)) * 1000;
const ONLY = arg('only', '').split(',').filter(Boolean);
const PROF = process.argv.includes('--cpu-prof'); // --cpu-prof: profile every stdio contender into the log dir
const WRITE = !process.argv.includes('--no-write');
const LOGDIR = join(os.tmpdir(), `switchboard-bench-connect-${process.pid}`);
mkdirSync(LOGDIR, { recursive: true });
// mcp-remote keeps OAuth state in ~/.mcp-auth and may try a browser: every contender gets a throwaway HOME.
const HOME = mkdtempSync(join(os.tmpdir(), 'switchboard-bench-home-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------ cleanup, whatever happens
const pipes = new Set(); // contender pids (own process groups) spawned with a stdio pipe
const cleanup = () => {
  for (const pid of pipes) {
    for (const k of descendants(pid)) try { process.kill(k, 'SIGKILL'); } catch {}
    try { process.kill(-pid, 'SIGKILL'); } catch {}
  }
  pipes.clear();
  killAllSync();
  try { rmSync(HOME, { recursive: true, force: true }); } catch {}
};
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { cleanup(); process.exit(130); });
setTimeout(() => { console.error('bench/connect: 10-minute cap reached, aborting'); cleanup(); process.exit(2); }, 10 * 60_000).unref();

// ------------------------------------------------------------------ deps and build
const need = ['undici', 'supergateway', 'mcp-remote'];
if (need.some((n) => !existsSync(join(BENCH, 'node_modules', n, 'package.json')))) {
  console.error('bench/connect: installing bench-only dependencies (npm install --prefix bench)…');
  execFileSync('npm', ['install', '--prefix', BENCH, '--no-audit', '--no-fund'], { stdio: 'inherit' });
}
const CLI = join(ROOT, 'packages/cli/dist/main.js');
if (!existsSync(CLI)) {
  console.error('bench/connect: packages/cli/dist/main.js missing; run `pnpm build` first');
  process.exit(1);
}
const { Pool } = await import('undici');
const { StreamableSession, PROTOCOL } = await import('./lib/mcp.mjs');
const pkgVersion = (name) => JSON.parse(readFileSync(join(BENCH, 'node_modules', name, 'package.json'), 'utf8')).version;
const SGV = pkgVersion('supergateway'), MRV = pkgVersion('mcp-remote'), UV = pkgVersion('undici');
const SBV = JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8')).version;

// ------------------------------------------------------------------ what we measure
const UPSTREAM = join(BENCH, 'servers/http-ceiling.mjs');
// Each contender in its quietest documented configuration (no per-message logging on stderr).
const CONTENDERS = [
  { id: 'direct', name: `direct HTTP client (undici ${UV}, baseline)`, kind: 'http' },
  { id: 'connect', name: `switchboard connect ${SBV}`, kind: 'stdio',
    argv: (url) => [CLI, 'connect', url, '--log-level', 'warn'] },
  { id: 'mcp-remote', name: `mcp-remote ${MRV}`, kind: 'stdio',
    argv: (url) => [join(BENCH, 'node_modules/mcp-remote/dist/proxy.js'), url, '--allow-http', '--transport', 'http-only', '--silent'] },
  { id: 'supergateway', name: `supergateway ${SGV} --streamableHttp`, kind: 'stdio',
    argv: (url) => [join(BENCH, 'node_modules/supergateway/dist/index.js'), '--streamableHttp', url, '--logLevel', 'none'] },
].filter((t) => ONLY.length === 0 || ONLY.includes(t.id) || t.id === 'direct');
const CS = [1, 16, 64];
const CALL_ARGS = { text: 'hello', n: 42 };

// ------------------------------------------------------------------ stdio driver: one pipe, c in flight
class Pipe {
  constructor(id, argv) {
    this.id = id;
    const fd = openSync(join(LOGDIR, `${id}.stderr.log`), 'w');
    const prof = PROF ? ['--cpu-prof', '--cpu-prof-dir', join(LOGDIR, `prof-${id}`)] : [];
    this.child = spawn('node', [...prof, ...argv], { detached: true, stdio: ['pipe', 'pipe', fd], env: { ...process.env, HOME, MCP_REMOTE_CONFIG_DIR: join(HOME, '.mcp-auth'), BROWSER: 'true' } });
    closeSync(fd);
    this.pid = this.child.pid;
    pipes.add(this.pid);
    this.exited = new Promise((r) => this.child.once('exit', (code, sig) => { pipes.delete(this.pid); r(`exited (code ${code}, signal ${sig})`); }));
    this.child.stdin.on('error', () => {});
    this.child.stdout.setEncoding('utf8');
    this.buf = '';
    this.pending = new Map(); // id → callback(msg)
    this.nextId = 1;
    this.out = '';
    this.child.stdout.on('data', (chunk) => this.#feed(chunk));
  }
  #feed(chunk) {
    this.buf += chunk;
    let i;
    while ((i = this.buf.indexOf('\n')) !== -1) {
      const line = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 1);
      if (!line.trim()) continue;
      let m;
      try { m = JSON.parse(line); } catch { continue; }
      const cb = m.id !== undefined && this.pending.get(m.id);
      if (cb) { this.pending.delete(m.id); cb(m); }
    }
    this.flush(); // requests issued while handling this chunk leave in one write
  }
  queue(msg) { this.out += JSON.stringify(msg) + '\n'; }
  flush() { if (this.out) { this.child.stdin.write(this.out); this.out = ''; } }
  async request(method, params, timeoutMs = 20_000) {
    const id = `init-${this.nextId++}`;
    const got = new Promise((res) => this.pending.set(id, res));
    this.queue({ jsonrpc: '2.0', id, method, params });
    this.flush();
    const r = await Promise.race([got, sleep(timeoutMs).then(() => ({ timeout: true })), this.exited.then((why) => ({ exited: why }))]);
    this.pending.delete(id);
    if (r.timeout) throw new Error(`${method}: no answer in ${timeoutMs / 1000} s`);
    if (r.exited) throw new Error(`${method}: contender ${r.exited}`);
    if (!r.result) throw new Error(`${method}: ${JSON.stringify(r.error ?? r).slice(0, 300)}`);
    return r.result;
  }
  async open() {
    const init = await this.request('initialize', { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'switchboard-bench', version: '1' } });
    this.queue({ jsonrpc: '2.0', method: 'notifications/initialized' });
    this.flush();
    const list = await this.request('tools/list', {});
    if (!list.tools?.some((t) => t.name === 'echo')) throw new Error('tools/list: no echo tool');
    return init;
  }
  /** Keep c calls in flight until stop(); onDone(latencyMs, ok) for every answer. */
  drive(c, onDone) {
    let running = true;
    const send = () => {
      const id = this.nextId++;
      const t = performance.now();
      this.pending.set(id, (m) => {
        onDone(performance.now() - t, m.result !== undefined && !m.result.isError);
        if (running) send();
      });
      this.queue({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: CALL_ARGS } });
    };
    for (let i = 0; i < c; i++) send();
    this.flush();
    return () => { running = false; };
  }
  inFlight() { return this.pending.size; }
  async close() { pipes.delete(this.pid); await killTree(this.pid, 2000); }
}

// ------------------------------------------------------------------ direct HTTP driver
class Direct {
  constructor(origin) { this.origin = origin; }
  async open(c) {
    this.pool = new Pool(this.origin, { connections: c + 2, pipelining: 1, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000 });
    this.sess = await new StreamableSession(this.pool, '/mcp').open();
  }
  drive(c, onDone) {
    let running = true, live = 0;
    const worker = async () => {
      live++;
      while (running) {
        const t = performance.now();
        let ok = false;
        try { ok = await this.sess.call(); } catch {}
        onDone(performance.now() - t, ok);
        if (!ok && running) await sleep(5);
      }
      live--;
    };
    for (let i = 0; i < c; i++) worker();
    this.inFlight = () => live;
    return () => { running = false; };
  }
  async close() { await this.sess?.close(); await Promise.race([this.pool?.destroy(), sleep(2000)]); }
}

// ------------------------------------------------------------------ one cell
const MAX_SAMPLES = 2_000_000;
const lat = new Float64Array(MAX_SAMPLES);
const pct = (s, p) => (s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN);
const ticksOf = (pids) => pids.reduce((a, p) => a + (procStat(p)?.ticks ?? 0), 0);

async function cell(driver, c, { contenderPid, upstreamPid }) {
  let n = 0, errors = 0, measuring = false;
  const stop = driver.drive(c, (ms, ok) => {
    if (!measuring) return;
    if (ok) { if (n < MAX_SAMPLES) lat[n] = ms; n++; } else errors++;
  });
  await sleep(WARM_MS);
  const cpids = contenderPid ? [contenderPid, ...descendants(contenderPid)] : [];
  const c0 = ticksOf(cpids), u0 = ticksOf([upstreamPid]), g0 = process.cpuUsage(), s0 = systemTicks();
  const t0 = performance.now();
  measuring = true;
  await sleep(DUR_MS);
  measuring = false;
  const el = (performance.now() - t0) / 1000;
  const g = process.cpuUsage(g0), s1 = systemTicks();
  const contenderCpu = (ticksOf(cpids) - c0) / CLK_TCK / el, upstreamCpu = (ticksOf([upstreamPid]) - u0) / CLK_TCK / el;
  const genCpu = (g.user + g.system) / 1e6 / el;
  const rss = cpids.reduce((a, p) => a + rssKb(p), 0);
  stop();
  // drain: every call in flight answers (bounded) so the next cell starts clean
  const deadline = Date.now() + 10_000;
  while (driver.inFlight() > 0 && Date.now() < deadline) await sleep(10);
  const sorted = lat.subarray(0, Math.min(n, MAX_SAMPLES)).sort();
  return {
    c, calls: n, errors, rate: n / el, p50: pct(sorted, 50), p99: pct(sorted, 99),
    genCpu, contenderCpu, upstreamCpu, rssKb: rss,
    foreignCpu: Math.max(0, (s1.busy - s0.busy) / CLK_TCK / el - genCpu - contenderCpu - upstreamCpu),
    stuck: driver.inFlight(),
  };
}

// The box may be shared: wait (bounded) for it to be quiet before each cell; re-run a disturbed cell (bounded).
const NOISY = 0.25;
let quietBudgetMs = 60_000;
async function waitQuiet() {
  const t0 = Date.now();
  const deadline = t0 + Math.min(10_000, quietBudgetMs);
  let busy = await machineBusy(400);
  while (busy > 0.3 && Date.now() < deadline) busy = await machineBusy(800);
  quietBudgetMs = Math.max(0, quietBudgetMs - (Date.now() - t0));
  return busy;
}

async function startUpstream(tag) {
  const port = await freePort();
  const child = spawnGroup('node', [UPSTREAM, String(port)], { logFile: join(LOGDIR, `upstream-${tag}.log`) });
  await waitPort(port, 15_000);
  return { port, pid: child.pid, origin: `http://127.0.0.1:${port}`, url: `http://127.0.0.1:${port}/mcp` };
}

const fmtRate = (x) => (Number.isFinite(x) ? (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1)) : '—');
const fmtMs = (x) => (Number.isFinite(x) ? (x < 1 ? x.toFixed(3) : x < 10 ? x.toFixed(2) : x.toFixed(1)) + ' ms' : '—');
const fmtCores = (x) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : '—');
const mb = (k) => (Number.isFinite(k) && k > 0 ? `${(k / 1024).toFixed(1)} MB` : '—');

// Cells run interleaved (round → c → contender) so a busy neighbour on a shared box hits every contender alike;
// each contender keeps one process (and one upstream) for the whole run; per cell the least disturbed round is kept.
const ROUNDS = Number(arg('rounds', 2));
async function openContender(t) {
  const out = { id: t.id, name: t.name, kind: t.kind, cells: {} };
  try {
    out.up = await startUpstream(t.id);
    if (t.kind === 'stdio') {
      const t0 = performance.now();
      out.driver = new Pipe(t.id, t.argv(out.up.url));
      await out.driver.open();
      out.openMs = performance.now() - t0;
      await sleep(500);
      out.idleRssKb = rssKb(out.driver.pid);
    }
  } catch (e) { fail(out, e); }
  return out;
}
function fail(out, e) {
  out.error = String(e?.message ?? e);
  let tail = '';
  try { tail = readFileSync(join(LOGDIR, `${out.id}.stderr.log`), 'utf8').slice(-800); } catch {}
  out.stderrTail = tail;
  console.error(`  ${out.name}: FAILED ${out.error}\n${tail}`);
}
async function closeContender(o) {
  await o.driver?.close().catch(() => {});
  if (o.up) await killTree(o.up.pid);
  delete o.driver; delete o.up;
}
async function runCell(o, c, round) {
  let driver = o.driver;
  try {
    if (o.kind === 'http') { driver = new Direct(o.up.origin); await driver.open(c); }
    await waitQuiet();
    const x = await cell(driver, c, { contenderPid: o.kind === 'stdio' ? driver.pid : 0, upstreamPid: o.up.pid });
    const r = o.cells[c];
    if (!r || x.foreignCpu < r.foreignCpu) o.cells[c] = { ...x, round };
    console.error(`  r${round} ${o.name.padEnd(40)} c=${String(c).padEnd(3)} ${fmtRate(x.rate).padStart(7)} calls/s  p50 ${fmtMs(x.p50)}  p99 ${fmtMs(x.p99)}  err ${x.errors}${x.stuck ? ` STUCK ${x.stuck}` : ''}  RSS ${mb(x.rssKb)}  CPU gen ${fmtCores(x.genCpu)} / contender ${fmtCores(x.contenderCpu)} / upstream ${fmtCores(x.upstreamCpu)} / others ${fmtCores(x.foreignCpu)}`);
    if (x.stuck) throw new Error(`${x.stuck} calls never answered after the c=${c} cell`);
  } catch (e) { fail(o, e); } finally {
    if (o.kind === 'http') await driver?.close().catch(() => {});
  }
}

// ------------------------------------------------------------------ main
const machine = describeMachine();
const started = Date.now();
console.error(`bench/connect: ${machine.date} · ${machine.nproc} × ${machine.cpu} · node ${machine.node} · ${WARM_MS / 1000} s warm-up + ${DUR_MS / 1000} s per cell · logs in ${LOGDIR}`);
const results = [];
for (const t of CONTENDERS) results.push(await openContender(t));
for (let round = 1; round <= ROUNDS; round++)
  for (const c of CS) for (const o of results) if (!o.error) await runCell(o, c, round);
for (const o of results) await closeContender(o);
const secs = ((Date.now() - started) / 1000).toFixed(0);

// ------------------------------------------------------------------ report
const by = Object.fromEntries(results.map((r) => [r.id, r]));
const get = (id, c, k) => by[id]?.cells?.[c]?.[k];
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '—');
const table = (head, rows) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const flag = (x) => (x?.foreignCpu > NOISY ? ' †' : '') + (x?.errors ? ` (${x.errors} err)` : '');

const mainRows = results.map((r) => {
  if (r.error && !Object.keys(r.cells).length) return [r.name, ...CS.flatMap(() => ['failed', '', '']), '—', '—'];
  return [r.name,
    ...CS.flatMap((c) => { const x = r.cells[c]; return x ? [fmtRate(x.rate) + flag(x), fmtMs(x.p50), fmtMs(x.p99)] : ['—', '', '']; }),
    r.kind === 'stdio' ? `${mb(r.idleRssKb)} / ${mb(r.cells[64]?.rssKb)}` : 'n/a',
    r.cells[64] ? `${fmtCores(r.cells[64].genCpu)} / ${r.kind === 'stdio' ? fmtCores(r.cells[64].contenderCpu) : '—'} / ${fmtCores(r.cells[64].upstreamCpu)}` : '—'];
});
const mainTable = table(['contender', ...CS.flatMap((c) => [`calls/s c=${c}`, `p50 c=${c}`, `p99 c=${c}`]), 'RSS idle / after c=64', 'CPU @c=64 gen / contender / upstream'], mainRows);

const addedRows = results.filter((r) => r.kind === 'stdio').map((r) => [r.name, ...CS.map((c) => {
  const a = get(r.id, c, 'p50'), d = get('direct', c, 'p50');
  return Number.isFinite(a) && Number.isFinite(d) ? `${(a - d >= 0 ? '+' : '')}${(a - d).toFixed(3)} ms` : '—';
})]);
const addedTable = table(['contender', ...CS.map((c) => `added p50 c=${c} (vs direct)`)], addedRows);

const ratioRows = CS.map((c) => [`c=${c}`, ratio(get('connect', c, 'rate'), get('mcp-remote', c, 'rate')), ratio(get('connect', c, 'rate'), get('supergateway', c, 'rate')), ratio(get('connect', c, 'rate'), get('direct', c, 'rate'))]);
const ratioTable = table(['cell', 'connect / mcp-remote (calls/s)', 'connect / supergateway (calls/s)', 'connect / direct HTTP'], ratioRows);

const cpuRows = results.map((r) => [r.name, ...CS.map((c) => { const x = r.cells[c]; return x ? `${fmtCores(x.genCpu)} / ${r.kind === 'stdio' ? fmtCores(x.contenderCpu) : '—'} / ${fmtCores(x.upstreamCpu)} / ${fmtCores(x.foreignCpu)}` : '—'; })]);
const cpuTable = table(['contender (generator / contender / upstream / other processes, % of one core)', ...CS.map((c) => `c=${c}`)], cpuRows);

const verdict = [];
const check = (what, value, goal, ok, why) => verdict.push(`- ${ok ? '✅ met' : '❌ missed'} — ${what}: ${value} (target ${goal})${ok ? '' : `; ${why}`}`);
// The targets of issue 11, all same-run ratios: throughput near a direct client and far above the peers where load
// is real (c=16, c=64), the floor a stdio hop adds at c=1, and what an idle connect costs a desktop.
for (const c of [16, 64]) {
  const a = get('connect', c, 'rate'), d = get('direct', c, 'rate');
  if (Number.isFinite(a) && Number.isFinite(d)) check(`calls/s vs the direct HTTP client at c=${c}`, `${(a / d).toFixed(2)}× (${fmtRate(a)} vs ${fmtRate(d)})`, '≥ 0.5×', a / d >= 0.5, `short by ${(0.5 - a / d).toFixed(2)}× (needs ${fmtRate(0.5 * d)} calls/s)`);
  for (const peer of ['mcp-remote', 'supergateway']) {
    const b = get(peer, c, 'rate');
    if (Number.isFinite(a) && Number.isFinite(b)) check(`calls/s vs ${peer} at c=${c}`, `${(a / b).toFixed(2)}× (${fmtRate(a)} vs ${fmtRate(b)})`, '≥ 3×', a / b >= 3, `short by ${(3 - a / b).toFixed(2)}× (needs ${fmtRate(3 * b)} calls/s, ${fmtRate(3 * b - a)} more)`);
    else verdict.push(`- ⚠ not measured — calls/s vs ${peer} at c=${c}: ${by[peer]?.error ?? by.connect?.error ?? 'missing cell'}`);
  }
}
{
  const a = get('connect', 1, 'p50'), d = get('direct', 1, 'p50');
  if (Number.isFinite(a) && Number.isFinite(d)) { const x = a - d; check('added p50 over direct HTTP at c=1', `${x.toFixed(3)} ms (${fmtMs(a)} vs ${fmtMs(d)})`, '≤ 0.3 ms', x <= 0.3, `over by ${(x - 0.3).toFixed(3)} ms`); }
  const rss = by.connect?.idleRssKb;
  if (Number.isFinite(rss) && rss > 0) check('idle RSS of connect', mb(rss), '≤ 60 MB', rss <= 60 * 1024, `over by ${((rss - 60 * 1024) / 1024).toFixed(1)} MB`);
}
const failures = results.filter((r) => r.error).map((r) => `- **${r.name}** failed: ${r.error}${r.stderrTail ? `\n\n  \`\`\`\n  ${r.stderrTail.trim().split('\n').slice(-8).join('\n  ')}\n  \`\`\`` : ''}`);

const generated = `# connect benchmark — switchboard connect vs mcp-remote vs supergateway (stdio → Streamable HTTP)

Generated by \`node bench/connect.mjs\` — do not edit above the analysis marker; it is rewritten on every run.

- Date: ${machine.date}
- Machine: ${machine.nproc} × ${machine.cpu}, ${machine.memGb} GiB RAM, Node ${machine.node}, commit ${machine.commit}; whole run ${secs} s
- Upstream (one per contender, fresh): \`bench/servers/http-ceiling.mjs\` on 127.0.0.1 — node:http answering initialize /
  tools/list / tools/call itself (no child process), the fastest Streamable HTTP server the bench has, so the stdio face
  is what limits each row. Every call is \`tools/call echo {"text":"hello","n":42}\`; answers come back as one SSE event.
- Contenders, one process and one stdio pipe each, quietest settings: \`switchboard connect URL --log-level warn\`,
  \`mcp-remote URL --allow-http --transport http-only --silent\` (HOME and MCP_REMOTE_CONFIG_DIR in a temp dir),
  \`supergateway --streamableHttp URL --logLevel none\`.
- Cells run interleaved (round → c → contender), ${ROUNDS} rounds; each cell shown is the least disturbed round of its contender.
- Load: this process writes newline-delimited JSON-RPC requests with c in flight on the one pipe (requests issued while
  handling one stdout chunk leave in one write) and matches answers by id; ${WARM_MS / 1000} s warm-up then ${DUR_MS / 1000} s measured per cell.
- Baseline "direct HTTP": \`lib/mcp.mjs\` StreamableSession over an undici ${UV} Pool (keep-alive, c connections, pipelining 1)
  against the same upstream; added p50 = contender p50 − direct p50 at the same c.
- RSS = VmRSS of the contender (plus descendants, none here) after initialize + 0.5 s, and at the end of the c=64 cell.
- CPU in % of one core over the measured window (/proc ticks; generator = this process, \`process.cpuUsage()\`).
  † = other processes on the box used more than ${fmtCores(NOISY)} of a core during the window.

## Throughput and latency (one stdio pipe)

${mainTable}

## Added p50 over a direct HTTP client

${addedTable}

## Ratios

${ratioTable}

## CPU per cell

${cpuTable}

## Targets

${verdict.join('\n')}
${failures.length ? `\n## Contenders that did not run\n\n${failures.join('\n')}\n` : ''}`;
const MARK = '<!-- analysis: kept across runs -->';
const file = join(BENCH, 'RESULTS-connect.md');
const prev = existsSync(file) ? readFileSync(file, 'utf8') : '';
const kept = prev.includes(MARK) ? prev.slice(prev.indexOf(MARK)) : `${MARK}\n\n## Analysis\n\n(none yet)\n`;
console.log(`\n${mainTable}\n\n${addedTable}\n\n${ratioTable}\n\n${cpuTable}\n\n${verdict.join('\n')}\n${failures.join('\n')}`);
if (WRITE) {
  writeFileSync(file, `${generated}\n${kept}`);
  writeFileSync(join(LOGDIR, 'results-connect.json'), JSON.stringify({ machine, results }, null, 2));
  console.error(`bench/connect: wrote bench/RESULTS-connect.md in ${secs} s (raw: ${join(LOGDIR, 'results-connect.json')})`);
}
cleanup();
process.exit(0);
