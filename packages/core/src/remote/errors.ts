import { SwitchboardError } from '../errors.js';

/** Errors about the remote MCP server we connect to. Each message says what to try next. */
export class UpstreamError extends SwitchboardError {}

export class UpstreamHttpError extends UpstreamError {
  /** The JSON-RPC error code in the response body, when the body was a JSON-RPC error (e.g. -32022). */
  readonly rpcCode?: number;
  constructor(readonly url: string, readonly status: number, detail?: string, body?: string) {
    super('SB_UPSTREAM_HTTP', `upstream ${url} returned ${status}${detail ? `: ${detail}` : ''}${hintFor(status)}`);
    this.rpcCode = rpcErrorCodeOf(body);
  }
}

/** The `error.code` of a JSON-RPC error response body, if that is what the text is. */
export function rpcErrorCodeOf(body: string | undefined): number | undefined {
  if (!body?.includes('"error"')) return undefined;
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'number' ? code : undefined;
  } catch {
    return undefined;
  }
}

function hintFor(status: number): string {
  if (status === 401) return ". Set --header 'Authorization: Bearer …' or let OAuth run (check --client-id / --config-dir)";
  if (status === 403) return '. The credentials lack permission for this server (check the token scopes)';
  if (status === 404) return '. Check the URL path (Streamable HTTP servers usually end in /mcp, legacy SSE ones in /sse)';
  if (status === 405) return '. The server does not accept this method at this URL: try --transport sse or --transport streamable-http';
  if (status === 429) return '. The server is rate limiting: retry later';
  if (status >= 500) return '. The remote server failed: check its logs or retry later';
  return '';
}

export class UpstreamUnreachableError extends UpstreamError {
  constructor(readonly url: string, cause: unknown) {
    super('SB_UPSTREAM_UNREACHABLE', `cannot reach ${url}: ${describeCause(cause)}. Check the host, port and your network or proxy`, { cause });
  }
}

export class UpstreamTlsError extends UpstreamError {
  constructor(readonly url: string, cause: unknown) {
    super(
      'SB_UPSTREAM_TLS',
      `TLS handshake with ${url} failed: ${describeCause(cause)}. The server certificate is not trusted: fix the certificate, or add your CA with NODE_EXTRA_CA_CERTS=/path/ca.pem`,
      { cause },
    );
  }
}

export class UpstreamTimeoutError extends UpstreamError {
  constructor(readonly url: string, readonly ms: number, what = 'respond') {
    super('SB_UPSTREAM_TIMEOUT', `${url} did not ${what} within ${ms} ms. Raise --timeout, or check that the server is up`);
  }
}

export class UpstreamRedirectError extends UpstreamError {
  constructor(readonly url: string, detail: string) {
    super('SB_UPSTREAM_REDIRECT', `${url} redirected too often or off its origin (${detail}). Use the final URL of the MCP endpoint directly`);
  }
}

export class NotMcpServerError extends UpstreamError {
  constructor(readonly url: string, detail: string) {
    super('SB_NOT_MCP', `${url} does not look like an MCP server (${detail}). Check the URL: it should be the server's MCP endpoint, e.g. https://host/mcp or https://host/sse`);
  }
}

export class SessionLostError extends UpstreamError {
  constructor(readonly url: string) {
    super('SB_SESSION_LOST', `the session with ${url} ended (server restart?) while this request was in flight; the session was re-established — retry the call`);
  }
}

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_NOT_YET_VALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

function rootCause(err: unknown): { code?: string; message?: string } {
  let e = err as { cause?: unknown; code?: string; message?: string } | undefined;
  for (let i = 0; i < 5 && e?.cause; i++) e = e.cause as typeof e;
  return e ?? {};
}

function describeCause(cause: unknown): string {
  const c = rootCause(cause);
  return [c.code, c.message].filter(Boolean).join(' ') || String(cause);
}

/** Turns a low-level fetch failure into one of the typed errors above. */
export function classifyFetchError(url: string, err: unknown): Error {
  if (err instanceof SwitchboardError) return err;
  const c = rootCause(err);
  const code = c.code ?? '';
  const msg = `${(err as Error)?.message ?? ''} ${c.message ?? ''}`;
  if (TLS_CODES.has(code) || /certificate|SSL|TLS/i.test(msg)) return new UpstreamTlsError(url, err);
  if (/redirect/i.test(msg)) return new UpstreamRedirectError(url, msg.trim());
  return new UpstreamUnreachableError(url, err);
}
