import { SdkHttpError } from '@modelcontextprotocol/client';
import { ErrorCode } from '../jsonrpc.js';
import { SwitchboardError } from '../errors.js';
import { NotMcpServerError, UpstreamHttpError, UpstreamRedirectError, rpcErrorCodeOf } from './errors.js';

/** What the SDK's HTTP errors carry besides their message. */
type HttpFailure = { status?: number; code?: string | number; message?: string; data?: { text?: string }; cause?: unknown; name?: string };

/** Maps SDK and network errors onto our typed errors, whose messages say what to do next. */
export function translateError(url: string, err: unknown): Error {
  if (err instanceof SwitchboardError) return err;
  const e = err as HttpFailure;
  if (e?.cause instanceof SwitchboardError) return e.cause;
  const status = err instanceof SdkHttpError ? err.status : typeof e?.status === 'number' ? e.status : typeof e?.code === 'number' && e.code >= 300 ? e.code : undefined;
  const message = e?.message ?? String(err);
  if (/Redirect .*not followed/i.test(message)) return new UpstreamRedirectError(url, message.replace(/^Error POSTing to endpoint: /, ''));
  if (status) {
    if (status >= 300 && status < 400) return new UpstreamRedirectError(url, `HTTP ${status}`);
    return new UpstreamHttpError(url, status, detailOf(e?.data?.text ?? message), e?.data?.text);
  }
  if (e?.code === 'CLIENT_HTTP_UNEXPECTED_CONTENT' || /Unexpected content type/i.test(message)) return new NotMcpServerError(url, message);
  if (/UnauthorizedError|Unauthorized/.test(`${(err as Error)?.name} ${message}`)) return new UpstreamHttpError(url, 401, message);
  const http = /\(HTTP (\d{3})\)/.exec(message);
  if (http) return new UpstreamHttpError(url, Number(http[1]), detailOf(message.replace(/^.*?\(HTTP \d{3}\):\s*/, '')));
  return err instanceof Error ? err : new Error(message);
}

/** The useful part of an HTTP error body: a JSON-RPC error message, or a short snippet of text. */
export function detailOf(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const t = text.replace(/^Error POSTing to endpoint:\s*/, '');
  try {
    const body = JSON.parse(t) as { error?: { message?: string } | string; message?: string };
    const msg = typeof body.error === 'string' ? body.error : (body.error?.message ?? body.message);
    if (msg) return msg;
  } catch {
    /* not JSON */
  }
  const plain = t.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
  return plain ? plain.slice(0, 200) : undefined;
}

/** Does the Streamable HTTP answer to the first request mean "this server speaks legacy SSE, try that"? */
export function fallbackWorthy(err: unknown): boolean {
  const status = (err as HttpFailure)?.status;
  if (status === 404 || status === 405) return true;
  if (status === 400) {
    // A 2026-only Streamable HTTP server refuses a 2025 initialize with -32022: that is not a reason to try SSE.
    const text = String((err as HttpFailure)?.data?.text ?? '');
    return rpcErrorCodeOf(text) !== ErrorCode.UnsupportedProtocolVersion;
  }
  const code = (err as HttpFailure)?.code;
  return code === 'CLIENT_HTTP_UNEXPECTED_CONTENT' || /Unexpected content type/i.test((err as Error)?.message ?? '');
}

/** Does this send failure mean the server no longer knows our session (so re-initializing can fix it)? */
export function sessionLostBy(err: unknown, kind: 'streamable-http' | 'sse' | undefined): boolean {
  const status = (err as HttpFailure)?.status;
  if (kind === 'streamable-http') {
    if (status === 404) return true;
    // Many servers (server-everything included) answer an unknown session with 400 instead of 404.
    const text = String((err as HttpFailure)?.data?.text ?? (err as Error)?.message ?? '');
    return status === 400 && /session/i.test(text);
  }
  return status === 404 || /HTTP 404/.test((err as Error)?.message ?? '');
}
