// The flags for reaching a remote server, shared by `connect` and `bridge --to`. Plain data, no imports of the
// core: command definitions must load fast, and only the command that runs loads what it needs.

/** Flags shared by `connect` and `bridge --to` (everything about reaching the remote server). */
export const remoteOptions = {
  transport: { choices: ['auto', 'streamable-http', 'sse'] as const, default: 'auto' as const, describe: 'remote transport; auto tries Streamable HTTP, then legacy SSE on 400/404/405' },
  header: { type: 'string' as const, array: true, describe: '"Name: value" sent on every request (repeatable; ${ENV} is expanded; values are never logged)' },
  'header-file': { type: 'string' as const, describe: 'file of "Name: value" lines' },
  'allow-http': { type: 'boolean' as const, default: false, describe: 'allow plain http to a non-loopback host' },
  timeout: { type: 'string' as const, describe: 'how long a request may wait for its answer, reset by each progress notification; then the client gets -32001 and the remote notifications/cancelled (default 10m; once the remote has accepted a request, the only bound on waiting for its answer)' },
  'connect-timeout': { type: 'string' as const, default: '30s', describe: 'bound on connecting (response headers, the SSE endpoint event, the initialize answer) and on the response headers of every other exchange, except the answer to a request on an established Streamable HTTP session (that is --timeout)' },
  'ping-interval': { type: 'string' as const, default: '0', describe: 'send a keep-alive ping this often (0 = off), e.g. 30s' },
  'protocol': { choices: ['auto', 'legacy'] as const, default: 'auto' as const, describe: 'auto: translate for 2026-07-28-only servers; legacy: pass 2025 traffic raw only' },
  oauth: { type: 'boolean' as const, default: true, describe: 'run OAuth 2.1 when the server answers 401 (--no-oauth to disable)' },
  'client-id': { type: 'string' as const, describe: 'pre-registered OAuth client id (otherwise dynamic registration)' },
  'client-secret': { type: 'string' as const, describe: 'OAuth client secret (prefer SWITCHBOARD_CLIENT_SECRET)' },
  'client-metadata-url': { type: 'string' as const, describe: 'https URL of your client metadata document: used as the client_id where the authorization server supports it (SEP-991), instead of registration' },
  'private-key-file': { type: 'string' as const, describe: 'PKCS#8 PEM key for private_key_jwt client authentication (with --client-id; e.g. with --client-credentials)' },
  'signing-alg': { type: 'string' as const, default: 'ES256', describe: 'JWS algorithm of --private-key-file (ES256, RS256, …)' },
  'client-credentials': { type: 'boolean' as const, default: false, describe: 'machine-to-machine: client_credentials grant, no browser' },
  scope: { type: 'string' as const, describe: 'OAuth scope to request (default: from the server challenge)' },
  'callback-port': { type: 'number' as const, default: 0, describe: 'loopback port for the OAuth redirect (0 = any free port)' },
  'callback-host': { type: 'string' as const, default: '127.0.0.1', describe: 'loopback host for the OAuth redirect' },
  'auth-timeout': { type: 'string' as const, default: '5m', describe: 'how long to wait for the browser authorization' },
  browser: { type: 'string' as const, describe: 'command that opens the authorization URL (default: $SWITCHBOARD_BROWSER or the system opener)' },
  'config-dir': { type: 'string' as const, describe: 'where tokens are kept (default: $SWITCHBOARD_CONFIG_DIR or ~/.config/switchboard)' },
};

export interface RemoteArgs {
  url: string;
  transport: 'auto' | 'streamable-http' | 'sse';
  header?: string[];
  headerFile?: string;
  allowHttp: boolean;
  timeout?: string;
  connectTimeout: string;
  pingInterval: string;
  protocol: 'auto' | 'legacy';
  oauth: boolean;
  clientId?: string;
  clientSecret?: string;
  clientMetadataUrl?: string;
  privateKeyFile?: string;
  signingAlg: string;
  clientCredentials: boolean;
  scope?: string;
  callbackPort: number;
  callbackHost: string;
  authTimeout: string;
  browser?: string;
  configDir?: string;
}

/** The flags that only matter once a remote server asks for OAuth. */
const OAUTH_FLAGS = new Set(['oauth', 'client-id', 'client-secret', 'client-metadata-url', 'private-key-file', 'signing-alg', 'client-credentials', 'scope', 'callback-port', 'callback-host', 'auth-timeout', 'browser', 'config-dir']);

/** `connect --help` shows the remote flags in two groups, so the OAuth ones do not bury the everyday ones. */
export const connectOptions = Object.fromEntries(
  Object.entries(remoteOptions).map(([k, v]) => [k, { ...v, group: OAUTH_FLAGS.has(k) ? 'OAuth (when the server answers 401):' : 'Reaching the remote server:' }]),
) as unknown as typeof remoteOptions;

export const REMOTE_GROUP = 'Bridging a remote server (--to <transport> <url>; OAuth flags as in connect --help):';

/**
 * Options `bridge` gains for --to (the remote transport is --upstream-transport: bridge's --transport names faces).
 * They mean nothing to a stdio bridge, so they sit in their own group and the OAuth ones are hidden from
 * `bridge --help` (still accepted; `connect --help` documents them).
 */
export const remoteBridgeOptions = (() => {
  const { transport, ...rest } = remoteOptions;
  const group = REMOTE_GROUP;
  return {
    to: { choices: ['streamable-http', 'sse'] as const, group, describe: 'serve a remote MCP server (the URL after the options) over this transport instead of a stdio command' },
    'upstream-transport': { ...transport, group, describe: 'with --to: how to reach the remote; auto tries Streamable HTTP, then legacy SSE' },
    ...(Object.fromEntries(
      Object.entries(rest).map(([k, v]) => [k, { ...v, group, ...(OAUTH_FLAGS.has(k) ? { hidden: true } : {}) }]),
    ) as unknown as typeof rest),
  };
})();
