import type { AuthProvider, OAuthClientProvider } from '@modelcontextprotocol/client';
import type { Logger } from '../log.js';
import type { FetchLike } from './fetch.js';

export type RemoteTransportKind = 'auto' | 'streamable-http' | 'sse';

export interface RemoteTransportOptions {
  url: string | URL;
  /** auto: Streamable HTTP first, legacy SSE when the first request gets 400/404/405 or a non-MCP answer. */
  transport?: RemoteTransportKind;
  /** Headers sent on every request (values are secrets: register them with registerSecret). */
  headers?: Record<string, string>;
  /** Bearer tokens / OAuth (the SDK's AuthProvider: token() before each request, onUnauthorized() on 401). */
  authProvider?: AuthProvider | OAuthClientProvider;
  /** Bound on connecting: response headers, the SSE endpoint event, the initialize answer (default 30 s). */
  connectTimeoutMs?: number;
  /**
   * Per-request cut-off, reset by progress notifications. Default DEFAULT_REQUEST_TIMEOUT_MS (10 min): an established
   * session has no other bound on a call (connectTimeoutMs covers connecting and response headers only, and a
   * remote that wedges after them would hold the call forever). 0 = no cut-off.
   */
  requestTimeoutMs?: number;
  /** Send a ping upstream this often to keep the session alive and notice a lost one early (default: off). */
  pingIntervalMs?: number;
  /** How long to keep trying to re-establish a lost session before failing requests (default 60 s). */
  recoveryWindowMs?: number;
  /** GET-stream reconnection backoff. */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
  logger?: Logger;
  fetch?: FetchLike;
}

/** The ceiling on a call when none is configured: generous (long tool calls report progress, which resets it). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10 * 60_000;

/** The cut-off a call gets: the configured one, else the default ceiling; 0 means none. */
export function requestTimeoutOf(options: Pick<RemoteTransportOptions, 'requestTimeoutMs'>): number | undefined {
  const t = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return t > 0 ? t : undefined;
}
