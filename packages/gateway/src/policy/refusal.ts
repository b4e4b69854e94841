import { ArgumentConstraintError, CursorError, RateLimitedError, ToolDeniedError } from '../errors.js';

/** JSON-RPC's "invalid params", which MCP also uses for an unknown tool. */
const INVALID_PARAMS = -32602;
/**
 * No standard code exists for "slow down". -32029 sits in the implementation-defined server-error range
 * (-32000…-32099), clear of the SDKs' -32000/-32001 and the spec's -32020/-32022, and echoes HTTP 429.
 */
export const RATE_LIMITED_CODE = -32029;

export interface JsonRpcError {
  code: number;
  message: string;
  data: { code: string; retryAfterMs?: number; tool?: string; argument?: string };
}

/**
 * The JSON-RPC error a client gets for a refusal made by policy, or undefined for any other error. A denied
 * tool gets the code of an unknown one (invalid params), as it is absent from the caller's lists; its message
 * says "not available to this caller", which tells a prober no more than that the name it guessed is taken.
 */
export function refusalError(error: unknown): JsonRpcError | undefined {
  if (error instanceof RateLimitedError) {
    return { code: RATE_LIMITED_CODE, message: error.message, data: { code: error.code, retryAfterMs: Math.ceil(error.retryAfterMs), tool: error.tool } };
  }
  if (error instanceof ToolDeniedError) return { code: INVALID_PARAMS, message: error.message, data: { code: error.code, tool: error.tool } };
  if (error instanceof ArgumentConstraintError) {
    return { code: INVALID_PARAMS, message: error.message, data: { code: error.code, tool: error.tool, argument: error.argument } };
  }
  if (error instanceof CursorError) return { code: INVALID_PARAMS, message: error.message, data: { code: error.code } };
  return undefined;
}
