import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ConfigError } from '../../errors.js';
import { AuthFailure, type AuthInfo, type Authenticator } from './authenticator.js';
import { bearerCredential } from './bearer.js';
import type { ApiKey } from './key-file.js';

export type { ApiKey } from './key-file.js';

const REALM = 'switchboard';

/** The presented key: `Authorization: Bearer <key>` first, else `X-API-Key`. Other schemes are not ours. */
function presentedKey(req: IncomingMessage): string | undefined {
  const bearer = bearerCredential(req);
  if (bearer !== undefined) return bearer;
  const header = req.headers['x-api-key'];
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header[0] : header)?.trim() ?? '';
  if (!value) throw new AuthFailure('invalid_request', 'X-API-Key is empty');
  return value;
}

/**
 * Accepts any of `keys` (Authorization: Bearer <key> or X-API-Key). The caller is the key's id; the key itself never
 * leaves this function (AuthInfo.token stays empty, so nothing downstream can log or forward it).
 */
export function apiKeyAuthenticator(keys: ApiKey[]): Authenticator {
  if (!keys.length) throw new ConfigError('apiKeyAuthenticator: no keys configured (that would refuse every request); give at least one key');
  const seen = new Map<string, string>();
  for (const k of keys) {
    if (!Buffer.isBuffer(k.digest) || k.digest.length !== 32) throw new ConfigError(`API key "${k.id}": digest must be the 32-byte sha-256 of the key`);
    if (seen.has(k.id)) throw new ConfigError(`API key id "${k.id}" is used twice`);
    seen.set(k.id, k.id);
  }
  // A disabled key stays in the file for the record (and keeps its id taken) but opens nothing.
  const table = keys.filter((k) => !k.disabled).map((k) => ({ ...k, digest: Buffer.from(k.digest) }));

  return {
    scheme: 'api-key',
    authenticate(req): AuthInfo | undefined {
      const key = presentedKey(req);
      if (key === undefined) return undefined;
      // Hashing first gives every comparison the same length; every key is compared, and which one matched is
      // picked without an early exit, so response time says nothing about how many keys or which one.
      const digest = createHash('sha256').update(key, 'utf8').digest();
      let match: ApiKey | undefined;
      for (const k of table) {
        const equal = timingSafeEqual(digest, k.digest);
        match = equal ? k : match;
      }
      if (!match) throw new AuthFailure('invalid_token', 'the API key is not valid');
      return { token: '', clientId: match.id, scopes: [...(match.scopes ?? [])], extra: { kind: 'api-key' } };
    },
    challenge(failure?: AuthFailure): string {
      const base = `Bearer realm="${REALM}"`;
      return failure ? `${base}, error="${failure.kind}"` : base;
    },
  };
}
