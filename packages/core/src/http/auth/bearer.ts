import type { IncomingMessage } from 'node:http';
import { AuthFailure } from './authenticator.js';

/** Node refuses headers past 16 KiB by default; a longer credential is an attack or a mistake, not a token. */
export const MAX_CREDENTIAL_LENGTH = 16 * 1024;

/**
 * The credential of `Authorization: Bearer <credential>` (RFC 6750 §2.1; scheme case-insensitive, 1*SP before it).
 * undefined: no Authorization header, or another scheme (Basic, …) that is not ours to judge. Throws AuthFailure
 * for a Bearer header that cannot carry a credential. Only the header counts: RFC 6750's query and form methods
 * leak tokens into logs and are never read.
 */
export function bearerCredential(req: IncomingMessage, maxLength = MAX_CREDENTIAL_LENGTH): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const m = /^bearer(?: +(.*))?$/is.exec(header.trim());
  if (!m) return undefined;
  const credential = (m[1] ?? '').trim();
  if (!credential) throw new AuthFailure('invalid_request', 'Authorization: Bearer carries no credential');
  if (credential.length > maxLength) throw new AuthFailure('invalid_request', `the credential is longer than ${maxLength} characters`);
  if (!/^[\x21-\x7e]+$/.test(credential)) throw new AuthFailure('invalid_request', 'the credential contains spaces or characters outside printable ASCII');
  return credential;
}
