import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, errorResponse } from '../jsonrpc.js';
import { AuthFailure, type Authenticator, type AuthInfo } from './auth/authenticator.js';
import { AuthUnavailableError } from './auth/unavailable.js';
import { applyCors, hostAllowed, originAllowed, type SecurityOptions } from './security.js';

/** One HTTP request on its way through the face's gate. */
export interface FaceRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The path below the base path, without the query. */
  readonly path: string;
  /** The caller, once an authenticator accepted the request. */
  authInfo?: AuthInfo;
}

/**
 * A step of the face's gate, run in order before any MCP handling. It either answers the request itself (returns
 * true: the gate stops there) or lets it through, possibly after noting something on it (the caller's identity).
 */
export type Middleware = (c: FaceRequest) => boolean | Promise<boolean>;

/** How the gate refuses: a JSON-RPC error body with the status, counted by reason. */
export type Refuse = (c: FaceRequest, status: number, reason: string, message: string, code?: number) => true;

export function refuseWith(onReject?: (reason: string) => void): Refuse {
  return (c, status, reason, message, code = ErrorCode.InvalidRequest) => {
    onReject?.(reason);
    const body = JSON.stringify(errorResponse(null, code, message));
    // A refused client has no business keeping the socket: close it, so refusals cost no file descriptor.
    if (status === 401 || status === 403 || status === 413) c.res.setHeader('connection', 'close');
    c.res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    return true;
  };
}

/** DNS-rebinding guard: the Host header must name us. */
export function hostGuard(allowedHosts: string[], refuse: Refuse): Middleware {
  return (c) => !hostAllowed(c.req, allowedHosts) && refuse(c, 403, 'host', `Host "${c.req.headers.host}" is not allowed (use --allowed-host)`);
}

/** A browser page may call us only from a listed origin (or from our own). */
export function originGuard(security: SecurityOptions, refuse: Refuse): Middleware {
  return (c) => !originAllowed(c.req, security) && refuse(c, 403, 'origin', `Origin "${c.req.headers.origin}" is not allowed (use --cors)`);
}

/** CORS headers for listed origins; preflights answered here. */
export function cors(security: SecurityOptions): Middleware {
  return (c) => {
    if (applyCors(c.req, c.res, security)) return true;
    if (c.req.method === 'OPTIONS') {
      c.res.writeHead(204).end();
      return true;
    }
    return false;
  };
}

/** Documents the authenticators publish without authentication (RFC 9728 protected-resource metadata). */
export function wellKnown(authenticators: Authenticator[]): Middleware {
  const docs = new Map<string, string>();
  for (const a of authenticators) for (const [path, doc] of Object.entries(a.wellKnown?.() ?? {})) docs.set(path, JSON.stringify(doc));
  return (c) => {
    const doc = docs.get(c.path) ?? docs.get(c.req.url?.split('?')[0] ?? '');
    if (doc === undefined || c.req.method !== 'GET') return false;
    c.res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' }).end(doc);
    return true;
  };
}

/**
 * Authentication: each authenticator in turn, and the first that accepts the request's credential decides (an API
 * key authenticator cannot tell a JWT from a wrong key, so a refusal does not stop the others). When none accepts:
 * a valid credential without the scope gets 403, another refused credential 401 with the challenge of the
 * authenticator that refused it (the most specific, the later one), and no credential at all 401 with every
 * challenge.
 */
export function authenticate(authenticators: Authenticator[], refuse: Refuse): Middleware {
  if (!authenticators.length) return () => false;
  return async (c) => {
    let refused: { by: Authenticator; failure: AuthFailure } | undefined;
    for (const a of authenticators) {
      try {
        const who = await a.authenticate(c.req);
        if (who) {
          c.authInfo = who;
          return false;
        }
      } catch (err) {
        if (err instanceof AuthUnavailableError) {
          // The credential may be fine; we cannot check it now. A 401 would make an OAuth client throw its token away.
          c.res.setHeader('retry-after', String(err.retryAfterSec));
          return refuse(c, 503, 'auth-unavailable', err.message);
        }
        if (!(err instanceof AuthFailure)) throw err;
        if (refused?.failure.status !== 403) refused = { by: a, failure: err };
      }
    }
    if (refused) {
      c.res.setHeader('www-authenticate', refused.by.challenge(refused.failure));
      return refuse(c, refused.failure.status, 'auth', refused.failure.message);
    }
    c.res.setHeader(
      'www-authenticate',
      authenticators.map((a) => a.challenge()),
    );
    return refuse(c, 401, 'auth', 'missing credentials: send Authorization: Bearer <key or token> (or X-API-Key)');
  };
}
