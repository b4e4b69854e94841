import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';
import { ConfigError } from '../../errors.js';
import { AuthUnavailableError } from './unavailable.js';

type Jose = typeof import('jose');

export interface RemoteJwksOptions {
  /** How long fetched keys are used before they are fetched again (default 600). */
  cacheMaxAgeSec?: number;
  /** After a fetch, a token with an unknown kid does not trigger another for this long (default 30): a flood of made-up kids must not become a flood of requests to the authorization server. */
  cooldownSec?: number;
  /** One fetch may take this long (default 5000). */
  timeoutMs?: number;
  /** After a failed fetch, requests are refused (503) without fetching again for this long (default 5). */
  retryAfterSec?: number;
  /**
   * While the endpoint fails, keys fetched successfully at most this long ago still verify tokens (default 3600; 0:
   * never). An outage of the authorization server's JWKS should not take every MCP request down with it; the
   * bound keeps a key that was withdrawn during an outage from living on indefinitely.
   */
  staleIfErrorSec?: number;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** Keys fetched only over https (a forged JWKS forges every token), except on loopback where nothing is in between. */
export function checkJwksUrl(raw: string | URL): URL {
  let url: URL;
  try {
    url = new URL(String(raw));
  } catch {
    throw new ConfigError(`jwksUrl "${String(raw)}" is not an absolute URL (the authorization server's jwks_uri)`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && LOOPBACK.test(url.hostname)) return url;
  throw new ConfigError(`jwksUrl "${url.href}" must use https (plain http is only accepted on loopback): anyone in between could replace the keys`);
}

/**
 * jose's remote key set (caching, cooldown, refetch on an unknown kid) over a fetch that turns every way the
 * endpoint can fail into AuthUnavailableError, and remembers a failure for retryAfterSec so an outage is not
 * answered with one fetch per incoming request.
 */
export function remoteKeys(jose: Jose, url: URL, options: RemoteJwksOptions = {}): JWTVerifyGetKey {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const retryAfterSec = options.retryAfterSec ?? 5;
  const staleIfErrorMs = (options.staleIfErrorSec ?? 3600) * 1000;
  let failed: { at: number; message: string } | undefined;
  let fetchedAt = 0;

  const unavailable = (reason: string, cause?: unknown): never => {
    const message = `the authorization server's keys (${url.href}) ${reason}`;
    failed = { at: Date.now(), message };
    throw new AuthUnavailableError(message, retryAfterSec, { cause });
  };

  const fetchJwks = async (input: string | URL, init: RequestInit): Promise<Response> => {
    if (failed && Date.now() - failed.at < retryAfterSec * 1000)
      throw new AuthUnavailableError(`${failed.message} (not retried for ${retryAfterSec}s)`, retryAfterSec);
    let res: Response;
    let text: string;
    try {
      res = await fetch(input, init);
      text = await res.text();
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      return unavailable(
        e.name === 'TimeoutError' || e.name === 'AbortError' ? `did not answer within ${timeoutMs} ms` : `could not be fetched (${e.cause?.code ?? e.message})`,
        err,
      );
    }
    if (res.status !== 200) return unavailable(`answered HTTP ${res.status}${res.status >= 300 && res.status < 400 ? ' (redirects are not followed: configure the final URL)' : ''}`);
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      return unavailable('answered something that is not JSON');
    }
    if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { keys?: unknown }).keys)) return unavailable('answered JSON that is not a JWK Set ({ "keys": [ … ] })');
    failed = undefined;
    fetchedAt = Date.now();
    return new Response(text, { status: 200, headers: { 'content-type': 'application/json' } });
  };

  const remote = jose.createRemoteJWKSet(url, {
    cacheMaxAge: (options.cacheMaxAgeSec ?? 600) * 1000,
    cooldownDuration: (options.cooldownSec ?? 30) * 1000,
    timeoutDuration: timeoutMs,
    [jose.customFetch]: fetchJwks,
  });

  let stale: { fetchedAt: number; keys: JWTVerifyGetKey } | undefined;
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (err) {
      // jose found the fetched document unusable (a member that is not a key, a private key): the issuer's fault,
      // and the keys we hold are that same document, so there is nothing stale to fall back on.
      if ((err as { code?: string })?.code === 'ERR_JWKS_INVALID')
        throw new AuthUnavailableError(`the authorization server's keys (${url.href}) are not a valid JWK Set: ${(err as Error).message}`, retryAfterSec, { cause: err });
      if (!(err instanceof AuthUnavailableError) || !fetchedAt || Date.now() - fetchedAt > staleIfErrorMs) throw err;
      // jwks() hands out a copy each time: build the local set once per successful fetch, so keys are imported once.
      if (stale?.fetchedAt !== fetchedAt) {
        const last = remote.jwks();
        if (!last) throw err;
        stale = { fetchedAt, keys: jose.createLocalJWKSet(last) };
      }
      // A kid the old keys do not know may be a rotation we cannot see right now: still "unavailable", not "invalid".
      try {
        return await stale.keys(header, token);
      } catch (lookup) {
        throw (lookup as { code?: string })?.code === 'ERR_JWKS_NO_MATCHING_KEY' ? err : lookup;
      }
    }
  };
}

export function inlineKeys(jose: Jose, jwks: JSONWebKeySet): JWTVerifyGetKey {
  if (!Array.isArray(jwks?.keys) || !jwks.keys.length) throw new ConfigError('jwks: expected a JWK Set with at least one key ({ "keys": [ … ] })');
  for (const [i, k] of jwks.keys.entries()) {
    // A private or symmetric member would let whoever reads the config mint tokens, or be an HS* confusion waiting to happen.
    if (k.kty === 'oct') throw new ConfigError(`jwks.keys[${i}] is a symmetric (oct) key: use sharedSecret for HS* tokens`);
    if ('d' in k) throw new ConfigError(`jwks.keys[${i}] is a private key: configure the public part only`);
  }
  try {
    return jose.createLocalJWKSet(jwks);
  } catch (err) {
    throw new ConfigError(`jwks: not a valid JWK Set (${(err as Error).message})`);
  }
}

/** RFC 7518 §3.2: an HMAC key at least as long as the hash. */
export function sharedSecretKey(secret: string | Uint8Array): Uint8Array {
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  if (bytes.length < 32) throw new ConfigError(`sharedSecret is ${bytes.length} bytes; HS256 needs at least 32 (e.g. \`openssl rand -base64 48\`)`);
  return bytes;
}
