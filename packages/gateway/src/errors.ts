import { SwitchboardError } from '@switchboard-mcp/core/serve';

/** One problem in a config or key file, located by its JSON path (`mcpServers.github.url`). */
export interface ConfigIssue {
  path: string;
  message: string;
}

export function formatIssue(issue: ConfigIssue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}

/**
 * A config (or key) file that cannot be used. Carries every issue found, not only the first, so a user fixes
 * the file in one pass.
 */
export class GatewayConfigError extends SwitchboardError {
  constructor(
    readonly source: string,
    readonly issues: ConfigIssue[],
    /** What the file is meant to be, for the message. */
    kind = 'gateway config',
  ) {
    super('SB_GATEWAY_CONFIG', `${source} is not a valid ${kind}:\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`);
  }
}

/** A downstream pagination cursor that was not issued by this gateway, was altered, or is for another list. */
export class CursorError extends SwitchboardError {
  constructor(reason: string) {
    super('SB_CURSOR_INVALID', `invalid cursor (${reason}); list again from the first page without a cursor`);
  }
}

/** A tool call refused because an argument breaks a configured constraint. Names the argument, never its value. */
export class ArgumentConstraintError extends SwitchboardError {
  constructor(
    readonly tool: string,
    readonly argument: string,
    reason: string,
  ) {
    super('SB_ARG_CONSTRAINT', `${tool}: argument "${argument}" ${reason}`);
  }
}

/** A tool call refused because the caller's token bucket for that tool is empty. */
export class RateLimitedError extends SwitchboardError {
  constructor(
    readonly tool: string,
    readonly retryAfterMs: number,
  ) {
    super('SB_RATE_LIMITED', `rate limit reached for ${tool}; retry in ${Math.ceil(retryAfterMs)} ms`);
  }
}

/** A tool outside the caller's allow/deny globs. The message does not say which rule matched, on purpose. */
export class ToolDeniedError extends SwitchboardError {
  constructor(readonly tool: string) {
    super('SB_TOOL_DENIED', `${tool} is not available to this caller; ask the gateway operator to allow it`);
  }
}

/** A pin lock file that exists but cannot be read as one. */
export class PinLockError extends SwitchboardError {
  constructor(path: string, reason: string) {
    super('SB_PIN_LOCK', `${path} is not a usable pin lock file (${reason}); fix it or run "switchboard gateway pin" to rewrite it`);
  }
}
