// Interim: plain API keys as an Authenticator, until the key-file authenticator (ids, scopes) replaces it.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AuthFailure, type Authenticator, type AuthInfo } from './authenticator.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function staticKeyAuthenticator(keys: string[]): Authenticator {
  const entries = keys.map((k) => ({ digest: digest(k), id: `key-${digest(k).toString('hex').slice(0, 8)}` }));
  return {
    scheme: 'api-key',
    authenticate(req: IncomingMessage): AuthInfo | undefined {
      const auth = req.headers.authorization;
      let presented: string | undefined;
      if (auth && /^bearer\s+/i.test(auth)) presented = auth.replace(/^bearer\s+/i, '').trim();
      else if (typeof req.headers['x-api-key'] === 'string') presented = req.headers['x-api-key'];
      if (!presented) return undefined;
      const d = digest(presented);
      let found: string | undefined;
      for (const e of entries) if (timingSafeEqual(d, e.digest)) found ??= e.id;
      if (!found) throw new AuthFailure('invalid_token', 'invalid API key: send Authorization: Bearer <key> or X-API-Key');
      return { token: '', clientId: found, scopes: [], extra: { kind: 'api-key' } };
    },
    challenge: (failure) => (failure ? `Bearer realm="switchboard", error="${failure.kind}"` : 'Bearer realm="switchboard"'),
  };
}
