import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { registerSecret, silentLogger, type Logger } from '../log.js';
import { collectHeaders } from '../headers.js';
import { OAuthSession } from '../oauth/session.js';
import { browserOpener } from '../oauth/browser.js';
import type { RemoteTransportKind, RemoteTransportOptions } from './remote-transport.js';

/** How to reach a remote MCP server, as a user states it (the CLI's flags map onto this one to one). */
export interface RemoteSetup {
  url: string;
  transport?: RemoteTransportKind;
  /** "Name: value" lines; `${ENV}` is expanded. Values are secrets: registered so no log shows them. */
  headers?: string[];
  /** A file of "Name: value" lines (`#` comments). */
  headerFile?: string;
  /** Plain http to a host that is not loopback (credentials would cross the network in clear). */
  allowHttp?: boolean;
  /** Run OAuth when the server answers 401 (default true; off when an Authorization header is given). */
  oauth?: boolean;
  clientId?: string;
  /** Defaults to $SWITCHBOARD_CLIENT_SECRET. */
  clientSecret?: string;
  clientMetadataUrl?: string;
  privateKeyFile?: string;
  signingAlg?: string;
  clientCredentials?: boolean;
  scope?: string;
  callbackPort?: number;
  callbackHost?: string;
  authTimeoutMs?: number;
  /** Command that opens the authorization URL (default: $SWITCHBOARD_BROWSER or the system opener). */
  browser?: string;
  /** Where tokens are kept (default: $SWITCHBOARD_CONFIG_DIR or ~/.config/switchboard). */
  configDir?: string;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  pingIntervalMs?: number;
  logger?: Logger;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1)$/i;
/** A remote MCP endpoint URL: http(s) only, and https unless the host is loopback or the user allowed http. */
export function checkRemoteUrl(raw: string, allowHttp = false): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`"${raw}" is not a URL: give the remote MCP endpoint, e.g. https://example.com/mcp`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`${url.protocol} URLs are not supported: use https://`);
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname) && !allowHttp)
    throw new ConfigError(`refusing plain http to ${url.host}: credentials and tool data would cross the network unencrypted. Use https, or pass --allow-http`);
  return url;
}

/** Everything a RemoteTransport needs, from what the user said: URL checked, headers parsed, OAuth set up. */
export function remoteTransportOptions(o: RemoteSetup): RemoteTransportOptions & { url: URL } {
  const log = o.logger ?? silentLogger;
  const url = checkRemoteUrl(o.url, o.allowHttp);
  const headers = collectHeaders(o.headers, o.headerFile);
  const hasAuthHeader = Object.keys(headers).some((k) => k.toLowerCase() === 'authorization');
  const clientSecret = o.clientSecret ?? process.env.SWITCHBOARD_CLIENT_SECRET;
  registerSecret(clientSecret);
  if (o.clientCredentials && !o.clientId) throw new ConfigError('--client-credentials needs --client-id (and --client-secret, SWITCHBOARD_CLIENT_SECRET or --private-key-file)');
  if (o.privateKeyFile && !o.clientId) throw new ConfigError('--private-key-file needs --client-id (the client the key is registered for)');
  const privateKey = o.privateKeyFile ? readFileSync(o.privateKeyFile, 'utf8') : undefined;
  const configDir = o.configDir ?? process.env.SWITCHBOARD_CONFIG_DIR ?? join(homedir(), '.config', 'switchboard');
  const authProvider =
    (o.oauth ?? true) && !hasAuthHeader
      ? new OAuthSession({
          serverUrl: url.href,
          configDir,
          clientId: o.clientId,
          clientSecret,
          clientMetadataUrl: o.clientMetadataUrl,
          privateKey,
          signingAlg: o.signingAlg ?? 'ES256',
          clientCredentials: o.clientCredentials ?? false,
          scope: o.scope,
          callbackPort: o.callbackPort ?? 0,
          callbackHost: o.callbackHost ?? '127.0.0.1',
          authTimeoutMs: o.authTimeoutMs ?? 5 * 60_000,
          openBrowser: browserOpener(o.browser ?? process.env.SWITCHBOARD_BROWSER, log),
          logger: log,
        })
      : undefined;
  return {
    url,
    transport: o.transport ?? 'auto',
    headers,
    authProvider,
    connectTimeoutMs: o.connectTimeoutMs,
    // 0 is a choice (no ceiling); undefined takes the transport's default.
    requestTimeoutMs: o.requestTimeoutMs,
    pingIntervalMs: o.pingIntervalMs || undefined,
    logger: log,
  };
}
