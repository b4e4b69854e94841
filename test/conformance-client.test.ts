// The official MCP conformance suite's client scenarios (@modelcontextprotocol/conformance 0.1.16) against
// `switchboard connect`: test/conformance/client-driver.mjs is the stdio host (v1 SDK Client) on top of connect, so
// transport detection, sessions, SSE resumption and every OAuth flow are connect's own work. All scenarios run, a
// few at a time (~30 s). The expected set is written out below, not recorded: a scenario that stops passing fails
// this test, a new scenario in the suite fails it until it is classified, and a documented failure that starts
// passing fails it until CLIENT-RESULTS.md and this list are updated.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listClientScenarios, runClientScenarios, type ClientScenarioResult as Result } from './conformance/client-run.mjs';
import { ensureConformance } from './conformance/run.js';
import { ROOT } from './fixtures/connect-helpers.js';

/** Every scenario connect passes. */
const EXPECTED_PASS = [
  'initialize',
  'tools_call',
  'elicitation-sep1034-client-defaults',
  'sse-retry',
  'auth/metadata-default',
  'auth/metadata-var1',
  'auth/metadata-var2',
  'auth/metadata-var3',
  'auth/basic-cimd',
  'auth/scope-from-www-authenticate',
  'auth/scope-from-scopes-supported',
  'auth/scope-omitted-when-undefined',
  'auth/scope-step-up',
  'auth/scope-retry-limit',
  'auth/token-endpoint-auth-basic',
  'auth/token-endpoint-auth-post',
  'auth/token-endpoint-auth-none',
  'auth/pre-registration',
  'auth/2025-03-26-oauth-endpoint-fallback',
  'auth/resource-mismatch',
  'auth/offline-access-scope',
  'auth/offline-access-not-supported',
  'auth/client-credentials-jwt',
  'auth/client-credentials-basic',
];

/** The only ones it does not, and why (see test/conformance/CLIENT-RESULTS.md). */
const KNOWN_FAIL: Record<string, string> = {
  // The scenario's authorization server publishes metadata at the server root naming issuer <root>/oauth; RFC 8414
  // §3.3 requires them to match and connect (the SDK's auth()) refuses the mismatch, as it should.
  'auth/2025-03-26-oauth-metadata-backcompat': 'issuer mismatch refused (RFC 8414 §3.3)',
  // SEP-990 Enterprise-Managed Authorization: needs an enterprise IdP ID token exchanged for an ID-JAG; connect has
  // no IdP integration.
  'auth/cross-app-access-complete-flow': 'SEP-990 token exchange not implemented',
};

const CLI = join(ROOT, 'packages/cli/dist/main.js');
let results: Result[] = [];
let suite: string[] = [];

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`build first: ${CLI} is missing (pnpm build)`);
  const paths = ensureConformance({ alpha: false });
  suite = listClientScenarios(paths);
  // sse-retry measures the reconnection delay against the server's `retry: 500` (±50/+200 ms): run it on its own,
  // before the batch. On a loaded 2-core machine the delay (and, seen once in CI, an early reconnect without
  // Last-Event-ID) can miss; it gets up to three runs and must pass one. A client that never honours `retry`
  // fails all three.
  let [sse] = await runClientScenarios({ scenarios: ['sse-retry'], timeoutMs: 30_000 });
  for (let attempt = 1; attempt < 3 && sse!.verdict !== 'passed'; attempt++) {
    await new Promise((r) => setTimeout(r, 1000));
    [sse] = await runClientScenarios({ scenarios: ['sse-retry'], timeoutMs: 30_000 });
  }
  const rest = await runClientScenarios({ scenarios: suite.filter((s) => s !== 'sse-retry'), concurrency: 8, timeoutMs: 30_000 });
  // Eight scenario processes at once on two cores can starve one of them (seen once in CI: an elicitation left
  // unanswered until the driver's 20 s timeout). An expected pass that fails in the batch runs once more, alone,
  // and the retry is reported; a real regression fails both times.
  for (const [i, r] of rest.entries()) {
    if (r.verdict === 'passed' || !EXPECTED_PASS.includes(r.scenario)) continue;
    console.warn(`[conformance-client] ${r.scenario} failed in the batch (${describeResult(r)}); running it again alone`);
    [rest[i]] = await runClientScenarios({ scenarios: [r.scenario], timeoutMs: 30_000 });
  }
  results = [sse!, ...rest];
}, 8 * 60_000);

const describeResult = (r: Result | undefined) => (r ? `${r.verdict}: ${[...r.failures, r.driverError ?? ''].filter(Boolean).join(' | ')} (output in ${r.out})` : 'not run');

describe('conformance client scenarios through switchboard connect', () => {
  it('the suite lists exactly the scenarios classified here', () => {
    expect([...suite].sort()).toEqual([...EXPECTED_PASS, ...Object.keys(KNOWN_FAIL)].sort());
  });

  it.each(EXPECTED_PASS)('%s passes', (scenario) => {
    const r = results.find((x) => x.scenario === scenario);
    expect(r?.verdict, describeResult(r)).toBe('passed');
  });

  it('every auth/* scenario passes except the documented ones (which still fail — update the docs if not)', () => {
    const auth = suite.filter((s) => s.startsWith('auth/'));
    expect(auth.length).toBeGreaterThanOrEqual(22);
    for (const s of auth) {
      const r = results.find((x) => x.scenario === s);
      expect(r?.verdict, `${s}: ${describeResult(r)}`).toBe(s in KNOWN_FAIL ? 'failed' : 'passed');
    }
  });
});
