import { SwitchboardError } from '../../errors.js';

/**
 * The credential could not be checked because something the check depends on is down (the authorization server's
 * JWKS). Not an AuthFailure on purpose: a 401 would tell OAuth clients to throw away a token that may be perfectly
 * good and start a new authorization, which cannot help; 503 with Retry-After says "same token, a bit later".
 */
export class AuthUnavailableError extends SwitchboardError {
  readonly status = 503;
  constructor(
    message: string,
    /** Seconds until the check is tried again (the Retry-After header). */
    readonly retryAfterSec: number,
    options?: { cause?: unknown },
  ) {
    super('SB_AUTH_UNAVAILABLE', message, options);
  }
}
