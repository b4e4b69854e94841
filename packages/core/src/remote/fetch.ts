import { setMaxListeners } from 'node:events';
import { classifyFetchError, UpstreamTimeoutError } from './errors.js';

/**
 * The transport's long-lived signal gains one listener per in-flight request through AbortSignal.any; they
 * go when the per-request signals are collected. Under load that is thousands at once, which is expected:
 * lift Node's leak warning for these signals instead of printing it on the user's stderr.
 */
const widened = new WeakSet<AbortSignal>();
function allowManyListeners(signal: AbortSignal): void {
  if (widened.has(signal)) return;
  widened.add(signal);
  setMaxListeners(1_000_000, signal);
}

export type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

export interface ResponseInfo {
  method: string;
  url: string;
  status: number;
  /** The Mcp-Session-Id the request carried, if any. */
  sessionId?: string;
  response: Response;
}

export interface RemoteFetchOptions {
  /** Extra headers for every request (e.g. from --header); they never replace one the transport set itself. */
  headers?: Record<string, string>;
  /** Abort when response headers have not arrived within this many ms (0/undefined: no limit). The body may stream on. */
  connectTimeoutMs?: number;
  /** Per-request override of connectTimeoutMs (undefined: no limit for this request). */
  timeoutFor?(method: string, init: RequestInit): number | undefined;
  /** Sees every response before the transport does (status, the session it was for). */
  onResponse?(info: ResponseInfo): void;
  fetch?: FetchLike;
}

/**
 * The fetch every upstream request goes through: adds configured headers, bounds the wait for
 * response headers, and turns network failures into typed errors with actionable messages.
 */
export function createRemoteFetch(options: RemoteFetchOptions = {}): FetchLike {
  const base = options.fetch ?? fetch;
  return async (url, init = {}) => {
    const headers = new Headers(init.headers);
    for (const [k, v] of Object.entries(options.headers ?? {})) if (!headers.has(k)) headers.set(k, v);
    const method = (init.method ?? 'GET').toUpperCase();
    const href = String(url);
    const outer = init.signal ?? undefined;
    const limit = options.timeoutFor ? options.timeoutFor(method, init) : options.connectTimeoutMs;
    // Only the wait for headers is bounded: the timer is cleared once they arrive, and the body may stream on.
    const timeout = limit ? new AbortController() : undefined;
    if (timeout && outer) allowManyListeners(outer);
    const signal = timeout ? (outer ? AbortSignal.any([outer, timeout.signal]) : timeout.signal) : outer;
    const timer = timeout ? setTimeout(() => timeout.abort(new UpstreamTimeoutError(href, limit!, 'answer')), limit) : undefined;
    try {
      const response = await base(url, { ...init, headers, signal });
      options.onResponse?.({ method, url: href, status: response.status, sessionId: headers.get('mcp-session-id') ?? undefined, response });
      return response;
    } catch (err) {
      if (timeout?.signal.aborted && !outer?.aborted) throw new UpstreamTimeoutError(href, limit!, 'answer');
      if (outer?.aborted) throw err;
      throw classifyFetchError(href, err);
    } finally {
      if (timer) clearTimeout(timer);
    }
  };
}
