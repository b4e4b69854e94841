export interface ClientScenarioResult {
  scenario: string;
  verdict: 'passed' | 'failed';
  exitCode: number | null;
  clientExit: number;
  timedOut: boolean;
  successes: number;
  failures: string[];
  driverError?: string;
  out: string;
}
export function listClientScenarios(paths?: { node22: string; stable: string }): string[];
export function runClientScenarios(options?: { scenarios?: string[]; concurrency?: number; timeoutMs?: number }): Promise<ClientScenarioResult[]>;
