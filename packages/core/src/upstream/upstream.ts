import type { AuthInfo, Transport } from '../transport.js';

/** The protocol era of the client side: 2025 (sessions, initialize) or 2026-07-28 (stateless requests). */
export type Era = '2025' | '2026';

/** Who is asking for a connection to the server, and how. */
export interface UpstreamContext {
  /** The client's session (2025 era, or a stdio face). None for a 2026-07-28 request, which has no session. */
  session?: { id: string; kind: 'streamable' | 'sse' | 'stdio' };
  /** The caller, as the face authenticated it (no authentication: undefined). */
  authInfo?: AuthInfo;
  era: Era;
}

/** A connection to a server, reporting whether it still runs and how many calls wait on it (drain, readiness). */
export interface UpstreamTransport extends Transport {
  readonly alive: boolean;
  readonly inflight: number;
}

/**
 * Where a bridge's clients go: something that opens a connection to an MCP server on demand. A stdio child,
 * a remote HTTP server and an in-process server (OpenAPI) are upstreams; so is the gateway's router.
 */
export interface Upstream {
  /** A short name for logs and errors (never a secret: no command-line arguments, no credentials). */
  readonly name: string;
  open(ctx: UpstreamContext): UpstreamTransport;
}
