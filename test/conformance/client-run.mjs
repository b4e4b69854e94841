#!/usr/bin/env node
// Runs the official conformance suite's *client* scenarios (0.1.16) against `switchboard connect`, driven by
// ./client-driver.mjs. Each scenario runs in its own `conformance client` process (a few at a time), on the
// loopback interface only (the bind-localhost preload), with its own output directory.
//
//   node test/conformance/client-run.mjs [scenario…]     → one JSON line per scenario, then a summary
// As a module: runClientScenarios({ scenarios?, concurrency? }) → [{ scenario, verdict, exitCode, checks, … }]
// verdict: 'passed' when the suite's own verdict is a pass (exit 0: no FAILURE, no WARNING, client exited cleanly
// unless the scenario expects it to give up), else 'failed'.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureConformance, CACHE_DIR } from './setup.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(here, '..', '..');
const PRELOAD = join(ROOT, 'test/fixtures/bind-localhost.mjs');
const DRIVER = join(here, 'client-driver.mjs');

export function listClientScenarios(paths = ensureConformance({ alpha: false, log: () => {} })) {
  const r = spawnSync(paths.node22, [paths.stable, 'list', '--client'], { encoding: 'utf8', timeout: 30_000 });
  return [...r.stdout.matchAll(/^\s+- (\S+)/gm)].map((m) => m[1]);
}

function findChecks(dir) {
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) {
      const found = findChecks(p);
      if (found) return found;
    } else if (entry === 'checks.json') return p;
  }
  return undefined;
}

function runOne(paths, scenario, outRoot, timeoutMs) {
  const out = mkdtempSync(join(outRoot, `${scenario.replace(/\//g, '_')}-`));
  return new Promise((resolveRun) => {
    const child = spawn(
      paths.node22,
      ['--import', PRELOAD, paths.stable, 'client', '--command', `${process.execPath} ${DRIVER}`, '--scenario', scenario, '--timeout', String(timeoutMs), '-o', out],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env } },
    );
    let log = '';
    child.stdout.on('data', (d) => (log += d));
    child.stderr.on('data', (d) => (log += d));
    const killer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, timeoutMs + 30_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      const file = findChecks(out);
      const checks = file ? JSON.parse(readFileSync(file, 'utf8')) : [];
      const stderrFile = file && join(dirname(file), 'stderr.txt');
      const clientStderr = stderrFile ? readFileSync(stderrFile, 'utf8') : '';
      const failures = checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING').map((c) => `${c.status} ${c.id}: ${c.errorMessage ?? c.description}`);
      const exitLine = /Client exited with code (\d+)/.exec(log)?.[1];
      const timedOut = /Client timed out/.test(log);
      resolveRun({
        scenario,
        verdict: code === 0 ? 'passed' : 'failed',
        exitCode: code,
        clientExit: exitLine ? Number(exitLine) : 0,
        timedOut,
        successes: checks.filter((c) => c.status === 'SUCCESS').length,
        failures,
        driverError: /\[driver\] [^\n]*: ([^\n]*)/.exec(clientStderr)?.[1],
        out,
      });
    });
  });
}

export async function runClientScenarios({ scenarios, concurrency = 6, timeoutMs = 30_000 } = {}) {
  const paths = ensureConformance({ alpha: false, log: () => {} });
  const list = scenarios ?? listClientScenarios(paths);
  const outRoot = join(CACHE_DIR, 'client-runs');
  mkdirSync(outRoot, { recursive: true });
  const results = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, list.length) }, async () => {
      while (next < list.length) {
        const s = list[next++];
        results.push(await runOne(paths, s, outRoot, timeoutMs));
      }
    }),
  );
  return list.map((s) => results.find((r) => r.scenario === s));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  const results = await runClientScenarios({ scenarios: process.argv.length > 2 ? process.argv.slice(2) : undefined });
  for (const r of results) console.log(JSON.stringify(r));
  const passed = results.filter((r) => r.verdict === 'passed').length;
  console.error(`${passed}/${results.length} client scenarios passed in ${Math.round((Date.now() - t0) / 1000)} s`);
}
