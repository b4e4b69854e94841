import type { IncomingMessage } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/server';
import { SwitchboardError } from '../../errors.js';

export type { AuthInfo };

/** Why a request was refused by an authenticator: 401 (no or bad credential) or 403 (a valid one without the scope). */
export type AuthFailureKind = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

export class AuthFailure extends SwitchboardError {
  readonly status: 401 | 403;
  constructor(
    readonly kind: AuthFailureKind,
    message: string,
    /** With insufficient_scope: the scopes that would have been enough (for the challenge's scope=…). */
    readonly scopes?: string[],
  ) {
    super(kind === 'insufficient_scope' ? 'SB_AUTH_SCOPE' : 'SB_AUTH', message);
    this.status = kind === 'insufficient_scope' ? 403 : 401;
  }
}

/**
 * Turns a request's credential into the caller's identity. The face runs it before any MCP handling and
 * hands the identity to the upstream with every message of that request (MessageExtraInfo.authInfo).
 *
 * - returns undefined: the request carries no credential this authenticator understands (the face answers 401
 *   with challenge());
 * - throws AuthFailure: a credential was present and is not acceptable;
 * - returns AuthInfo: the caller. `clientId` is a stable id for policy and logs (an API key's id, a token's
 *   client or subject); `token` is the credential only where a backend may need it forwarded, never logged.
 */
export interface Authenticator {
  /** A short name for logs ("api-key", "jwt"). */
  readonly scheme: string;
  authenticate(req: IncomingMessage): Promise<AuthInfo | undefined> | AuthInfo | undefined;
  /** The WWW-Authenticate header value for a refusal (no failure: no credential at all). */
  challenge(failure?: AuthFailure): string;
  /** Documents served without authentication, by path (e.g. RFC 9728 protected-resource metadata). */
  wellKnown?(): Record<string, unknown>;
}
