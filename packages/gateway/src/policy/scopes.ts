import type { KeyRing } from '../config/key-file.js';
import type { AuthConfig, RateRule, ServerConfig } from '../config/types.js';
import { GlobSet, ToolFilter, type AllowDeny } from './globs.js';

/**
 * The parts of the SDK's AuthInfo that policy reads. Authenticators set `extra.scheme` to their own scheme
 * name ("api-key" or "jwt"), so policy knows whether `clientId` is a key id or `scopes` are OAuth scopes.
 */
export interface CallerIdentity {
  clientId: string;
  scopes: readonly string[];
  extra?: Record<string, unknown>;
}

export const API_KEY_SCHEME = 'api-key';
export const JWT_SCHEME = 'jwt';

export interface CallerPolicy {
  /** For logs, audit and rate-limit keys: the key id, the token's client/subject, or "anonymous". */
  callerId: string;
  rules: AllowDeny;
  /** A per-key rate limit that replaces the gateway's default for this caller. */
  rateLimit?: RateRule;
  permits(server: string, tool: string): boolean;
}

const NOTHING: AllowDeny = { allow: [], deny: [] };

function policy(callerId: string, rules: AllowDeny, rateLimit?: RateRule): CallerPolicy {
  const filter = new ToolFilter(rules);
  return { callerId, rules, ...(rateLimit ? { rateLimit } : {}), permits: (server, tool) => filter.permits(server, tool) };
}

/**
 * What one caller may use, as `server.tool` globs (deny wins).
 *
 * - No `auth` configured: a local gateway, everything is allowed.
 * - An API key: that key's own allow/deny from the key file.
 * - A JWT: the union of the globs of each of its scopes that the config maps; unmapped scopes grant nothing, and
 *   a deny from any scope beats an allow from another.
 * - Anything else (no identity, unknown scheme, a key no longer in the file): nothing. The face should have
 *   refused such a caller already; this is the second lock.
 */
export function callerPolicy(identity: CallerIdentity | undefined, auth: AuthConfig | undefined, keys?: KeyRing): CallerPolicy {
  if (!auth) return policy(identity?.clientId ?? 'anonymous', { allow: ['*'], deny: [] });
  if (!identity) return policy('anonymous', NOTHING);
  const scheme = identity.extra?.['scheme'];
  if (scheme === API_KEY_SCHEME) {
    const entry = auth.keys !== undefined ? keys?.get(identity.clientId) : undefined;
    if (!entry || entry.disabled) return policy(identity.clientId, NOTHING);
    return policy(entry.id, { allow: entry.allow, deny: entry.deny }, entry.rateLimit);
  }
  if (scheme === JWT_SCHEME && auth.jwt) {
    const allow = new Set<string>();
    const deny = new Set<string>();
    for (const scope of identity.scopes) {
      const rules = Object.hasOwn(auth.jwt.scopes, scope) ? auth.jwt.scopes[scope] : undefined;
      rules?.allow.forEach((g) => allow.add(g));
      rules?.deny.forEach((g) => deny.add(g));
    }
    return policy(identity.clientId, { allow: [...allow], deny: [...deny] });
  }
  return policy(identity.clientId, NOTHING);
}

/** A server's own `tools` filter (globs over its tool names, for everyone), applied before any caller's. */
export function serverExposes(server: Pick<ServerConfig, 'tools'>): (tool: string) => boolean {
  const allow = new GlobSet(server.tools.allow);
  const deny = new GlobSet(server.tools.deny);
  return (tool) => allow.matches(tool) && !deny.matches(tool);
}
