// The 0.2.0-alpha conformance suite's stricter mode, `server --requirements 2026-07-28` (the scenarios that
// revision requires, plus the not-scored tasks extension and pending ones), against the v2-SDK fixture
// test/fixtures/conformance-2026-server.mjs:
//   (a) directly over HTTP (test/fixtures/serve-http-2026.mjs) — the baseline;
//   (b) over stdio behind `switchboard bridge`, --server-protocol 2025 (translating) and 2026 (pass-through),
//       each with --isolation shared and per-session;
//   (c) behind `switchboard bridge --to streamable-http <url>` in front of a bridged fixture, and in front of
//       the direct HTTP fixture.
// Plus one 0.1.16 run against the fixture's 2025 leg, to show it serves that era too.
// Each target must produce exactly the passed / failed / inconclusive scenario lists of
// test/conformance/targets-2026.mjs, where every expected failure carries its reason, and, where pinned, the
// exact FAILURE check ids. Bridge-side failures are listed there as such (kind 'bridge'); when the bridge is
// fixed, the test fails on the now-passing scenario until its entry is deleted.
//
// The seven targets run four at a time (each run is ~40 s of mostly waiting: one conformance CLI process, one
// bridge, its children). Results land in test/.cache/conformance/last-run-2026.json for
// `node test/conformance/report-2026.mjs --from-last-run` (RESULTS-2026.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DIR, bridgeAvailable, ensureConformance, freePort, runConformance, startServer, stopAll, type TargetResult } from './conformance/run.js';
import { EXPECTED_2026, REQUIREMENTS, TARGETS_2026, expectedLists, failingCheckIds, runTarget2026, withoutUnstable } from './conformance/targets-2026.mjs';

const SETUP_TIMEOUT = 8 * 60_000; // first run downloads ~45 MB from the npm registry
const RUN_TIMEOUT = 170_000; // one run is ~30–50 s; up to MAX_PARALLEL at once, a test may wait for a slot

const haveBridge = bridgeAvailable();
if (!haveBridge) console.log('[conformance-2026] packages/cli/dist/main.js not built: bridged targets are skipped (run `pnpm build`)');
const targetIds = Object.keys(TARGETS_2026).filter((id) => haveBridge || !TARGETS_2026[id]!.bridged);

// At most this many targets run at once (2 cores, shared with other test runs): the suite's fixed 0.5–1.5 s
// windows and the bridge's MRTR cross-talk (targets-2026.mjs) both get likelier under heavy load.
const MAX_PARALLEL = 4;
let running = 0;
const waiting: (() => void)[] = [];
async function slot<T>(fn: () => Promise<T>): Promise<T> {
  while (running >= MAX_PARALLEL) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

const results: Record<string, TargetResult> = {};
const pending = new Map<string, Promise<TargetResult>>();
function target(id: string): Promise<TargetResult> {
  let p = pending.get(id);
  if (!p) {
    p = slot(() => runTarget2026(id, { timeoutMs: RUN_TIMEOUT - 20_000 })).then((r: TargetResult) => {
      results[id] = r;
      return r;
    });
    pending.set(id, p);
  }
  return p;
}

let scored: string[] = [];
let notScored: string[] = [];

beforeAll(() => {
  const paths = ensureConformance({ alpha: true });
  // The requirement set straight from the CLI: the scored server scenarios, then the ones it runs unscored.
  const list = spawnSync(paths.node22, [paths.alpha!, 'list', '--requirements', REQUIREMENTS], { encoding: 'utf8', timeout: 60_000 });
  expect(list.status, list.stderr).toBe(0);
  const server = /Server scenarios[^\n]*\n((?:\s+- \S+\n)+)/.exec(list.stdout);
  scored = [...(server?.[1] ?? '').matchAll(/- (\S+)/g)].map((m) => m[1]!).sort();
  notScored = [...list.stdout.matchAll(/^\s+- (\S+) \[server\]$/gm)].map((m) => m[1]!).sort();
  expect(scored.length, list.stdout).toBe(37); // frozen set (0.2.0-alpha.12: 37 server scenarios)
  expect(notScored.length, list.stdout).toBe(13); // 10 tasks-* (extension) + 3 pending
  // Start every target now: they run concurrently, each `it` awaits its own.
  for (const id of targetIds) void target(id).catch(() => {});
}, SETUP_TIMEOUT);

afterAll(async () => {
  await stopAll();
  mkdirSync(CACHE_DIR, { recursive: true });
  const slim = Object.fromEntries(
    Object.entries(results).map(([id, r]) => [
      id,
      {
        id,
        label: r.label,
        ms: r.ms,
        passed: r.passed,
        failed: r.failed,
        inconclusive: r.inconclusive,
        failures: r.raw.failures,
        warnings: r.raw.warnings,
        notScored: r.raw.notScored,
        retried: (r.raw as { retried?: unknown }).retried,
        summary: r.raw.summary,
        exitCode: r.raw.exitCode,
        command: r.raw.command,
      },
    ]),
  );
  writeFileSync(join(CACHE_DIR, 'last-run-2026.json'), JSON.stringify({ when: new Date().toISOString(), requirements: REQUIREMENTS, scored, notScored, results: slim }, null, 2));
}, 60_000);

function describeRun(r: TargetResult): string {
  const lines = Object.entries(r.raw.failures).map(([s, f]) => `  ${s}: ${f.join(' | ')}`);
  return `${r.label}\nfailures:\n${lines.join('\n')}\n--- server logs (tail) ---\n${r.serverLogs.slice(-3000)}`;
}

describe(`conformance 0.2.0-alpha --requirements ${REQUIREMENTS} (v2-SDK fixture)`, () => {
  for (const id of targetIds) {
    it(
      `${id}: exactly the expected scenarios pass; each expected failure fails on its documented checks`,
      async () => {
        const r = await target(id);
        const all = [...scored, ...notScored].sort();
        const exp = expectedLists(id, all);
        const scoredPassed = r.passed.filter((s) => scored.includes(s)).length;
        console.log(
          `[conformance-2026] ${id}: ${r.passed.length} passed (${scoredPassed}/${scored.length} scored), ${r.failed.length} failed, ${r.inconclusive.length} inconclusive (${r.ms} ms)`,
        );
        const retried = (r.raw as { retried?: Record<string, { firstRunFailed: string[] }> }).retried ?? {};
        for (const [s, x] of Object.entries(retried)) {
          console.log(`[conformance-2026] ${id}: ${s} re-ran alone after fixed-window checks failed (${x.firstRunFailed.join(', ')})`);
        }
        expect(r.raw.timedOut).toBe(false);
        // Every scenario the requirement set names ran, and the CLI marked the same ones as not scored.
        expect([...r.passed, ...r.failed, ...r.inconclusive].sort()).toEqual(all);
        expect(Object.keys(r.raw.notScored).sort()).toEqual(notScored);
        // The exact lists (unstable scenarios aside: they must pass, or fail on their listed checks only).
        expect(withoutUnstable(id, r), describeRun(r)).toEqual(exp);
        for (const [scenario, u] of Object.entries(EXPECTED_2026[id]!.unstable)) {
          const failing = failingCheckIds(r, scenario);
          if (failing.length) console.log(`[conformance-2026] ${id}: unstable ${scenario} failed this run (${failing.join(', ')})`);
          expect(r.passed.includes(scenario) || failing.length > 0, `${id} / ${scenario} neither passed nor failed`).toBe(true);
          expect(failing.filter((c) => !u.checks!.includes(c)), `${id} / ${scenario}: ${(r.raw.failures[scenario] ?? []).join(' | ')}`).toEqual([]);
        }
        // Pinned FAILURE checks of each expected failure.
        for (const [scenario, e] of Object.entries(EXPECTED_2026[id]!.failed) as [string, { checks?: string[] }][]) {
          if (!e.checks) continue;
          expect(failingCheckIds(r, scenario), `${id} / ${scenario}: ${(r.raw.failures[scenario] ?? []).join(' | ')}`).toEqual([...new Set(e.checks)].sort());
        }
        // Our classification agrees with the CLI's verdict: with --requirements it exits 1 iff a SCORED
        // scenario has a FAILURE check (the exit code is the first run's, so only without a re-run).
        if (Object.keys(retried).length === 0) expect(r.raw.exitCode).toBe(r.failed.some((s) => scored.includes(s)) ? 1 : 0);
      },
      RUN_TIMEOUT,
    );
  }

  it(
    "the fixture's 2025 era: conformance 0.1.16 --suite all over its sessionful HTTP leg passes every scenario but server-sse-polling",
    async () => {
      const port = await freePort();
      const srv = await startServer({ name: 'fixture-2026 (2025 leg)', ...TARGETS_2026.direct!.servers([port])[0]! });
      try {
        const r = await runConformance({ url: `http://127.0.0.1:${port}/mcp`, suite: 'all' });
        expect(r.raw.failures, r.raw.stdout.slice(-3000)).toEqual({});
        expect(r.failed).toEqual([]);
        // Same as the v1 fixture (README): the scenario's raw POST says 2025-03-26, so the SDK sends no SSE
        // priming event and no retry field, and the scenario can only WARN.
        expect(r.inconclusive).toEqual(['server-sse-polling']);
        expect(r.passed.length).toBeGreaterThanOrEqual(30);
      } finally {
        await srv.stop();
      }
    },
    RUN_TIMEOUT,
  );

  it.skipIf(!haveBridge)(
    'through the gateway (the fixture its only backend, empty prefix) exactly the lists of bridge --server-protocol 2025, but for its own documented failures',
    async () => {
      const [gw, bridged] = await Promise.all([target('gateway'), target('bridge-2025-shared')]);
      // Scenarios the gateway is expected to fail where the bridge is not (each with its reason in targets-2026.mjs).
      const gatewayOnly = new Set(Object.keys(EXPECTED_2026.gateway!.failed).filter((s) => !EXPECTED_2026['bridge-2025-shared']!.failed[s]));
      const lists = (r: TargetResult) => {
        const l = withoutUnstable('gateway', r);
        const keep = (x: string[]) => x.filter((s) => !gatewayOnly.has(s));
        return { passed: keep(l.passed), failed: keep(l.failed), inconclusive: keep(l.inconclusive) };
      };
      expect(gatewayOnly.size).toBeLessThanOrEqual(1);
      expect(lists(gw), describeRun(gw)).toEqual(lists(bridged));
    },
    RUN_TIMEOUT,
  );

  it.skipIf(!haveBridge)(
    'every scenario that passes directly but not through a bridge is a documented bridge failure',
    async () => {
      const direct = await target('direct');
      for (const id of targetIds.filter((t) => TARGETS_2026[t]!.bridged)) {
        const r = await target(id);
        const lost = direct.passed.filter((s) => !r.passed.includes(s));
        const e = EXPECTED_2026[id]!;
        const undocumented = lost.filter((s) => (e.failed[s] ?? e.unstable[s])?.kind !== 'bridge');
        expect(undocumented, `${id}: lost without a documented bridge reason:\n${describeRun(r)}`).toEqual([]);
      }
    },
    RUN_TIMEOUT,
  );
});
