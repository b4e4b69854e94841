#!/usr/bin/env node
// Start-up figures users feel on every host launch (hosts spawn `connect` and `openapi` per window), relative to a
// bare `node -e 0` measured in the same interleaved rounds — machines here vary several-fold from day to day, so
// only same-run ratios mean anything. Each case is one fresh process per round, cases shuffled within a round.
//
//   node bench/startup.mjs [--rounds 15] [--out bench/startup.json]
//
// Cases (the bundled CLI, dist/bundle/switchboard.mjs, is what users run; dist/main.js is the unbundled build):
//   node -e 0                     the floor
//   --version, --help             until exit
//   bridge                        spawn → "listening" line; and spawn → first tools/list answered through it,
//                                 minus the child alone (the demo server) spawn → tools/list
//   connect                       spawn → answer to an initialize written at spawn, upstream a local HTTP server
//                                 answering at once; the same for mcp-remote 0.15.1
//   openapi                       spawn → tools/list answered over stdio, a 100-operation selection of the
//                                 generated spec (bench/openapi/generate.mjs)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { arg, BENCH, describeMachine, ROOT } from './lib/env.mjs';
import { generateSpec } from './openapi/generate.mjs';

const ROUNDS = Number(arg('rounds', '15'));
const OUT = arg('out', join(BENCH, 'startup.json'));
const WORK = join(BENCH, '.work', 'startup');
const BUNDLE = join(ROOT, 'packages/cli/dist/bundle/switchboard.mjs');
const UNBUNDLED = join(ROOT, 'packages/cli/dist/main.js');
const DEMO = join(ROOT, 'packages/cli/examples/demo-server.mjs');
const MCP_REMOTE_VERSION = '0.15.1';
const STEP_TIMEOUT_MS = 60_000;
mkdirSync(WORK, { recursive: true });
if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`pnpm build\` first`);

// mcp-remote, exact-pinned: bench/node_modules when `npm ci` was run there, else a private install.
function mcpRemoteBin() {
  const local = join(BENCH, 'node_modules/mcp-remote/dist/proxy.js');
  if (existsSync(local)) return local;
  const prefix = join(WORK, `mcp-remote-${MCP_REMOTE_VERSION}`);
  const bin = join(prefix, 'node_modules/mcp-remote/dist/proxy.js');
  if (!existsSync(bin)) {
    const r = spawnSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', `mcp-remote@${MCP_REMOTE_VERSION}`], { stdio: 'inherit', cwd: WORK });
    if (r.status !== 0) throw new Error('npm install mcp-remote failed');
  }
  return bin;
}

// 100 operations: 20 resources × 5 operations of the generated spec, all selected.
const specPath = join(WORK, 'openapi-100.json');
writeFileSync(specPath, JSON.stringify(generateSpec({ resources: 20 })));

// An upstream that answers initialize at once, so `connect` timings are the client's own.
const upstream = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    if (req.method !== 'POST') return res.writeHead(405, { allow: 'POST' }).end();
    const msg = JSON.parse(body);
    if (msg.id === undefined) return res.writeHead(202).end();
    const result = msg.method === 'initialize' ? { protocolVersion: msg.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'upstream', version: '1' } } : {};
    res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 'bench' }).end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result }));
  });
});
await new Promise((r) => upstream.listen(0, '127.0.0.1', r));
const upstreamUrl = `http://127.0.0.1:${upstream.address().port}/mcp`;

const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'startup-bench', version: '1' } } };
const line = (m) => JSON.stringify(m) + '\n';

/** ms from spawn until `done(stdout, stderr)` is true (or exit, for `until: 'exit'`); the process is killed after. */
function time(cmd, args, { until, stdin = [], afterReady } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: { ...process.env, SWITCHBOARD_CONFIG_DIR: join(WORK, 'config'), HOME: WORK } });
    let out = '';
    let err = '';
    let settled = false;
    const kill = () => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    };
    const finish = (ok, why) => {
      if (settled) return;
      settled = true;
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      clearTimeout(timer);
      kill();
      ok ? resolve(ms) : reject(new Error(`${cmd} ${args.join(' ')}: ${why}\n${out.slice(-500)}\n${err.slice(-1500)}`));
    };
    const timer = setTimeout(() => finish(false, 'timed out'), STEP_TIMEOUT_MS);
    const check = async () => {
      if (until !== 'exit' && until(out, err)) {
        if (afterReady) {
          const next = afterReady(out, err);
          afterReady = undefined;
          try {
            await next;
            finish(true);
          } catch (e) {
            finish(false, e.message);
          }
        } else finish(true);
      }
    };
    child.stdout.on('data', (d) => {
      out += d;
      check();
    });
    child.stderr.on('data', (d) => {
      err += d;
      check();
    });
    child.on('error', (e) => finish(false, e.message));
    child.on('exit', (code) => {
      if (until === 'exit') code === 0 ? finish(true) : finish(false, `exit ${code}`);
      else setTimeout(() => finish(false, `exit ${code}`), 50);
    });
    for (const m of stdin) child.stdin.write(line(m));
  });
}

const hasId = (id) => (out) => out.split('\n').some((l) => l.includes(`"id":${id}`) && l.includes('"result"'));

/** spawn → first tools/list answered through a bridge over Streamable HTTP (the first session starts the child). */
function bridgeFirstList(cli) {
  return time(process.execPath, [cli, 'bridge', '--port', '0', '--log-level', 'warn', '--', process.execPath, DEMO], {
    until: (_o, e) => /listening — Streamable HTTP (\S+?),/.test(e),
    afterReady: async (_o, e) => {
      const url = /listening — Streamable HTTP (\S+?),/.exec(e)[1];
      const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
      const init = await fetch(url, { method: 'POST', headers, body: JSON.stringify(INIT) });
      const sid = init.headers.get('mcp-session-id');
      await init.text();
      const h = { ...headers, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' };
      await (await fetch(url, { method: 'POST', headers: h, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
      const list = await (await fetch(url, { method: 'POST', headers: h, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) })).text();
      if (!list.includes('"tools"')) throw new Error(`tools/list: ${list.slice(0, 200)}`);
    },
  });
}

const stdioList = [INIT, { jsonrpc: '2.0', method: 'notifications/initialized' }, { jsonrpc: '2.0', id: 2, method: 'tools/list' }];
const remote = mcpRemoteBin();
const CASES = {
  'node -e 0': () => time(process.execPath, ['-e', '0'], { until: 'exit' }),
  '--version': () => time(process.execPath, [BUNDLE, '--version'], { until: 'exit' }),
  '--version (unbundled)': () => time(process.execPath, [UNBUNDLED, '--version'], { until: 'exit' }),
  '--help': () => time(process.execPath, [BUNDLE, '--help'], { until: 'exit' }),
  '--help (unbundled)': () => time(process.execPath, [UNBUNDLED, '--help'], { until: 'exit' }),
  'connect --help': () => time(process.execPath, [BUNDLE, 'connect', '--help'], { until: 'exit' }),
  'bridge: listening': () => time(process.execPath, [BUNDLE, 'bridge', '--port', '0', '--log-level', 'warn', '--', process.execPath, DEMO], { until: (_o, e) => e.includes('listening —') }),
  'bridge: listening (unbundled)': () => time(process.execPath, [UNBUNDLED, 'bridge', '--port', '0', '--log-level', 'warn', '--', process.execPath, DEMO], { until: (_o, e) => e.includes('listening —') }),
  'bridge: first tools/list': () => bridgeFirstList(BUNDLE),
  'child alone: tools/list': () => time(process.execPath, [DEMO], { until: hasId(2), stdin: stdioList }),
  'connect: initialize answered': () => time(process.execPath, [BUNDLE, 'connect', upstreamUrl, '--log-level', 'warn'], { until: hasId(1), stdin: [INIT] }),
  'connect: initialize answered (unbundled)': () => time(process.execPath, [UNBUNDLED, 'connect', upstreamUrl, '--log-level', 'warn'], { until: hasId(1), stdin: [INIT] }),
  [`mcp-remote ${MCP_REMOTE_VERSION}: initialize answered`]: () => time(process.execPath, [remote, upstreamUrl, '--transport', 'http-only'], { until: hasId(1), stdin: [INIT] }),
  'openapi 100 ops: tools/list': () => time(process.execPath, [BUNDLE, 'openapi', specPath, '--max-tools', '100', '--log-level', 'warn'], { until: hasId(2), stdin: stdioList }),
  'openapi 100 ops: tools/list (unbundled)': () => time(process.execPath, [UNBUNDLED, 'openapi', specPath, '--max-tools', '100', '--log-level', 'warn'], { until: hasId(2), stdin: stdioList }),
};

const samples = Object.fromEntries(Object.keys(CASES).map((k) => [k, []]));
const names = Object.keys(CASES);
for (const name of names) await CASES[name](); // warm the page cache and check every case once, unrecorded
for (let round = 0; round < ROUNDS; round++) {
  const order = [...names].sort(() => Math.random() - 0.5);
  for (const name of order) samples[name].push(await CASES[name]());
  process.stderr.write(`round ${round + 1}/${ROUNDS}\n`);
}
upstream.close();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const m = Object.fromEntries(names.map((k) => [k, median(samples[k])]));
const node = m['node -e 0'];
const remoteKey = names.find((k) => k.startsWith('mcp-remote'));
const targets = [
  { what: '`--version` ≤ 2× node', value: m['--version'] / node, limit: 2 },
  { what: '`--help` ≤ 2× node', value: m['--help'] / node, limit: 2 },
  { what: '`bridge` (first tools/list − child alone) ≤ 3× node', value: (m['bridge: first tools/list'] - m['child alone: tools/list']) / node, limit: 3 },
  { what: '`connect` ready for initialize ≤ 2.5× node', value: m['connect: initialize answered'] / node, limit: 2.5 },
  { what: '`connect` faster than mcp-remote (ratio < 1)', value: m['connect: initialize answered'] / m[remoteKey], limit: 1 },
  { what: '`openapi` 100 ops answering tools/list ≤ 4× node', value: m['openapi 100 ops: tools/list'] / node, limit: 4 },
];
const result = { machine: { ...describeMachine(), loadavg: (await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ') }, rounds: ROUNDS, medianMs: m, samples, targets };
writeFileSync(OUT, JSON.stringify(result, null, 1));

const fmt = (x) => x.toFixed(1);
console.log(`| case | median ms | × node -e 0 |\n|---|---|---|`);
for (const k of names) console.log(`| ${k} | ${fmt(m[k])} | ${(m[k] / node).toFixed(2)}× |`);
console.log(`\n| target | measured | verdict |\n|---|---|---|`);
for (const t of targets) console.log(`| ${t.what} | ${t.value.toFixed(2)}× | ${t.value <= t.limit ? 'met' : 'missed'} |`);
console.log(`\n${JSON.stringify(result.machine)}`);
