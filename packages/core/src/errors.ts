/**
 * Errors a user can act on. Each carries a stable code for programs and a message that says what to do next,
 * in the style of undici's error classes.
 */
export class SwitchboardError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

export class ChildExitedError extends SwitchboardError {
  constructor(readonly command: string, readonly exitCode: number | null, readonly signal: string | null) {
    super(
      'SB_CHILD_EXITED',
      `MCP server process "${command}" exited (${signal ? `signal ${signal}` : `code ${exitCode}`}) while the request was in flight; it is being restarted — retry the call`,
    );
  }
}

export class ChildSpawnError extends SwitchboardError {
  constructor(readonly command: string, cause: unknown) {
    super(
      'SB_CHILD_SPAWN',
      `could not start MCP server "${command}": ${(cause as Error)?.message ?? cause}. Check the command exists and is executable (use --shell for shell syntax)`,
      { cause },
    );
  }
}

export class CrashLoopError extends SwitchboardError {
  constructor(readonly command: string, readonly restarts: number, readonly windowMs: number) {
    super(
      'SB_CRASH_LOOP',
      `MCP server "${command}" crashed ${restarts} times in ${Math.round(windowMs / 1000)}s; not restarting it any more. Check its stderr in the logs`,
    );
  }
}

export class TransportClosedError extends SwitchboardError {
  constructor(what: string) {
    super('SB_TRANSPORT_CLOSED', `${what} is closed`);
  }
}

export class ConfigError extends SwitchboardError {
  constructor(message: string) {
    super('SB_CONFIG', message);
  }
}

export class ChildLineTooLongError extends SwitchboardError {
  constructor(readonly command: string, readonly bytes: number, readonly limit: number) {
    super(
      'SB_CHILD_LINE_TOO_LONG',
      `MCP server "${command}" wrote a ${bytes}-byte message on stdout, over the ${limit}-byte line limit (--max-line); it was dropped. Ask for less (e.g. paginate), or raise --max-line if such answers are expected`,
    );
  }
}

/** The server did not answer the handshake (initialize, or server/discover) in time: the same words in every mode. */
export class InitTimeoutError extends SwitchboardError {
  constructor(readonly server: string, readonly method: string, readonly ms: number) {
    super('SB_INIT_TIMEOUT', `${server} did not answer ${method} within ${Math.round(ms / 1000)}s: check that it is an MCP server speaking stdio (raise the limit with --init-timeout)`);
  }
}

/** The shared connection to the server is gone for good (crash-loop breaker, failed restart): no new work is taken. */
export class ServerGaveUpError extends SwitchboardError {
  constructor(readonly server: string, readonly why: string) {
    super('SB_SERVER_GAVE_UP', `MCP server "${server}" is not running and will not be restarted (${why}): see its stderr in the logs, fix it, then restart the bridge`);
  }
}

/** Per-session mode: every allowed child is running. */
export class ChildLimitError extends SwitchboardError {
  constructor(readonly limit: number) {
    super('SB_CHILD_LIMIT', `per-session server limit reached: ${limit} server processes are running (--max-children ${limit}); retry later, close idle sessions, or raise --max-children`);
  }
}

/** A call still open when the shutdown grace period ended. */
export class ShutdownError extends SwitchboardError {
  constructor(readonly graceMs: number) {
    super('SB_SHUTDOWN', `the bridge is shutting down and the call did not finish within the ${Math.round(graceMs / 1000)}s grace period (--grace): retry it once the server is back`);
  }
}
