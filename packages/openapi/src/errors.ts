/**
 * Typed errors. Every message says what went wrong and what to change, because these
 * surface verbatim in CLI output and in tool results read by a model.
 */
import { SwitchboardError } from '@switchboard-mcp/core/serve';

/** The adapter's errors share the toolkit's root (a stable `SB_OPENAPI_…` code, then the message). */
export class OpenApiError extends SwitchboardError {
  constructor(code: string, message: string) {
    super(code.startsWith('SB_') ? code : `SB_OPENAPI_${code}`, message);
  }
}

/** The spec could not be read, parsed, or was refused by the loading policy. */
export class SpecLoadError extends OpenApiError {
  constructor(message: string) {
    super('SPEC_LOAD', message);
  }
}

/** Selection produced an unusable tool set (too many tools, name collisions, budget exceeded). */
export class BuildError extends OpenApiError {
  constructor(message: string, code = 'BUILD') {
    super(code, message);
  }
}

/** An outbound request was refused by the egress policy (host allowlist, private address, redirect). */
export class EgressDeniedError extends OpenApiError {
  constructor(message: string) {
    super('EGRESS_DENIED', message);
  }
}

/** Auth configuration is missing or unusable. Never includes secret values. */
export class AuthError extends OpenApiError {
  constructor(message: string) {
    super('AUTH', message);
  }
}

/** A tool argument could not be turned into a request (bad value for its location). */
export class ArgumentError extends OpenApiError {
  constructor(message: string) {
    super('ARGUMENT', message);
  }
}
