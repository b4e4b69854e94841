// Types for targets-2026.mjs.
import type { StartServerOptions, TargetResult } from './lib.mjs';

export const REQUIREMENTS: string;
export const FIXTURE_2026_STDIO: string;
export const FIXTURE_2026_HTTP: string;
export interface Target2026 {
  label: string;
  bridged?: boolean;
  servers(ports: number[]): Omit<StartServerOptions, 'name'>[];
}
export const TARGETS_2026: Record<string, Target2026>;
export interface ExpectedFailure {
  kind: 'fixture' | 'bridge';
  reason: string;
  /** The FAILURE check ids the scenario is expected to have (pinned when given). */
  checks?: string[];
}
export const EXPECTED_2026: Record<
  string,
  { failed: Record<string, ExpectedFailure>; inconclusive: Record<string, ExpectedFailure>; unstable: Record<string, ExpectedFailure> }
>;
export const FIXED_WINDOW_CHECKS: Set<string>;
export const OBSERVATIONS_2026: string[];
export function expectedLists(targetId: string, allScenarios: string[]): { passed: string[]; failed: string[]; inconclusive: string[] };
export function withoutUnstable(targetId: string, r: { passed: string[]; failed: string[]; inconclusive: string[] }): { passed: string[]; failed: string[]; inconclusive: string[] };
export function failingCheckIds(result: TargetResult, scenario: string): string[];
export function runTarget2026(id: string, opts?: { timeoutMs?: number }): Promise<TargetResult>;
