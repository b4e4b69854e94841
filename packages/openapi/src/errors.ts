/**
 * Typed errors. Every message says what went wrong and what to change, because these
 * surface verbatim in CLI output and in tool results read by a model.
 */
export class OpenApiError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The spec could not be read, parsed, or was refused by the loading policy. */
export class SpecLoadError extends OpenApiError {
  constructor(message: string) {
    super(message, 'SPEC_LOAD');
  }
}

/** Selection produced an unusable tool set (too many tools, name collisions, budget exceeded). */
export class BuildError extends OpenApiError {
  constructor(message: string, code = 'BUILD') {
    super(message, code);
  }
}

/** An outbound request was refused by the egress policy (host allowlist, private address, redirect). */
export class EgressDeniedError extends OpenApiError {
  constructor(message: string) {
    super(message, 'EGRESS_DENIED');
  }
}

/** Auth configuration is missing or unusable. Never includes secret values. */
export class AuthError extends OpenApiError {
  constructor(message: string) {
    super(message, 'AUTH');
  }
}

/** A tool argument could not be turned into a request (bad value for its location). */
export class ArgumentError extends OpenApiError {
  constructor(message: string) {
    super(message, 'ARGUMENT');
  }
}
