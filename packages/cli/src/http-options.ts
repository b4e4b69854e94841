import type { Argv } from 'yargs';
import { apiKeyFromSecret, jwtAuthenticator, readKeyFile, registerSecret, type ApiKey, type Bridge, type HttpFaceOptions, type Logger } from '@switchboard-mcp/core/serve';
import { installSignalHandlers } from './signals.js';
import { bytes, duration, parseOr } from './parse.js';
import { entryForServedUrl, entryName, printEntry } from './print-config.js';

/** The HTTP face's flags, shared by every command that serves MCP over HTTP (bridge, openapi --serve http). */
export function httpFaceOptions<T>(y: Argv<T>) {
  return y
    .option('port', { type: 'number', default: 8080, describe: 'port to listen on (0 = any free port)', group: 'HTTP face:' })
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to bind; anything but loopback exposes the server', group: 'HTTP face:' })
    .option('base-path', { type: 'string', default: '', describe: 'path prefix for every endpoint, e.g. /tools', group: 'HTTP face:' })
    .option('mcp-path', { type: 'string', default: '/mcp', describe: 'Streamable HTTP endpoint', group: 'HTTP face:' })
    .option('sse-path', { type: 'string', default: '/sse', describe: 'legacy SSE stream endpoint', group: 'HTTP face:' })
    .option('messages-path', { type: 'string', default: '/messages', describe: 'legacy SSE message endpoint', group: 'HTTP face:' })
    .option('public-url', { type: 'string', describe: 'URL clients use to reach us behind a proxy, e.g. https://mcp.example.com/tools', group: 'HTTP face:' })
    .option('trust-proxy', { type: 'boolean', default: false, describe: 'honour X-Forwarded-Proto/Host/Prefix (only behind your own proxy)', group: 'HTTP face:' })
    .option('allowed-host', { type: 'string', array: true, describe: 'Host header values to accept (DNS-rebinding guard); loopback names are always allowed on a loopback bind', group: 'HTTP face:' })
    .option('cors', { type: 'string', array: true, describe: 'allowed browser origins (repeatable); "*" allows any origin without credentials', group: 'HTTP face:' })
    .option('api-key', { type: 'string', array: true, describe: 'require this key (Authorization: Bearer or X-API-Key); repeatable. Prefer --api-key-file or SWITCHBOARD_API_KEY', group: 'HTTP face:' })
    .option('api-key-file', { type: 'string', describe: 'API keys: one per line, or JSON {"keys":[{"id","sha256","scopes"}]} (ids name callers in logs and policy)', group: 'HTTP face:' })
    .option('jwt-issuer', { type: 'string', describe: 'accept OAuth access tokens (JWT) from this authorization server (its "iss"); needs --jwt-jwks-url', group: 'HTTP face:' })
    .option('jwt-jwks-url', { type: 'string', describe: "the authorization server's jwks_uri (keys that sign the tokens)", group: 'HTTP face:' })
    .option('jwt-audience', { type: 'string', describe: 'the "aud" tokens must name: this server\'s public URL (default: --public-url, else the listening URL)', group: 'HTTP face:' })
    .option('jwt-scope', { type: 'string', array: true, describe: 'a scope every token must carry (repeatable; 403 insufficient_scope otherwise)', group: 'HTTP face:' })
    .option('allow-unauthenticated', { type: 'boolean', default: false, describe: 'no warning for a non-loopback bind without --api-key/--jwt-issuer (a proxy in front authenticates)', group: 'HTTP face:' })
    .option('max-body', { type: 'string', default: '16mb', describe: 'largest request body accepted (413 above it)', group: 'HTTP face:' })
    .option('request-timeout', { type: 'string', default: '30s', describe: 'time to receive a whole request, headers (at most 10s of it) and body; a slower client gets 408 and is disconnected. SSE streams are not cut', group: 'HTTP face:' })
    .option('max-connections-per-client', { type: 'number', default: 256, describe: 'open connections one client address may hold (0 = no cap); beyond it 429 and close. Behind a proxy every client shares its address: raise it or use 0', group: 'HTTP face:' })
    .option('session-idle-timeout', { type: 'string', default: '30m', describe: 'close sessions idle this long', group: 'HTTP face:' })
    .option('handshake-timeout', {
      type: 'string',
      default: '10s',
      describe: 'close a session that has not completed the MCP handshake (initialize, then notifications/initialized) after this long idle; at --max-sessions such sessions make room first',
      group: 'HTTP face:',
    })
    .option('session-id-prefix', { type: 'string', describe: 'start every session id with this replica name (e.g. r1-), so a proxy can route a session back to its replica', group: 'HTTP face:' })
    .option('max-sessions', { type: 'number', default: 1000, describe: 'refuse new sessions beyond this (503 + Retry-After); sessions that never completed the handshake make room first', group: 'HTTP face:' })
    .option('keepalive', { type: 'string', default: '15s', describe: 'SSE comment keep-alive interval (0 = off)', group: 'HTTP face:' })
    .option('replay-events', { type: 'number', default: 1000, describe: 'per-session events kept for Last-Event-ID resumption', group: 'HTTP face:' })
    .option('replay-bytes', { type: 'string', default: '8mb', describe: 'per-session bytes kept for resumption', group: 'HTTP face:' })
    .option('transport', { type: 'string', array: true, choices: ['streamable-http', 'sse'], default: ['streamable-http', 'sse'], describe: 'faces to serve', group: 'HTTP face:' })
    .option('metrics', { type: 'boolean', default: false, describe: 'expose Prometheus metrics at /metrics', group: 'HTTP face:' })
    .option('grace', { type: 'string', default: '10s', describe: 'on SIGTERM/SIGINT, time for in-flight calls to finish; those still open then get a JSON-RPC error', group: 'HTTP face:' });
}

export interface HttpFaceArgs {
  port: number;
  host: string;
  basePath: string;
  mcpPath: string;
  ssePath: string;
  messagesPath: string;
  publicUrl?: string;
  trustProxy: boolean;
  allowedHost?: string[];
  cors?: string[];
  apiKey?: string[];
  apiKeyFile?: string;
  jwtIssuer?: string;
  jwtJwksUrl?: string;
  jwtAudience?: string;
  jwtScope?: string[];
  allowUnauthenticated: boolean;
  maxBody: string;
  requestTimeout: string;
  maxConnectionsPerClient: number;
  sessionIdleTimeout: string;
  handshakeTimeout: string;
  maxSessions: number;
  sessionIdPrefix?: string;
  keepalive: string;
  replayEvents: number;
  replayBytes: string;
  transport: string[];
  metrics: boolean;
  grace: string;
}

/**
 * API keys from flags, the environment and a key file; each secret is registered so no log line can show it. An empty
 * or short key from any source is an error, never "no authentication" (SWITCHBOARD_API_KEY= included).
 */
export function collectApiKeys(argv: HttpFaceArgs): ApiKey[] {
  const env = process.env.SWITCHBOARD_API_KEY;
  for (const secret of [...(argv.apiKey ?? []), ...(env !== undefined ? [env] : [])]) registerSecret(secret);
  return [
    ...(argv.apiKey ?? []).map((k, i) => apiKeyFromSecret(k, { source: '--api-key', where: `#${i + 1}` })),
    ...(env !== undefined ? [apiKeyFromSecret(env, { source: 'SWITCHBOARD_API_KEY' })] : []),
    ...(argv.apiKeyFile ? readKeyFile(argv.apiKeyFile) : []),
  ];
}

/** Flags → HttpFace options (everything but the callbacks, which the command supplies). */
export function toFaceOptions(argv: HttpFaceArgs, log: Logger): Omit<HttpFaceOptions, 'onSession'> & { graceMs: number } {
  if (!Number.isInteger(argv.port) || argv.port < 0 || argv.port > 65535) throw new Error(`--port ${argv.port}: expected a port number from 0 to 65535`);
  if (argv.maxSessions !== undefined && !(argv.maxSessions >= 1)) throw new Error(`--max-sessions ${argv.maxSessions}: expected at least 1`);
  const requestTimeoutMs = parseOr(duration, argv.requestTimeout, 'request-timeout');
  if (!(requestTimeoutMs > 0)) throw new Error(`--request-timeout ${argv.requestTimeout}: expected a positive duration, e.g. 30s`);
  if (!Number.isInteger(argv.maxConnectionsPerClient) || argv.maxConnectionsPerClient < 0) {
    throw new Error(`--max-connections-per-client ${argv.maxConnectionsPerClient}: expected a whole number (0 = no cap)`);
  }
  const keys = collectApiKeys(argv);
  if (argv.cors?.includes('*') && keys.length) log.warn('--cors "*" sends no credentials: browsers cannot pass the API key cross-origin; list the origins instead');
  if (!!argv.jwtIssuer !== !!argv.jwtJwksUrl) throw new Error('--jwt-issuer and --jwt-jwks-url go together: the issuer names the authorization server, the JWKS URL its signing keys');
  const h = argv.host.includes(':') ? `[${argv.host}]` : argv.host;
  const audience = argv.jwtAudience ?? argv.publicUrl ?? `http://${h}:${argv.port}${argv.basePath.replace(/\/+$/, '')}${argv.mcpPath}`;
  if (argv.jwtIssuer && !argv.jwtAudience && !argv.publicUrl && argv.port === 0) throw new Error('--jwt-issuer with --port 0: give --jwt-audience (or --public-url), the URL clients use, so tokens can name it');
  return {
    host: argv.host,
    port: argv.port,
    basePath: argv.basePath,
    mcpPath: argv.mcpPath,
    ssePath: argv.ssePath,
    messagesPath: argv.messagesPath,
    publicUrl: argv.publicUrl,
    trustProxy: argv.trustProxy,
    allowedHosts: argv.allowedHost,
    cors: argv.cors,
    apiKeys: keys,
    authenticators: argv.jwtIssuer ? [jwtAuthenticator({ issuer: argv.jwtIssuer, jwksUrl: argv.jwtJwksUrl, audience, requiredScopes: argv.jwtScope })] : [],
    allowUnauthenticated: argv.allowUnauthenticated,
    maxBodyBytes: parseOr(bytes, argv.maxBody, 'max-body'),
    requestTimeoutMs,
    maxConnectionsPerClient: argv.maxConnectionsPerClient,
    sessionIdleTimeoutMs: parseOr(duration, argv.sessionIdleTimeout, 'session-idle-timeout'),
    handshakeTimeoutMs: parseOr(duration, argv.handshakeTimeout, 'handshake-timeout'),
    maxSessions: argv.maxSessions,
    sessionIdPrefix: argv.sessionIdPrefix,
    keepaliveMs: parseOr(duration, argv.keepalive, 'keepalive'),
    replayMaxEvents: argv.replayEvents,
    replayMaxBytes: parseOr(bytes, argv.replayBytes, 'replay-bytes'),
    enableStreamableHttp: argv.transport.includes('streamable-http'),
    enableSse: argv.transport.includes('sse'),
    logger: log,
    graceMs: parseOr(duration, argv.grace, 'grace'),
  };
}

/** The line (and log record) that says where we listen: tests and users wait for it. Only served transports are named. */
export function announce(log: Logger, url: string, argv: Pick<HttpFaceArgs, 'mcpPath' | 'ssePath' | 'transport'>, extra: Record<string, unknown> = {}): void {
  const base = url.slice(0, -argv.mcpPath.length);
  const streamable = argv.transport.includes('streamable-http') ? url : undefined;
  const sse = argv.transport.includes('sse') ? base + argv.ssePath : undefined;
  log.info({ url: streamable ?? sse, sse, ...extra }, 'listening');
  const where = [streamable && `Streamable HTTP ${streamable}`, sse && `SSE ${sse}`].filter(Boolean).join(', ');
  process.stderr.write(`switchboard: listening — ${where}\n`);
}

/**
 * Starts a bridge the way every serving command does: signals drain it, the listening line is printed as
 * soon as the port is open, and a server that never answers its handshake ends the process with its reason.
 */
export async function runBridge(
  bridge: Bridge,
  log: Logger,
  argv: Pick<HttpFaceArgs, 'mcpPath' | 'ssePath' | 'transport'>,
  extra: Record<string, unknown>,
  stop: () => Promise<void>,
): Promise<{ url: string }> {
  installSignalHandlers(log, stop);
  const { url } = await bridge.start();
  announce(log, url, argv, extra);
  bridge.ready.catch(async (err: Error) => {
    log.error({ err: err.message }, 'server failed to start');
    process.stderr.write(`switchboard: ${err.message}\n`);
    await stop().catch(() => {});
    process.exit(1);
  });
  return { url };
}

/**
 * `--on-crash-loop`: what a bridge does once its shared server is gone for good. `exit` (the default) stops it with
 * code 1, so systemd, Kubernetes or docker restart it; `wait` keeps it up, answering 503 until someone does.
 */
export function giveUpPolicy(policy: 'exit' | 'wait', log: Logger, stop: () => Promise<void>): (err: Error) => void {
  return (err) => {
    if (policy === 'wait') {
      log.warn('--on-crash-loop wait: staying up; /readyz answers 503 and sessions that need the shared server are refused until the bridge is restarted');
      return;
    }
    process.stderr.write(`switchboard: ${err.message}; exiting with code 1 (--on-crash-loop exit)\n`);
    stop()
      .catch(() => {})
      .finally(() => process.exit(1));
  };
}

/**
 * `--print-config` for a command that serves over HTTP: the entry that connects a stdio-only host to the URL these
 * flags would serve. `what` is the name to use, or the served command line (or remote URL) to derive one from.
 */
export function printServedConfig(argv: HttpFaceArgs, what: string | string[]): void {
  const apiKeys = collectApiKeys(argv).length > 0;
  const entry = entryForServedUrl({ host: argv.host, port: argv.port, basePath: argv.basePath, mcpPath: argv.mcpPath, publicUrl: argv.publicUrl, apiKeys });
  let name: string;
  if (typeof what === 'string') name = entryName(what, 'switchboard');
  else {
    // The most telling word of the command line: a URL's host, else the last thing that is not a flag.
    const url = what.find((w) => /^https?:\/\//.test(w));
    const last = [...what].reverse().find((w) => !w.startsWith('-'));
    name = url ? entryName(new URL(url).hostname, 'remote') : entryName(last?.split('/').pop(), 'switchboard', { file: true });
  }
  printEntry(name, entry);
}
