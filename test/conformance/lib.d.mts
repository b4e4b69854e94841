// Types for lib.mjs (plain ESM so that report.mjs can run on bare Node 20).
import type { ChildProcess } from 'node:child_process';

export interface ConformanceCheck {
  id: string;
  name?: string;
  description?: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED' | string;
  errorMessage?: string;
  details?: unknown;
  [k: string]: unknown;
}
export interface RunConformanceOptions {
  url: string;
  /** One scenario; default: the whole suite in one CLI process. */
  scenario?: string;
  /** "all" (default: includes pending scenarios), "active" or "pending". */
  suite?: string;
  specVersion?: string;
  /** "stable" = 0.1.16 (default), "alpha" = 0.2.0-alpha.12 */
  version?: 'stable' | 'alpha';
  /**
   * `--requirements <revision>` (e.g. "2026-07-28"): run exactly the scenarios that revision requires, plus
   * the ones it runs but does not score (listed in `raw.notScored`). Implies version "alpha"; excludes
   * `scenario` and `specVersion` (and `suite` is ignored).
   */
  requirements?: string;
  /** The CLI's per-scenario `--timeout` (ms; its default is 30000). */
  scenarioTimeoutMs?: number;
  timeoutMs?: number;
  keepOutput?: boolean;
}
export interface ConformanceRaw {
  command: string[];
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  outputDir?: string;
  scenarios: Record<string, ConformanceCheck[]>;
  summary: Record<string, { ok: boolean; passed: number; failed: number }>;
  failures: Record<string, string[]>;
  warnings: Record<string, string[]>;
  /** With `requirements`: scenarios run but not scored, with the CLI's reason ("extension", "pending", …). */
  notScored: Record<string, string>;
}
export interface ConformanceResult {
  passed: string[];
  failed: string[];
  inconclusive: string[];
  raw: ConformanceRaw;
}
export interface StartedServer {
  name: string;
  child: ChildProcess;
  pid: number;
  logs(): string;
  stop(): Promise<void>;
}
export interface StartServerOptions {
  name: string;
  cmd: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  readyPattern?: RegExp;
  healthUrl?: string;
  /** With healthUrl: the 200 response's body must match too. */
  healthBody?: RegExp;
  timeoutMs?: number;
}
export interface Target {
  label: string;
  bridged?: boolean;
  baseline?: string;
  start(port: number): Omit<StartServerOptions, 'name'>;
}
export interface TargetResult extends ConformanceResult {
  id: string;
  label: string;
  ms: number;
  serverLogs: string;
}

export const REPO_ROOT: string;
export const CACHE_DIR: string;
export const CLI_MAIN: string;
export const FIXTURE_STDIO: string;
export const FIXTURE_HTTP: string;
export const BIND_LOCALHOST: string;
export const EVERYTHING: string;
export const TARGETS: Record<string, Target>;
export function ensureConformance(opts?: { alpha?: boolean; log?: (msg: string) => void }): {
  cacheDir: string;
  node22: string;
  node22Version: string;
  stable: string;
  stableVersion: string;
  alpha?: string;
  alphaVersion?: string;
};
export function runConformance(opts: RunConformanceOptions): Promise<ConformanceResult>;
export function startServer(opts: StartServerOptions): Promise<StartedServer>;
/** PIDs of every live descendant of `pid` (Linux /proc walk; empty elsewhere). */
export function descendants(pid: number): number[];
export function killGroup(child: ChildProcess, graceMs?: number): Promise<void>;
export function stopAll(): Promise<void>;
export function freePort(): Promise<number>;
export function bridgeAvailable(): boolean;
export function gatewayArgs(port: number, serverArgs: string[], extra?: string[]): string[];
export function gatewayReady(port: number): { healthUrl: string; healthBody: RegExp };
export function runTarget(id: string, runOpts?: Omit<RunConformanceOptions, 'url'>): Promise<TargetResult>;
