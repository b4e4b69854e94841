import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import {
  connectStdio,
  createClientLogger,
  OAuthSession,
  registerSecret,
  browserOpener,
  ModernTranslator,
  type LogLevel,
  type Logger,
} from '@switchboard/core';
import { duration, parseOr } from '../parse.js';
import { entryForThisCommand, entryName, printConfigOption, printEntry } from '../print-config.js';
import { PACKAGE_NAME } from '../version.js';

export const command = 'connect <url>';
export const describe = 'Connect a stdio MCP host (e.g. Claude Desktop) to a remote HTTP MCP server (drop-in for mcp-remote)';

export function builder(y: Argv) {
  return y
    .positional('url', { type: 'string', demandOption: true, describe: 'the remote MCP endpoint, e.g. https://example.com/mcp' })
    .options(connectOptions)
    .option('log-level', { choices: ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const, default: 'info' as const, describe: 'least severe log line written (JSON on stderr)' })
    .option('log-file', { type: 'string', describe: 'also append logs to this file' })
    .options(printConfigOption)
    .example('$0 connect https://example.com/mcp', `in a Claude Desktop config: "command": "npx", "args": ["-y", "${PACKAGE_NAME}", "connect", "https://example.com/mcp"]`)
    .example('$0 connect https://example.com/mcp --print-config', 'print that config entry, with absolute paths, ready to paste')
    .example('$0 connect https://example.com/mcp --header "Authorization: Bearer ${API_TOKEN}"', 'static credentials from the environment');
}

export { remoteOptions, type RemoteArgs } from '../remote-options.js';
import { connectOptions, type RemoteArgs } from '../remote-options.js';

interface ConnectArgs extends RemoteArgs {
  logLevel: LogLevel;
  logFile?: string;
  printConfig?: boolean;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1)$/i;

/** "Name: value" → [name, value], with ${ENV} expanded. */
export function parseHeader(line: string, where: string): [string, string] {
  const i = line.indexOf(':');
  if (i <= 0) throw new Error(`${where} "${line}": expected "Name: value"`);
  const name = line.slice(0, i).trim();
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new Error(`${where}: "${name}" is not a valid header name`);
  const value = line.slice(i + 1).trim().replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, v: string) => {
    const got = process.env[v];
    if (got === undefined) throw new Error(`${where} ${name}: environment variable ${v} is not set`);
    return got;
  });
  return [name, value];
}

export function collectHeaders(argv: Pick<RemoteArgs, 'header' | 'headerFile'>): Record<string, string> {
  const out: Record<string, string> = {};
  const lines: [string, string][] = [];
  if (argv.headerFile) {
    for (const raw of readFileSync(argv.headerFile, 'utf8').split(/\r?\n/)) {
      const l = raw.trim();
      if (l && !l.startsWith('#')) lines.push([l, `--header-file ${argv.headerFile}:`]);
    }
  }
  for (const h of argv.header ?? []) lines.push([h, '--header']);
  for (const [l, where] of lines) {
    const [k, v] = parseHeader(l, where);
    out[k] = v;
    registerSecret(v);
  }
  return out;
}

export function checkUrl(raw: string, allowHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`"${raw}" is not a URL: give the remote MCP endpoint, e.g. https://example.com/mcp`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`${url.protocol} URLs are not supported: use https://`);
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname) && !allowHttp)
    throw new Error(`refusing plain http to ${url.host}: credentials and tool data would cross the network unencrypted. Use https, or pass --allow-http`);
  return url;
}

/** Everything `connect` and `bridge --to` need to reach the remote: transport options, headers, OAuth. */
export function remoteSetup(argv: RemoteArgs, log: Logger) {
  const url = checkUrl(argv.url, argv.allowHttp);
  const headers = collectHeaders(argv);
  const hasAuthHeader = Object.keys(headers).some((k) => k.toLowerCase() === 'authorization');
  const clientSecret = argv.clientSecret ?? process.env.SWITCHBOARD_CLIENT_SECRET;
  registerSecret(clientSecret);
  if (argv.clientCredentials && !argv.clientId) throw new Error('--client-credentials needs --client-id (and --client-secret, SWITCHBOARD_CLIENT_SECRET or --private-key-file)');
  if (argv.privateKeyFile && !argv.clientId) throw new Error('--private-key-file needs --client-id (the client the key is registered for)');
  const privateKey = argv.privateKeyFile ? readFileSync(argv.privateKeyFile, 'utf8') : undefined;
  const configDir = argv.configDir ?? process.env.SWITCHBOARD_CONFIG_DIR ?? join(homedir(), '.config', 'switchboard');
  const authProvider =
    argv.oauth && !hasAuthHeader
      ? new OAuthSession({
          serverUrl: url.href,
          configDir,
          clientId: argv.clientId,
          clientSecret,
          clientMetadataUrl: argv.clientMetadataUrl,
          privateKey,
          signingAlg: argv.signingAlg,
          clientCredentials: argv.clientCredentials,
          scope: argv.scope,
          callbackPort: argv.callbackPort,
          callbackHost: argv.callbackHost,
          authTimeoutMs: parseOr(duration, argv.authTimeout, 'auth-timeout'),
          openBrowser: browserOpener(argv.browser ?? process.env.SWITCHBOARD_BROWSER, log),
          logger: log,
        })
      : undefined;
  const timeout = argv.timeout ? parseOr(duration, argv.timeout, 'timeout') : undefined;
  return {
    url,
    transport: argv.transport,
    headers,
    authProvider,
    connectTimeoutMs: parseOr(duration, argv.connectTimeout, 'connect-timeout'),
    requestTimeoutMs: timeout || undefined,
    pingIntervalMs: parseOr(duration, argv.pingInterval, 'ping-interval') || undefined,
    logger: log,
  };
}

export async function handler(argv: ConnectArgs): Promise<void> {
  if (argv.printConfig) {
    const url = checkUrl(argv.url, argv.allowHttp);
    return printEntry(entryName(url.hostname, 'remote'), entryForThisCommand([argv.headerFile, argv.privateKeyFile, argv.configDir, argv.logFile]));
  }
  const log = createClientLogger({ level: argv.logLevel, name: 'switchboard-connect', file: argv.logFile });
  const setup = remoteSetup(argv, log);
  const { pipe } = await connectStdio({
    ...setup,
    wrap: argv.protocol === 'auto' ? (remote) => new ModernTranslator(remote, { logger: log }) : undefined,
  });
  log.info({ url: setup.url.href, transport: argv.transport }, 'switchboard connect: ready on stdio');
  const stop = () => void pipe.close().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGHUP', stop);
  await pipe.closed;
  process.exit(0);
}
