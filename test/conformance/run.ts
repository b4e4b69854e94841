// Reusable entry point for tests: run the official MCP conformance suite (server scenarios) against a URL.
//
//   import { runConformance } from '../conformance/run.js';   // path relative to your test
//   const { passed, failed, raw } = await runConformance({ url: 'http://127.0.0.1:1234/mcp' });
//
// The first call installs Node 22 and the pinned suite into test/.cache/conformance (npm registry only).
// The whole suite runs in ONE conformance CLI process (about 2 s against a local server).
// See test/conformance/README.md for the CLI, its output and how results are classified.
import * as lib from './lib.mjs';
import type { ConformanceResult, RunConformanceOptions } from './lib.mjs';

export type {
  ConformanceCheck,
  ConformanceRaw,
  ConformanceResult,
  RunConformanceOptions,
  StartedServer,
  StartServerOptions,
  Target,
  TargetResult,
} from './lib.mjs';

/**
 * Run the suite (or one `scenario`) against `url` and return the scenario names that passed / failed.
 * `passed`: no FAILURE check and at least one SUCCESS check. `failed`: at least one FAILURE check.
 * `inconclusive`: neither (only INFO/WARNING checks). `raw` holds every check, the CLI output and exit code.
 */
export function runConformance(opts: RunConformanceOptions): Promise<ConformanceResult> {
  return lib.runConformance(opts);
}

export const {
  ensureConformance,
  startServer,
  killGroup,
  descendants,
  stopAll,
  freePort,
  bridgeAvailable,
  gatewayArgs,
  gatewayReady,
  runTarget,
  TARGETS,
  CLI_MAIN,
  FIXTURE_STDIO,
  FIXTURE_HTTP,
  EVERYTHING,
  BIND_LOCALHOST,
  REPO_ROOT,
  CACHE_DIR,
} = lib;
