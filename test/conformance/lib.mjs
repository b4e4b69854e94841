// Shared plain-ESM implementation behind run.ts (typed wrapper for tests) and report.mjs (Node script):
// running the official conformance CLI against a URL and parsing its per-scenario results, starting
// and stopping the servers under test, and the list of targets we measure.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureConformance, REPO_ROOT, CACHE_DIR } from './setup.mjs';
import { descendants, freePort, killGroup } from '../helpers/process.mjs';

export { REPO_ROOT, CACHE_DIR, ensureConformance, descendants, freePort, killGroup };

const MAX_CAPTURE = 2 * 1024 * 1024; // per stream, per process
const DIR_RE = /^server-(.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/;
const SUMMARY_RE = /^([✓✗]) (\S+): (\d+) passed, (\d+) failed/;
const NOT_SCORED_RE = /^\s+[✓✗] (\S+) \(([^)]*)\)\s*$/;

function capture(stream, sink) {
  stream?.setEncoding('utf8');
  stream?.on('data', (d) => {
    if (sink.text.length < MAX_CAPTURE) sink.text += d;
    for (const fn of sink.listeners) fn(sink.text);
  });
}



// Every process group started through this module, so a test's afterAll can stop them all.
const live = new Set();
process.once('exit', () => {
  for (const child of live) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});
export async function stopAll() {
  await Promise.all([...live].map((c) => killGroup(c)));
  live.clear();
}


/**
 * Start a server process (detached: its own process group) and wait until it is ready: a line matching
 * `readyPattern` on stdout/stderr, or `GET healthUrl` → 200 (with a body matching `healthBody`, when given). Rejects (after killing it) on early exit or timeout.
 */
export async function startServer({ name, cmd, args, env = {}, cwd = REPO_ROOT, readyPattern = /listening/i, healthUrl, healthBody, timeoutMs = 30_000 }) {
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  live.add(child);
  child.once('exit', () => live.delete(child));
  const out = { text: '', listeners: [] };
  const err = { text: '', listeners: [] };
  capture(child.stdout, out);
  capture(child.stderr, err);
  const logs = () => `--- ${name} stdout ---\n${out.text.slice(-4000)}\n--- ${name} stderr ---\n${err.text.slice(-4000)}`;
  const stop = () => killGroup(child);

  const ready = new Promise((resolve, reject) => {
    let settled = false;
    const finish = (e) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(poller);
      e ? reject(e) : resolve();
    };
    const check = (text) => readyPattern?.test(text) && finish();
    out.listeners.push(check);
    err.listeners.push(check);
    child.once('error', (e) => finish(new Error(`${name}: spawn failed: ${e.message}`)));
    child.once('exit', (code, sig) => finish(new Error(`${name} exited before it was ready (code ${code}, signal ${sig})\n${logs()}`)));
    const timer = setTimeout(() => finish(new Error(`${name} not ready within ${timeoutMs} ms\n${logs()}`)), timeoutMs);
    let polling = false;
    const poller = healthUrl
      ? setInterval(async () => {
          if (polling || settled) return;
          polling = true;
          try {
            const r = await fetch(healthUrl, { signal: AbortSignal.timeout(1000) });
            if (r.status === 200 && (!healthBody || healthBody.test(await r.text()))) finish();
          } catch {
            /* not up yet */
          } finally {
            polling = false;
          }
        }, 150)
      : undefined;
  });
  try {
    await ready;
  } catch (e) {
    await stop();
    throw e;
  }
  return { name, child, pid: child.pid, logs, stop };
}

function classify(checks) {
  const failures = checks.filter((c) => c.status === 'FAILURE');
  const successes = checks.filter((c) => c.status === 'SUCCESS');
  if (failures.length > 0) return 'failed';
  if (successes.length > 0) return 'passed';
  return 'inconclusive'; // only INFO/WARNING/SKIPPED checks: the scenario proved nothing either way
}

/**
 * Run the conformance CLI's server scenarios against `url` in ONE process (the whole suite, or one scenario),
 * writing per-scenario checks.json files to a temp dir, and parse them.
 *
 * A scenario is `passed` when it has no FAILURE check and at least one SUCCESS check, `failed` when any check
 * is FAILURE, and `inconclusive` otherwise (only INFO/WARNING checks, e.g. optional SSE polling behaviour).
 */
export async function runConformance({
  url,
  scenario,
  suite = 'all',
  specVersion,
  version = 'stable',
  requirements,
  scenarioTimeoutMs,
  timeoutMs = 180_000,
  keepOutput = false,
}) {
  if (!url) throw new Error('runConformance: url is required');
  // --requirements <revision> (0.2.0-alpha only) fixes the scenario set itself: it cannot be combined with
  // --suite, --spec-version or --scenario, and runs every scenario at that revision's wire.
  if (requirements && (scenario || specVersion)) throw new Error('runConformance: requirements excludes scenario and specVersion');
  if (requirements) version = 'alpha';
  const paths = ensureConformance({ alpha: version === 'alpha' });
  const entry = version === 'alpha' ? paths.alpha : paths.stable;
  const runsDir = join(CACHE_DIR, 'runs');
  mkdirSync(runsDir, { recursive: true });
  const outputDir = mkdtempSync(join(runsDir, 'run-'));
  const args = [entry, 'server', '--url', url, '-o', outputDir];
  if (requirements) args.push('--requirements', requirements);
  else if (scenario) args.push('--scenario', scenario);
  else args.push('--suite', suite);
  if (specVersion) args.push('--spec-version', specVersion);
  if (scenarioTimeoutMs) args.push('--timeout', String(scenarioTimeoutMs));

  const child = spawn(paths.node22, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  live.add(child);
  const out = { text: '', listeners: [] };
  const err = { text: '', listeners: [] };
  capture(child.stdout, out);
  capture(child.stderr, err);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void killGroup(child, 1000);
  }, timeoutMs);
  const { exitCode, signal } = await new Promise((resolve) => {
    child.once('error', (e) => {
      err.text += `\nspawn error: ${e.message}`;
      resolve({ exitCode: -1, signal: null });
    });
    child.once('exit', (code, sig) => resolve({ exitCode: code, signal: sig }));
  });
  clearTimeout(timer);
  live.delete(child);

  // Per-scenario checks from the output dir.
  const scenarios = {};
  for (const d of existsSync(outputDir) ? readdirSync(outputDir) : []) {
    const m = DIR_RE.exec(d);
    const file = join(outputDir, d, 'checks.json');
    if (!m || !existsSync(file)) continue;
    try {
      scenarios[m[1]] = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      scenarios[m[1]] = [{ id: 'parse-error', status: 'FAILURE', errorMessage: `unreadable checks.json: ${e.message}` }];
    }
  }
  // The printed summary also names scenarios that threw before writing checks.json.
  const summary = {};
  for (const line of out.text.split('\n')) {
    const m = SUMMARY_RE.exec(line.trim());
    if (m) summary[m[2]] = { ok: m[1] === '✓', passed: Number(m[3]), failed: Number(m[4]) };
  }
  // With --requirements the CLI lists, after the summary, the scenarios it ran but does not score:
  //   "Not scored for 2026-07-28: 13 scenario(s) run, 9 failing. …" then "  ✗ tasks-lifecycle (extension)".
  // Its exit code then reflects the scored scenarios only.
  const notScored = {};
  const nsAt = out.text.search(/^Not scored for /m);
  if (nsAt >= 0) {
    for (const line of out.text.slice(nsAt).split('\n').slice(1)) {
      const m = NOT_SCORED_RE.exec(line);
      if (m) notScored[m[1]] = m[2];
      else if (line.trim() !== '') break;
    }
  }
  for (const [name, s] of Object.entries(summary)) {
    if (!scenarios[name]) {
      scenarios[name] = [{ id: name, status: s.failed > 0 || !s.ok ? 'FAILURE' : 'INFO', errorMessage: 'no checks.json written (scenario threw)' }];
    }
  }
  if (!keepOutput) rmSync(outputDir, { recursive: true, force: true });

  const passed = [];
  const failed = [];
  const inconclusive = [];
  const failures = {};
  const warnings = {};
  for (const [name, checks] of Object.entries(scenarios)) {
    const cls = classify(checks);
    (cls === 'passed' ? passed : cls === 'failed' ? failed : inconclusive).push(name);
    const f = checks.filter((c) => c.status === 'FAILURE').map((c) => `${c.id}: ${c.errorMessage ?? c.description ?? ''}`);
    const w = checks.filter((c) => c.status === 'WARNING').map((c) => `${c.id}: ${c.errorMessage ?? c.description ?? ''}`);
    if (f.length) failures[name] = f;
    if (w.length) warnings[name] = w;
  }
  passed.sort();
  failed.sort();
  inconclusive.sort();
  const raw = {
    command: [paths.node22, ...args],
    exitCode,
    signal,
    timedOut,
    stdout: out.text,
    stderr: err.text,
    outputDir: keepOutput ? outputDir : undefined,
    scenarios,
    summary,
    failures,
    warnings,
    notScored,
  };
  if (Object.keys(scenarios).length === 0) {
    const e = new Error(
      `conformance run against ${url} produced no scenario results (exit ${exitCode}, signal ${signal}, timedOut ${timedOut})\n` +
        `stdout:\n${out.text.slice(-3000)}\nstderr:\n${err.text.slice(-3000)}`,
    );
    e.raw = raw;
    throw e;
  }
  return { passed, failed, inconclusive, raw };
}

// ------------------------------------------------------------------------------------------- targets

export const CLI_MAIN = join(REPO_ROOT, 'packages', 'cli', 'dist', 'main.js');
export const FIXTURE_STDIO = join(REPO_ROOT, 'test', 'fixtures', 'conformance-server.mjs');
export const FIXTURE_HTTP = join(REPO_ROOT, 'test', 'fixtures', 'serve-http.mjs');
export const BIND_LOCALHOST = join(REPO_ROOT, 'test', 'fixtures', 'bind-localhost.mjs');
export const EVERYTHING = join(REPO_ROOT, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');

export function bridgeAvailable() {
  return existsSync(CLI_MAIN);
}

/**
 * `switchboard gateway` with one stdio server as its only backend, under the empty prefix (names and URIs exactly
 * the server's, so the suite's fixture names resolve). The config goes to a fresh file in the cache dir.
 */
export function gatewayArgs(port, serverArgs, extra = []) {
  const dir = join(CACHE_DIR, 'gateway-configs');
  mkdirSync(dir, { recursive: true });
  const file = join(mkdtempSync(join(dir, 'gw-')), 'gateway.json');
  writeFileSync(file, JSON.stringify({ mcpServers: { fixture: { command: process.execPath, args: serverArgs, prefix: '' } } }));
  return [CLI_MAIN, 'gateway', '--config', file, '--no-watch', '--port', String(port), '--log-level', 'warn', ...extra];
}

/** Ready when /readyz lists the backend as up: the gateway listens before a slow backend has started. */
export const gatewayReady = (port) => ({ healthUrl: `http://127.0.0.1:${port}/readyz`, healthBody: /"fixture":\{"state":"up"/ });

/**
 * The measured targets. Each `start(port)` returns startServer() options; the MCP URL is
 * http://127.0.0.1:<port>/mcp for all of them.
 */
export const TARGETS = {
  'fixture-direct': {
    label: 'fixture, direct (v1 SDK Streamable HTTP)',
    start: (port) => ({ cmd: process.execPath, args: [FIXTURE_HTTP, String(port)], healthUrl: `http://127.0.0.1:${port}/healthz` }),
  },
  'everything-direct': {
    label: 'server-everything, direct (streamableHttp)',
    // server-everything binds all interfaces on $PORT; the preload pins it to 127.0.0.1.
    start: (port) => ({
      cmd: process.execPath,
      args: ['--import', BIND_LOCALHOST, EVERYTHING, 'streamableHttp'],
      env: { PORT: String(port) },
      readyPattern: /listening on port/i,
    }),
  },
  'fixture-gateway': {
    label: 'fixture over stdio, via switchboard gateway (its only backend, empty prefix)',
    bridged: true,
    baseline: 'fixture-direct',
    start: (port) => ({ cmd: process.execPath, args: gatewayArgs(port, [FIXTURE_STDIO]), ...gatewayReady(port) }),
  },
  ...Object.fromEntries(
    // --max-children: the suite keeps each scenario's GET stream open until it exits, so per-session every scenario
    // holds a live child; the budget (4 × cores by default) is not what these runs are about.
    ['shared', 'per-session'].flatMap((isolation) => [
      [
        `fixture-bridge-${isolation}`,
        {
          label: `fixture over stdio, via switchboard bridge --isolation ${isolation}`,
          bridged: true,
          baseline: 'fixture-direct',
          start: (port) => ({
            cmd: process.execPath,
            args: [CLI_MAIN, 'bridge', '--port', String(port), '--isolation', isolation, '--max-children', '64', '--', process.execPath, FIXTURE_STDIO],
            healthUrl: `http://127.0.0.1:${port}/healthz`,
          }),
        },
      ],
      [
        `everything-bridge-${isolation}`,
        {
          label: `server-everything over stdio, via switchboard bridge --isolation ${isolation}`,
          bridged: true,
          baseline: 'everything-direct',
          start: (port) => ({
            cmd: process.execPath,
            args: [CLI_MAIN, 'bridge', '--port', String(port), '--isolation', isolation, '--max-children', '64', '--', process.execPath, EVERYTHING, 'stdio'],
            healthUrl: `http://127.0.0.1:${port}/healthz`,
          }),
        },
      ],
    ]),
  ),
};

/** Start a target on a free port, run the suite once, stop it. */
export async function runTarget(id, runOpts = {}) {
  const t = TARGETS[id];
  if (!t) throw new Error(`unknown target ${id}`);
  const port = await freePort();
  const srv = await startServer({ name: id, ...t.start(port) });
  const started = Date.now();
  try {
    const res = await runConformance({ url: `http://127.0.0.1:${port}/mcp`, ...runOpts });
    return { id, label: t.label, ...res, ms: Date.now() - started, serverLogs: srv.logs() };
  } finally {
    await srv.stop();
  }
}
