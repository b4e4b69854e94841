import { readFileSync } from 'node:fs';
import type { OpenAPIV3 } from 'openapi-types';
import type { Dispatcher } from 'undici';
import { AuthError, EgressDeniedError } from './errors.js';
import type { HostAllowlist } from './http/allowlist.js';
import type { SecurityRequirements } from './model.js';
import type { PreparedRequest } from './request.js';
import { CredentialScopes, DEFAULT_HEADERS_SCOPE } from './scope.js';
import { hostOf } from './servers.js';

/**
 * A credential for one security scheme. Strings may be `env:VAR` (read from the environment at
 * call time) or a literal. Basic takes `user:password`; OAuth2 client-credentials takes
 * `clientId:clientSecret` or the object form; a plain string for oauth2/openIdConnect is used as
 * a ready bearer token.
 */
export type AuthValue =
  | string
  | { username: string; password: string }
  | { clientId: string; clientSecret: string; scopes?: string[]; audience?: string; tokenUrl?: string };

export interface AuthOptions {
  /** securitySchemes key → credential. */
  auth?: Record<string, AuthValue>;
  /** JSON file with the same shape as `auth` (merged under it). */
  authFile?: string;
  /** Headers sent on every request (e.g. for specs without securitySchemes). Values may be `env:VAR`. Never overridable by arguments. */
  defaultHeaders?: Record<string, string>;
  /**
   * Hosts (`host` or `host:port`) besides the API's primary origin that a scheme's credential may be
   * sent to, keyed by scheme; key `*` grants every credential and the default headers.
   */
  authHosts?: Record<string, string[]>;
}

export function resolveSecret(value: string, where: string): string {
  if (value.startsWith('env:')) {
    const name = value.slice(4);
    const found = process.env[name];
    if (found === undefined || found === '') throw new AuthError(`Environment variable ${name} (for ${where}) is not set.`);
    return found;
  }
  return value;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

export interface AppliedAuth {
  /** Header names set by auth: removed on cross-origin redirects, never overridable. */
  sensitiveHeaders: string[];
  /** Secret values to scrub from anything shown to the model or logs. */
  secrets: string[];
  /** Scheme names used (for a 401 token refresh). */
  schemes: string[];
}

/** Applies `security` (OR of ANDs) from configured credentials; secrets never come from tool arguments. */
export class AuthManager {
  private readonly credentials: Record<string, AuthValue>;
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<CachedToken>>();

  constructor(
    private readonly schemes: Record<string, OpenAPIV3.SecuritySchemeObject>,
    options: AuthOptions,
    private readonly http: { dispatcher: () => Promise<Dispatcher>; allowlist: HostAllowlist; timeoutMs: number },
    private readonly scopes: CredentialScopes = new CredentialScopes(undefined, { [DEFAULT_HEADERS_SCOPE]: ['*'] }),
  ) {
    const fromFile = options.authFile ? (JSON.parse(readFileSync(options.authFile, 'utf8')) as Record<string, AuthValue>) : {};
    this.credentials = { ...fromFile, ...(options.auth ?? {}) };
    for (const key of Object.keys(this.credentials)) {
      if (!schemes[key]) throw new AuthError(`auth names scheme "${key}", but the spec's securitySchemes are: ${Object.keys(schemes).join(', ') || '(none)'}.`);
    }
    this.defaultHeaders = options.defaultHeaders ?? {};
  }

  private readonly defaultHeaders: Record<string, string>;

  /** Header names auth may set, for refusing argument overrides. */
  protectedHeaderNames(): string[] {
    const names = new Set(Object.keys(this.defaultHeaders).map((h) => h.toLowerCase()));
    for (const scheme of Object.values(this.schemes)) {
      if (scheme.type === 'apiKey' && scheme.in === 'header') names.add(scheme.name.toLowerCase());
      else if (scheme.type !== 'apiKey') names.add('authorization');
    }
    return [...names];
  }

  isConfigured(scheme: string): boolean {
    return this.credentials[scheme] !== undefined;
  }

  /**
   * Picks the first requirement alternative whose schemes are all configured and, when `url` is
   * given, all allowed to be sent to its host.
   */
  choose(security: SecurityRequirements | undefined, url?: URL): string[] | undefined {
    if (!security || security.length === 0) return [];
    for (const alternative of security) {
      const names = Object.keys(alternative);
      if (names.every((n) => this.isConfigured(n) && (!url || this.scopes.allows(n, url)))) return names;
    }
    return undefined;
  }

  /** Every secret value the configuration holds now (env values resolved), for scrubbing output. */
  knownSecrets(): string[] {
    const out: string[] = [];
    const add = (raw: string | undefined) => {
      if (!raw) return;
      try {
        const value = resolveSecret(raw, 'redaction');
        out.push(value);
        const colon = value.indexOf(':');
        if (colon >= 0) out.push(value.slice(colon + 1), Buffer.from(value).toString('base64'));
      } catch {
        // Unset variables hold no secret yet; the call that needs them reports it.
      }
    };
    for (const value of Object.values(this.defaultHeaders)) add(value);
    for (const credential of Object.values(this.credentials)) {
      if (typeof credential === 'string') add(credential);
      else if ('username' in credential) add(credential.password);
      else add(credential.clientSecret);
    }
    for (const token of this.tokens.values()) out.push(token.token);
    return out;
  }

  async apply(prepared: PreparedRequest, security: SecurityRequirements | undefined, scopesFor: (scheme: string) => string[] = () => []): Promise<AppliedAuth> {
    const applied: AppliedAuth = { sensitiveHeaders: [], secrets: [], schemes: [] };
    const target = new URL(prepared.url);
    // Default headers often carry an API key too: they follow the same host scope as credentials.
    const headerEntries = this.scopes.allows(DEFAULT_HEADERS_SCOPE, target) ? Object.entries(this.defaultHeaders) : [];
    for (const [name, raw] of headerEntries) {
      const value = resolveSecret(raw, `default header ${name}`);
      if (/[\r\n]/.test(value)) throw new AuthError(`Default header ${name} contains a line break.`);
      prepared.headers[name.toLowerCase()] = value;
      applied.sensitiveHeaders.push(name.toLowerCase());
      applied.secrets.push(value);
    }
    const chosen = this.choose(security, target);
    if (chosen === undefined) {
      const configured = security!.map((alt) => Object.keys(alt)).find((names) => names.length > 0 && names.every((n) => this.isConfigured(n)));
      if (configured) {
        const denied = configured.find((n) => !this.scopes.allows(n, target))!;
        throw new AuthError(
          `This operation calls ${hostOf(target)}, but the credential for ${denied} is only sent to ${this.scopes.describe(denied)}. ` +
            `The host comes from the spec's servers, not from you; if you trust it, allow it with --auth-host ${denied}=${target.host} (authHosts), or point --base-url at the API.`,
        );
      }
      const options = security!.map((alt) => Object.keys(alt).join(' + ') || 'anonymous').join(' | ');
      throw new AuthError(`This operation requires credentials (${options}); none of these schemes is configured. Configure e.g. auth ${Object.keys(security![0] ?? {})[0] ?? ''}=env:VAR.`);
    }
    for (const schemeName of chosen) {
      const scheme = this.schemes[schemeName];
      const credential = this.credentials[schemeName]!;
      if (!scheme) throw new AuthError(`Security scheme "${schemeName}" is referenced but not defined in components.securitySchemes.`);
      applied.schemes.push(schemeName);
      await this.applyScheme(prepared, schemeName, scheme, credential, applied, scopesFor(schemeName));
    }
    return applied;
  }

  private async applyScheme(prepared: PreparedRequest, name: string, scheme: OpenAPIV3.SecuritySchemeObject, credential: AuthValue, applied: AppliedAuth, scopes: string[]): Promise<void> {
    const where = `security scheme ${name}`;
    const setHeader = (header: string, value: string) => {
      if (/[\r\n]/.test(value)) throw new AuthError(`Credential for ${where} contains a line break.`);
      prepared.headers[header.toLowerCase()] = value;
      applied.sensitiveHeaders.push(header.toLowerCase());
    };
    if (scheme.type === 'apiKey') {
      if (typeof credential !== 'string') throw new AuthError(`${where} is an apiKey: configure a string (env:VAR or literal).`);
      const value = resolveSecret(credential, where);
      applied.secrets.push(value);
      if (scheme.in === 'header') setHeader(scheme.name, value);
      else if (scheme.in === 'query') {
        const url = new URL(prepared.url);
        url.searchParams.delete(scheme.name);
        url.searchParams.append(scheme.name, value);
        prepared.url = url.href;
        applied.secrets.push(encodeURIComponent(value));
      } else if (scheme.in === 'cookie') {
        prepared.cookies = prepared.cookies.filter((c) => !c.startsWith(`${scheme.name}=`));
        prepared.cookies.push(`${scheme.name}=${encodeURIComponent(value)}`);
        applied.sensitiveHeaders.push('cookie');
      }
      return;
    }
    if (scheme.type === 'http') {
      const kind = scheme.scheme.toLowerCase();
      if (kind === 'basic') {
        let user: string;
        let password: string;
        if (typeof credential === 'string') {
          const text = resolveSecret(credential, where);
          const colon = text.indexOf(':');
          if (colon < 0) throw new AuthError(`${where} is HTTP basic: configure "user:password" (env:VAR or literal).`);
          user = text.slice(0, colon);
          password = text.slice(colon + 1);
        } else if ('username' in credential) {
          user = resolveSecret(credential.username, where);
          password = resolveSecret(credential.password, where); // may be empty: some APIs use key-as-username
        } else throw new AuthError(`${where} is HTTP basic: configure "user:password".`);
        const encoded = Buffer.from(`${user}:${password}`).toString('base64');
        applied.secrets.push(encoded, ...(password ? [password] : []));
        setHeader('authorization', `Basic ${encoded}`);
        return;
      }
      if (typeof credential !== 'string') throw new AuthError(`${where} is HTTP ${kind}: configure a token string.`);
      const token = resolveSecret(credential, where);
      applied.secrets.push(token);
      setHeader('authorization', `${kind === 'bearer' ? 'Bearer' : scheme.scheme} ${token}`);
      return;
    }
    if (scheme.type === 'oauth2' || scheme.type === 'openIdConnect') {
      const flow = scheme.type === 'oauth2' ? scheme.flows.clientCredentials : undefined;
      const isClientCredentials = flow && (typeof credential === 'object' ? 'clientId' in credential : resolveSecret(credential, where).includes(':'));
      let token: string;
      if (isClientCredentials && flow) {
        if (typeof credential === 'string') applied.secrets.push(resolveSecret(credential, where).split(':').slice(1).join(':'));
        else if ('clientSecret' in credential) applied.secrets.push(resolveSecret(credential.clientSecret, where));
        token = (await this.clientCredentialsToken(name, flow, credential, scopes)).token;
      }
      else if (typeof credential === 'string') token = resolveSecret(credential, where);
      else throw new AuthError(`${where}: only the client-credentials flow can fetch tokens; configure a bearer token string otherwise.`);
      applied.secrets.push(token);
      setHeader('authorization', `Bearer ${token}`);
      return;
    }
    throw new AuthError(`${where}: type ${(scheme as { type: string }).type} is not supported.`);
  }

  /** Drops cached tokens after a 401 so the next attempt fetches a fresh one. */
  invalidate(schemes: string[]): boolean {
    let any = false;
    for (const s of schemes) any = this.tokens.delete(s) || any;
    return any;
  }

  private async clientCredentialsToken(name: string, flow: OpenAPIV3.OAuth2SecurityScheme['flows']['clientCredentials'] & object, credential: AuthValue, scopes: string[]): Promise<CachedToken> {
    const cached = this.tokens.get(name);
    if (cached && cached.expiresAt > Date.now()) return cached;
    const inflight = this.pending.get(name);
    if (inflight) return inflight;
    const promise = this.fetchToken(name, flow, credential, scopes).finally(() => this.pending.delete(name));
    this.pending.set(name, promise);
    return promise;
  }

  private async fetchToken(name: string, flow: { tokenUrl: string; scopes: Record<string, string> }, credential: AuthValue, scopes: string[]): Promise<CachedToken> {
    const where = `security scheme ${name}`;
    let clientId: string;
    let clientSecret: string;
    let extra: { scopes?: string[]; audience?: string; tokenUrl?: string } = {};
    if (typeof credential === 'string') {
      const text = resolveSecret(credential, where);
      const colon = text.indexOf(':');
      clientId = text.slice(0, colon);
      clientSecret = text.slice(colon + 1);
    } else if ('clientId' in credential) {
      clientId = resolveSecret(credential.clientId, where);
      clientSecret = resolveSecret(credential.clientSecret, where);
      extra = credential;
    } else throw new AuthError(`${where}: configure clientId:clientSecret for the client-credentials flow.`);
    // The operator may override the spec's token URL (e.g. a regional auth host).
    const tokenUrl = new URL(extra.tokenUrl ?? flow.tokenUrl);
    // The spec names the token URL; client secrets go only to a host the operator allowlisted.
    if (!this.http.allowlist.allowsUrl(tokenUrl)) {
      throw new EgressDeniedError(`OAuth2 token URL host ${tokenUrl.host} (scheme ${name}) is not on the allowlist; add it to allowedHosts to let the adapter send client credentials there.`);
    }
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    const wanted = extra.scopes ?? scopes;
    if (wanted.length) form.set('scope', wanted.join(' '));
    if (extra.audience) form.set('audience', extra.audience);
    const { request } = await import('undici');
    const response = await request(tokenUrl, {
      method: 'POST',
      dispatcher: await this.http.dispatcher(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`,
      },
      body: form.toString(),
      headersTimeout: this.http.timeoutMs,
      bodyTimeout: this.http.timeoutMs,
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) throw new AuthError(`OAuth2 token request for scheme ${name} failed with HTTP ${response.statusCode}.`);
    let parsed: { access_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      throw new AuthError(`OAuth2 token response for scheme ${name} is not JSON.`);
    }
    if (typeof parsed.access_token !== 'string') throw new AuthError(`OAuth2 token response for scheme ${name} has no access_token.`);
    const lifetime = typeof parsed.expires_in === 'number' ? parsed.expires_in : Number(parsed.expires_in ?? 3600);
    // Refresh a little early so a token never expires mid-request.
    const token = { token: parsed.access_token, expiresAt: Date.now() + Math.max(0, (Number.isFinite(lifetime) ? lifetime : 3600) - 30) * 1000 };
    this.tokens.set(name, token);
    return token;
  }
}

/** Removes every known secret from text shown to a model or written to logs. */
export function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join('[REDACTED]');
  return out;
}
