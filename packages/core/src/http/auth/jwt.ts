// Only types come from jose here: the module is imported when an authenticator is built, so a CLI start that
// does not use JWTs never loads it.
import type { JSONWebKeySet, JWTPayload, JWTVerifyGetKey } from 'jose';
import { ConfigError } from '../../errors.js';
import { AuthFailure, type AuthInfo, type Authenticator } from './authenticator.js';
import { bearerCredential, MAX_CREDENTIAL_LENGTH } from './bearer.js';
import { checkJwksUrl, inlineKeys, remoteKeys, sharedSecretKey, type RemoteJwksOptions } from './jwt-keys.js';
import { parseResourceUrl, resourceMetadataDocuments, resourceMetadataUrl, type ProtectedResourceMetadata } from './resource-metadata.js';

export interface JwtAuthenticatorOptions {
  /** The authorization server's issuer identifier; the token's `iss` must equal it. */
  issuer: string;
  /** This server's resource URL (RFC 8707), e.g. https://mcp.example.com/mcp; the token's `aud` must contain it. */
  audience: string;
  /** The authorization server's jwks_uri. Exactly one of jwksUrl, jwks, sharedSecret. */
  jwksUrl?: string | URL;
  /** Public keys given inline instead of fetched. */
  jwks?: JSONWebKeySet;
  /** An HMAC secret shared with the issuer: the only way HS256/384/512 tokens are accepted. */
  sharedSecret?: string | Uint8Array;
  /** Accepted `alg` values. Default: the asymmetric ones (or HS256 with sharedSecret). `none` is never accepted. */
  algorithms?: string[];
  /** Leeway for exp/nbf against clock skew between the issuer and this host (default 60). */
  clockToleranceSec?: number;
  /** Scopes every request needs (all of them); a valid token without them gets 403 insufficient_scope. */
  requiredScopes?: string[];
  /** Listed in the resource metadata (default: requiredScopes). */
  scopesSupported?: string[];
  /** Listed in the resource metadata (default: [issuer]). */
  authorizationServers?: string[];
  resourceName?: string;
  /**
   * Required `typ` header, e.g. "at+jwt" (RFC 9068 §4 asks resource servers to check it). Not checked by default:
   * many issuers (Auth0, Entra ID, Keycloak) send "JWT"; the audience check already keeps ID tokens out.
   */
  typ?: string;
  /** Fetching jwksUrl: cache, cooldown, timeout, back-off after a failure. */
  jwksFetch?: RemoteJwksOptions;
  maxTokenLength?: number;
}

export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'];
/** Three base64url segments; the signature may be empty only so that alg "none" is refused by name, below. */
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

function checkAlgorithms(options: JwtAuthenticatorOptions): string[] {
  const hmac = options.sharedSecret !== undefined;
  const algorithms = options.algorithms ?? (hmac ? ['HS256'] : ASYMMETRIC_ALGORITHMS);
  if (!algorithms.length) throw new ConfigError('algorithms: give at least one (e.g. RS256, ES256)');
  for (const alg of algorithms) {
    if (alg.toLowerCase() === 'none') throw new ConfigError('algorithms: "none" would accept unsigned tokens; it is never allowed');
    const known = hmac ? HMAC_ALGORITHMS : ASYMMETRIC_ALGORITHMS;
    if (!known.includes(alg))
      throw new ConfigError(
        hmac
          ? `algorithms: "${alg}" cannot be used with sharedSecret (use ${HMAC_ALGORITHMS.join(', ')})`
          : HMAC_ALGORITHMS.includes(alg)
            ? `algorithms: "${alg}" needs sharedSecret; with public keys it would let anyone sign with the public key`
            : `algorithms: "${alg}" is not supported (use ${ASYMMETRIC_ALGORITHMS.join(', ')})`,
      );
  }
  return algorithms;
}

const CLAIMS = new Set(['iss', 'aud', 'sub', 'exp', 'nbf', 'iat', 'jti', 'typ']);

/** jose's error → a reason that is safe to send back: fixed texts and our own configuration, never token content. */
function failureFor(err: unknown, options: JwtAuthenticatorOptions): AuthFailure | undefined {
  const { issuer, audience } = options;
  const e = err as { code?: string; claim?: string; reason?: string };
  switch (e?.code) {
    case 'ERR_JWT_EXPIRED':
      return new AuthFailure('invalid_token', 'the token has expired');
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (e.reason === 'missing' && CLAIMS.has(e.claim ?? '')) return new AuthFailure('invalid_token', `the token has no "${e.claim}" claim`);
      if (e.claim === 'iss') return new AuthFailure('invalid_token', `wrong issuer: the token was not issued by ${issuer}`);
      if (e.claim === 'aud') return new AuthFailure('invalid_token', `wrong audience: the token is not for ${audience} (request it with resource=${audience})`);
      if (e.claim === 'typ') return new AuthFailure('invalid_token', `the token's typ header is not ${options.typ}`);
      if (e.claim === 'nbf') return new AuthFailure('invalid_token', 'the token is not valid yet (nbf)');
      return new AuthFailure('invalid_token', CLAIMS.has(e.claim ?? '') ? `the token's "${e.claim}" claim is invalid` : 'the token has an invalid claim');
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return new AuthFailure('invalid_token', 'bad signature');
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return new AuthFailure('invalid_token', "bad signature: no single key of the authorization server matches the token's kid and algorithm");
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return new AuthFailure('invalid_token', "the token's signing algorithm is not accepted");
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
    case 'ERR_JOSE_NOT_SUPPORTED':
    case 'ERR_JWK_INVALID':
      return new AuthFailure('invalid_token', 'malformed token');
    default:
      return undefined;
  }
}

/** `scope` (RFC 9068, space-separated) or `scp` (array, or a string as some issuers send it). */
function scopesOf(payload: JWTPayload): string[] {
  const raw = payload.scope ?? payload.scp;
  if (raw === undefined) return [];
  if (typeof raw === 'string') return raw.split(' ').filter(Boolean);
  if (Array.isArray(raw) && raw.every((s) => typeof s === 'string')) return raw.filter(Boolean);
  throw new AuthFailure('invalid_token', 'the token\'s "scope" claim is malformed');
}

/** RFC 6750 §3: error_description is limited to %x20-21 / %x23-5B / %x5D-7E. */
function quotable(text: string): string {
  return text.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '?').slice(0, 300);
}

/**
 * An OAuth 2.1 resource server: accepts JWT access tokens from `issuer`, for `audience`, signed by a key of its JWK
 * Set. Async because jose is imported here, on first use.
 *
 * Failures: AuthFailure (401 invalid_request / invalid_token, 403 insufficient_scope); AuthUnavailableError (503,
 * Retry-After) when the JWK Set cannot be fetched — the token may be fine, so clients must not be sent to
 * re-authorize.
 */
export async function jwtAuthenticator(options: JwtAuthenticatorOptions): Promise<Authenticator> {
  if (typeof options.issuer !== 'string' || !options.issuer) throw new ConfigError('issuer: give the authorization server\'s issuer identifier (its "iss")');
  const resource = parseResourceUrl(options.audience);
  const audience = options.audience;
  const algorithms = checkAlgorithms(options);
  const sources = [options.jwksUrl, options.jwks, options.sharedSecret].filter((s) => s !== undefined).length;
  if (sources !== 1) throw new ConfigError('give exactly one of jwksUrl (the authorization server\'s jwks_uri), jwks (inline public keys) or sharedSecret');
  const clockTolerance = options.clockToleranceSec ?? 60;
  if (!(clockTolerance >= 0)) throw new ConfigError('clockToleranceSec must be 0 or more');
  const requiredScopes = options.requiredScopes ?? [];
  for (const s of [...requiredScopes, ...(options.scopesSupported ?? [])])
    if (!/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s)) throw new ConfigError(`scope "${s}" is not a valid scope token (RFC 6749: no spaces, quotes or backslashes)`);
  const maxTokenLength = options.maxTokenLength ?? MAX_CREDENTIAL_LENGTH;
  const jwksUrl = options.jwksUrl !== undefined ? checkJwksUrl(options.jwksUrl) : undefined;
  const secret = options.sharedSecret !== undefined ? sharedSecretKey(options.sharedSecret) : undefined;

  const jose = await import('jose');
  const keys: JWTVerifyGetKey | Uint8Array = secret ?? (jwksUrl ? remoteKeys(jose, jwksUrl, options.jwksFetch) : inlineKeys(jose, options.jwks!));

  const metadataUrl = resourceMetadataUrl(resource);
  const scopesSupported = options.scopesSupported ?? (requiredScopes.length ? requiredScopes : undefined);
  const metadata: ProtectedResourceMetadata = {
    resource: audience,
    authorization_servers: options.authorizationServers ?? [options.issuer],
    ...(scopesSupported ? { scopes_supported: scopesSupported } : {}),
    bearer_methods_supported: ['header'],
    ...(options.resourceName ? { resource_name: options.resourceName } : {}),
  };

  return {
    scheme: 'jwt',
    async authenticate(req): Promise<AuthInfo | undefined> {
      const token = bearerCredential(req, maxTokenLength);
      if (token === undefined) return undefined;
      if (!JWS_COMPACT.test(token)) throw new AuthFailure('invalid_token', 'malformed token (expected a signed JWT)');
      let payload: JWTPayload;
      try {
        const checks = { issuer: options.issuer, audience, algorithms, clockTolerance, requiredClaims: ['exp'], ...(options.typ ? { typ: options.typ } : {}) };
        ({ payload } = await (typeof keys === 'function' ? jose.jwtVerify(token, keys, checks) : jose.jwtVerify(token, keys, checks)));
      } catch (err) {
        const failure = failureFor(err, options);
        if (failure) throw failure;
        throw err;
      }
      const scopes = scopesOf(payload);
      const clientId = [payload.client_id, payload.azp, payload.sub].find((v): v is string => typeof v === 'string' && v !== '');
      if (!clientId) throw new AuthFailure('invalid_token', 'the token names no client (client_id, azp or sub)');
      const missing = requiredScopes.filter((s) => !scopes.includes(s));
      if (missing.length) throw new AuthFailure('insufficient_scope', `the token lacks the scope ${missing.join(' ')}`, requiredScopes);
      return {
        token,
        clientId,
        scopes,
        expiresAt: payload.exp,
        resource: new URL(resource.href),
        resourceMetadataUrl: metadataUrl,
        extra: { kind: 'jwt', subject: payload.sub, issuer: payload.iss },
      };
    },
    challenge(failure?: AuthFailure): string {
      const params = [`resource_metadata="${metadataUrl}"`];
      if (failure) params.push(`error="${failure.kind}"`, `error_description="${quotable(failure.message)}"`);
      // On a 401 too: MCP clients ask for the scopes the challenge names (MCP auth spec, scope selection).
      const scope = failure?.kind === 'insufficient_scope' && failure.scopes?.length ? failure.scopes : requiredScopes;
      if (scope.length) params.push(`scope="${scope.join(' ')}"`);
      return `Bearer ${params.join(', ')}`;
    },
    wellKnown() {
      return resourceMetadataDocuments(resource, metadata);
    },
  };
}
