import { randomBytes } from 'node:crypto';
import {
  auth,
  createPrivateKeyJwtAuth,
  extractWWWAuthenticateParams,
  type AuthProvider,
  type OAuthClientProvider,
} from '@modelcontextprotocol/client';
import { SwitchboardError } from '../errors.js';
import { registerSecret, silentLogger, type Logger } from '../log.js';
import { startCallbackServer, type CallbackServer } from './callback.js';
import { TokenStore, type StoredClient, type StoredTokens } from './store.js';

export interface OAuthSessionOptions {
  /** The MCP server (protected resource) URL. */
  serverUrl: string;
  /** Tokens live under <configDir>/oauth, 0600. */
  configDir: string;
  clientId?: string;
  clientSecret?: string;
  /**
   * An https URL where this client's metadata document is published (Client ID Metadata Documents, SEP-991): used
   * as the client_id with authorization servers that advertise client_id_metadata_document_supported, instead of
   * dynamic registration. The document must list the loopback redirect URI (fix it with callbackPort).
   */
  clientMetadataUrl?: string;
  /** Machine-to-machine: client_credentials grant with clientId/clientSecret (or privateKey), no browser. */
  clientCredentials?: boolean;
  /** PKCS#8 PEM private key: authenticate at the token endpoint with a signed JWT (private_key_jwt, RFC 7523). */
  privateKey?: string;
  /** Its JWS algorithm (default ES256). */
  signingAlg?: string;
  /** Scope to ask for; default: the scope from the server's challenge, else the resource metadata's. */
  scope?: string;
  callbackHost?: string;
  /** Fixed loopback port for the redirect; 0/undefined: the last one used for this server, else any free port. */
  callbackPort?: number;
  /** How long to wait for the browser to come back (default 5 min); other instances wait this long for the lock. */
  authTimeoutMs?: number;
  openBrowser?(url: string): void | Promise<void>;
  clientName?: string;
  logger?: Logger;
  /** fetch for the authorization server (never carries the --header values meant for the MCP server). */
  fetch?: typeof fetch;
  /** Refresh this long before expiry (default 60 s, or a tenth of the lifetime for short-lived tokens). */
  refreshSkewMs?: number;
}

export class OAuthFlowError extends SwitchboardError {
  constructor(serverUrl: string, cause: unknown) {
    const why = (cause as Error)?.message ?? String(cause);
    super('SB_OAUTH', `OAuth authorization for ${serverUrl} failed: ${why}`, { cause });
  }
}

/**
 * OAuth 2.1 for one remote MCP server, as the SDK's AuthProvider: `token()` before each request (refreshing ahead of
 * expiry), `onUnauthorized()` on a 401, `stepUp()` on 403 insufficient_scope. Discovery (RFC 9728 PRM, RFC 8414/OIDC),
 * dynamic registration (RFC 7591), PKCE S256, the resource parameter (RFC 8707) and issuer checks are the SDK's
 * `auth()`; this class adds the loopback callback, the browser, persistent storage and cross-process locking.
 */
export class OAuthSession implements AuthProvider {
  readonly store: TokenStore;
  private readonly log: Logger;
  private lastServed?: string;
  private callback?: CallbackServer;
  private stateValue?: string;
  private verifier?: string;
  private interactive = false;
  private inFlight?: Promise<void>;
  private readonly provider: OAuthClientProvider;

  constructor(private readonly o: OAuthSessionOptions) {
    this.store = new TokenStore(o.configDir, o.serverUrl);
    this.log = o.logger ?? silentLogger;
    registerSecret(o.clientSecret);
    const self = this;
    this.provider = {
      clientMetadataUrl: o.clientId ? undefined : o.clientMetadataUrl,
      get redirectUrl() {
        return o.clientCredentials ? undefined : self.callback?.url;
      },
      get clientMetadata() {
        return {
          client_name: o.clientName ?? 'Switchboard',
          redirect_uris: o.clientCredentials || !self.callback ? [] : [self.callback.url],
          grant_types: o.clientCredentials ? ['client_credentials'] : ['authorization_code', 'refresh_token'],
          response_types: o.clientCredentials ? [] : ['code'],
          token_endpoint_auth_method: o.privateKey ? 'private_key_jwt' : o.clientSecret ? 'client_secret_basic' : 'none',
        } as never;
      },
      state: () => {
        self.stateValue = randomBytes(24).toString('base64url');
        return self.stateValue;
      },
      clientInformation: (ctx) => self.clientInfo(ctx?.issuer),
      saveClientInformation: (info, ctx) => {
        const issuer = ctx?.issuer ?? (info as StoredClient).issuer ?? 'default';
        registerSecret((info as StoredClient).client_secret);
        self.store.update((e) => {
          e.clients[issuer] = { ...(info as StoredClient), redirect_uris: self.callback ? [self.callback.url] : undefined };
        });
      },
      tokens: (ctx) => self.currentTokens(ctx?.issuer) as never,
      saveTokens: (tokens, ctx) => {
        const issuer = ctx?.issuer ?? tokens.issuer ?? 'default';
        registerSecret(tokens.access_token);
        registerSecret(tokens.refresh_token);
        self.store.update((e) => {
          const prev = e.tokens[issuer];
          // A refresh response may omit the refresh token: keep the one we had (RFC 6749 §6).
          e.tokens[issuer] = { refresh_token: prev?.refresh_token, ...(tokens as StoredTokens), obtained_at: Date.now() };
          e.lastIssuer = issuer;
          if (self.callback) e.callbackPort = self.callback.port;
        });
        self.log.info({ issuer }, 'OAuth tokens saved');
      },
      redirectToAuthorization: async (url) => {
        if (!self.interactive) throw new SwitchboardError('SB_OAUTH_INTERACTIVE', 'interactive authorization needed');
        self.log.info({ authorizationServer: url.origin }, 'opening the browser for authorization');
        await (o.openBrowser ?? (() => undefined))(url.href);
      },
      saveCodeVerifier: (v) => {
        self.verifier = v;
      },
      codeVerifier: () => {
        if (!self.verifier) throw new SwitchboardError('SB_OAUTH', 'no PKCE verifier for this authorization: start again');
        return self.verifier;
      },
      invalidateCredentials: (scope) => {
        self.store.update((e) => {
          if (scope === 'all' || scope === 'tokens') e.tokens = {};
          if (scope === 'all' || scope === 'client') if (!o.clientId) e.clients = {};
          if (scope === 'all' || scope === 'discovery') delete e.discovery;
        });
        if (scope === 'all' || scope === 'verifier') self.verifier = undefined;
      },
      saveDiscoveryState: (state) => {
        self.store.update((e) => {
          e.discovery = state as unknown as Record<string, unknown>;
        });
      },
      discoveryState: () => self.store.read().discovery as never,
    };
    if (o.privateKey) {
      if (!o.clientId) throw new SwitchboardError('SB_OAUTH', 'a private key (private_key_jwt) needs the client id it was registered for');
      registerSecret(o.privateKey);
      this.provider.addClientAuthentication = createPrivateKeyJwtAuth({ issuer: o.clientId, subject: o.clientId, privateKey: o.privateKey, alg: o.signingAlg ?? 'ES256' });
    }
    if (o.clientCredentials) {
      this.provider.prepareTokenRequest = (scope?: string) => {
        const p = new URLSearchParams({ grant_type: 'client_credentials' });
        const s = o.scope ?? scope;
        if (s) p.set('scope', s);
        return p;
      };
    }
    for (const t of Object.values(this.store.read().tokens)) {
      registerSecret(t.access_token);
      registerSecret(t.refresh_token);
    }
  }

  private clientInfo(issuer?: string): StoredClient | undefined {
    if (this.o.clientId) return { client_id: this.o.clientId, client_secret: this.o.clientSecret, issuer };
    const e = this.store.read();
    const c = issuer ? e.clients[issuer] : e.clients[e.lastIssuer ?? ''] ?? Object.values(e.clients)[0];
    if (!c) return undefined;
    // A registration bound to another redirect URI (a different callback port) cannot be used for this flow.
    if (this.callback && c.redirect_uris?.length && !c.redirect_uris.includes(this.callback.url)) return undefined;
    return c;
  }

  private currentTokens(issuer?: string): StoredTokens | undefined {
    const e = this.store.read();
    return issuer ? e.tokens[issuer] : e.tokens[e.lastIssuer ?? ''];
  }

  private expiresSoon(t: StoredTokens): boolean {
    if (!t.expires_in || !t.obtained_at) return false;
    const lifetime = t.expires_in * 1000;
    const skew = this.o.refreshSkewMs ?? Math.min(60_000, lifetime / 10);
    return Date.now() > t.obtained_at + lifetime - skew;
  }

  private expired(t: StoredTokens): boolean {
    return !!t.expires_in && !!t.obtained_at && Date.now() >= t.obtained_at + t.expires_in * 1000;
  }

  /** Bearer token for the next request; refreshes (or re-runs client credentials) shortly before expiry. */
  async token(): Promise<string | undefined> {
    let t = this.currentTokens();
    if (t && this.expiresSoon(t) && (t.refresh_token || this.o.clientCredentials)) {
      try {
        await this.once(() => this.refreshLocked());
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'token refresh failed; the server will ask for authorization again');
      }
      t = this.currentTokens();
    }
    this.lastServed = t?.access_token;
    return t?.access_token;
  }

  private async refreshLocked(): Promise<void> {
    await this.store.withLock(async () => {
      const t = this.currentTokens();
      if (t && !this.expiresSoon(t)) return; // another instance refreshed it
      this.interactive = false;
      const r = await auth(this.provider, { serverUrl: this.o.serverUrl, scope: this.o.scope, fetchFn: this.o.fetch });
      if (r === 'AUTHORIZED') this.log.info('OAuth token refreshed');
    }, this.lockWait);
  }

  private get lockWait(): number {
    return (this.o.authTimeoutMs ?? 300_000) + 30_000;
  }

  /** 401: reuse a token another instance just obtained, else run the flow (one per server across processes). */
  async onUnauthorized(ctx: Parameters<NonNullable<AuthProvider['onUnauthorized']>>[0]): Promise<void> {
    const { resourceMetadataUrl, scope } = extractWWWAuthenticateParams(ctx.response);
    await this.once(() => this.authorize({ resourceMetadataUrl, scope: this.o.scope ?? scope }));
  }

  /** 403 insufficient_scope: authorize again for the union of what we had and what the server asks for. */
  async stepUp(requiredScope: string | undefined, resourceMetadataUrl?: URL): Promise<void> {
    const had = this.currentTokens()?.scope;
    const union = [...new Set(`${had ?? ''} ${this.o.scope ?? ''} ${requiredScope ?? ''}`.split(/\s+/).filter(Boolean))].join(' ') || undefined;
    this.log.info({ scope: union }, 'server needs more scope: authorizing again (step-up)');
    await this.once(() => this.authorize({ resourceMetadataUrl, scope: union, force: true }));
  }

  /** Concurrent callers in this process share one flow. */
  private once(fn: () => Promise<void>): Promise<void> {
    if (!this.inFlight) this.inFlight = fn().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async authorize(a: { resourceMetadataUrl?: URL; scope?: string; force?: boolean }): Promise<void> {
    const failed = this.lastServed;
    try {
      await this.store.withLock(
        async () => {
          const fresh = this.currentTokens();
          if (!a.force && fresh && fresh.access_token !== failed && !this.expired(fresh)) {
            this.log.info('using the token another switchboard instance just obtained');
            return;
          }
          await this.runFlow(a);
        },
        this.lockWait,
        () => this.log.info('another instance is authorizing with this server; waiting for it'),
      );
    } catch (err) {
      if (err instanceof SwitchboardError && err.code !== 'SB_OAUTH_INTERACTIVE') throw err;
      throw new OAuthFlowError(this.o.serverUrl, err);
    }
  }

  private async runFlow(a: { resourceMetadataUrl?: URL; scope?: string; force?: boolean }): Promise<void> {
    const base = { serverUrl: this.o.serverUrl, resourceMetadataUrl: a.resourceMetadataUrl, scope: a.scope, fetchFn: this.o.fetch };
    if (this.o.clientCredentials) {
      this.interactive = false;
      const r = await auth(this.provider, { ...base, forceReauthorization: true });
      if (r !== 'AUTHORIZED') throw new OAuthFlowError(this.o.serverUrl, 'the client_credentials grant did not yield a token');
      return;
    }
    const port = this.o.callbackPort || this.store.read().callbackPort || 0;
    try {
      this.callback = await startCallbackServer({ host: this.o.callbackHost, port });
    } catch (err) {
      if (this.o.callbackPort || !port) throw err;
      this.callback = await startCallbackServer({ host: this.o.callbackHost, port: 0 }); // the remembered port is taken
    }
    try {
      this.interactive = true;
      this.stateValue = undefined;
      let r = await auth(this.provider, { ...base, forceReauthorization: a.force });
      if (r === 'REDIRECT') {
        const cb = await this.callback.wait(() => this.stateValue, this.o.authTimeoutMs ?? 300_000);
        this.interactive = false;
        r = await auth(this.provider, { ...base, authorizationCode: cb.code, iss: cb.iss });
      }
      if (r !== 'AUTHORIZED') throw new OAuthFlowError(this.o.serverUrl, 'the authorization server did not issue a token');
      this.log.info('OAuth authorization complete');
    } finally {
      this.interactive = false;
      this.verifier = undefined;
      const cb = this.callback;
      this.callback = undefined;
      await cb?.close();
    }
  }
}
