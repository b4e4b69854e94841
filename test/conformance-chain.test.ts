// The official conformance suite (0.1.16, server scenarios) through a chain: `switchboard bridge` whose stdio child is
// `switchboard connect` to the fixture served directly over Streamable HTTP. In both isolation modes the chain must
// pass every scenario the fixture passes directly. (The fixture sends sampling/elicitation on the call's own stream,
// so the GET-stream race of connect is reproduced in connect-hardening.test.ts; this guards the whole chain.)
// Per-session mode starts one connect process per scenario session: ~100 s on a loaded 2-core box.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI_MAIN,
  FIXTURE_HTTP,
  bridgeAvailable,
  ensureConformance,
  freePort,
  runConformance,
  startServer,
  stopAll,
  type ConformanceResult,
  type StartedServer,
} from './conformance/run.js';

const SETUP_TIMEOUT = 8 * 60_000; // first run downloads the suite and Node 22 from the npm registry
const RUN_TIMEOUT = 6 * 60_000;

let fixtureUrl = '';
let direct: ConformanceResult;

beforeAll(async () => {
  ensureConformance();
  const port = await freePort();
  await startServer({ name: 'fixture-direct (chain)', cmd: process.execPath, args: [FIXTURE_HTTP, String(port)], healthUrl: `http://127.0.0.1:${port}/healthz` });
  fixtureUrl = `http://127.0.0.1:${port}/mcp`;
  direct = await runConformance({ url: fixtureUrl, timeoutMs: RUN_TIMEOUT - 60_000 });
}, SETUP_TIMEOUT);

afterAll(async () => {
  await stopAll();
}, 60_000);

describe.skipIf(!bridgeAvailable())('conformance 0.1.16 through bridge -- connect', () => {
  for (const isolation of ['per-session', 'shared'] as const) {
    it(
      `bridge --isolation ${isolation} -- switchboard connect <fixture> passes every scenario the fixture passes directly`,
      async () => {
        expect(direct.passed.length).toBeGreaterThan(0);
        const port = await freePort();
        let srv: StartedServer | undefined;
        try {
          srv = await startServer({
            name: `bridge-${isolation}-connect`,
            cmd: process.execPath,
            // The suite keeps each scenario's GET stream open: per-session, every scenario holds a live child.
            args: [CLI_MAIN, 'bridge', '--port', String(port), '--isolation', isolation, '--max-children', '64', '--log-level', 'warn', '--', process.execPath, CLI_MAIN, 'connect', fixtureUrl, '--log-level', 'warn'],
            healthUrl: `http://127.0.0.1:${port}/healthz`,
          });
          const chained = await runConformance({ url: `http://127.0.0.1:${port}/mcp`, timeoutMs: RUN_TIMEOUT - 60_000 });
          console.log(`[conformance] chain (${isolation}): ${chained.passed.length} passed, ${chained.failed.length} failed, ${chained.inconclusive.length} inconclusive; direct: ${direct.passed.length} passed`);
          const lost = direct.passed.filter((s) => !chained.passed.includes(s));
          const detail = lost.map((s) => `${s}: ${(chained.raw.failures[s] ?? chained.raw.warnings[s] ?? ['no SUCCESS check']).join(' | ')}`);
          expect(lost, `scenarios passing directly but not through bridge -- connect:\n${detail.join('\n')}\n${srv.logs()}`).toEqual([]);
        } finally {
          await srv?.stop();
        }
      },
      RUN_TIMEOUT,
    );
  }
});
