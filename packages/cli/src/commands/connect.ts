import type { Argv } from 'yargs';
import { checkRemoteUrl, connectStdio, createClientLogger, modernTranslator, remoteTransportOptions, type LogLevel, type Logger, type RemoteSetup } from '@switchboard-mcp/core/client';
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

/** The flags → the library's RemoteSetup (durations parsed here, the rest as given). */
export function remoteSetup(argv: RemoteArgs, log: Logger): RemoteSetup {
  const timeout = argv.timeout ? parseOr(duration, argv.timeout, 'timeout') : undefined;
  return {
    url: argv.url,
    transport: argv.transport,
    headers: argv.header,
    headerFile: argv.headerFile,
    allowHttp: argv.allowHttp,
    oauth: argv.oauth,
    clientId: argv.clientId,
    clientSecret: argv.clientSecret,
    clientMetadataUrl: argv.clientMetadataUrl,
    privateKeyFile: argv.privateKeyFile,
    signingAlg: argv.signingAlg,
    clientCredentials: argv.clientCredentials,
    scope: argv.scope,
    callbackPort: argv.callbackPort,
    callbackHost: argv.callbackHost,
    authTimeoutMs: parseOr(duration, argv.authTimeout, 'auth-timeout'),
    browser: argv.browser,
    configDir: argv.configDir,
    connectTimeoutMs: parseOr(duration, argv.connectTimeout, 'connect-timeout'),
    requestTimeoutMs: timeout,
    pingIntervalMs: parseOr(duration, argv.pingInterval, 'ping-interval') || undefined,
    logger: log,
  };
}

export async function handler(argv: ConnectArgs): Promise<void> {
  if (argv.printConfig) {
    const url = checkRemoteUrl(argv.url, argv.allowHttp);
    return printEntry(entryName(url.hostname, 'remote'), entryForThisCommand([argv.headerFile, argv.privateKeyFile, argv.configDir, argv.logFile]));
  }
  const log = createClientLogger({ level: argv.logLevel, name: 'switchboard-connect', file: argv.logFile });
  const setup = remoteTransportOptions(remoteSetup(argv, log));
  const { pipe } = await connectStdio({
    ...setup,
    layers: argv.protocol === 'auto' ? [modernTranslator({ logger: log })] : [],
  });
  log.info({ url: setup.url.href, transport: argv.transport }, 'switchboard connect: ready on stdio');
  const stop = () => void pipe.close().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGHUP', stop);
  await pipe.closed;
  process.exit(0);
}
