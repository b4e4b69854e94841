import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Argv } from 'yargs';
import { StdioBridge, createLogger, registerSecret, type LogLevel } from '@switchboard/core';
import { bytes, duration, keyValues, parseOr } from '../parse.js';
import { installSignalHandlers } from '../signals.js';

const DEMO_SERVER = fileURLToPath(new URL('../../examples/demo-server.mjs', import.meta.url));

export const command = 'bridge [command..]';
export const describe = 'Serve a stdio MCP server over Streamable HTTP and legacy SSE (both protocol eras)';

export function builder(y: Argv) {
  return y
    .usage('$0 bridge [options] -- <command> [args…]')
    .positional('command', { type: 'string', array: true, describe: 'the stdio MCP server to run (after --)' })
    .option('demo', { type: 'boolean', describe: 'bridge the built-in demo server (no command needed)' })
    .option('port', { type: 'number', default: 8080, describe: 'port to listen on (0 = any free port)' })
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to bind; anything but loopback exposes the server' })
    .option('isolation', { choices: ['per-session', 'shared'] as const, default: 'per-session' as const, describe: 'one child per client session, or one child shared by all (ids remapped)' })
    .option('base-path', { type: 'string', default: '', describe: 'path prefix for every endpoint, e.g. /tools' })
    .option('mcp-path', { type: 'string', default: '/mcp', describe: 'Streamable HTTP endpoint' })
    .option('sse-path', { type: 'string', default: '/sse', describe: 'legacy SSE stream endpoint' })
    .option('messages-path', { type: 'string', default: '/messages', describe: 'legacy SSE message endpoint' })
    .option('public-url', { type: 'string', describe: 'origin clients use to reach us behind a proxy, e.g. https://mcp.example.com/tools' })
    .option('trust-proxy', { type: 'boolean', default: false, describe: 'honour X-Forwarded-Proto/Host/Prefix (only behind your own proxy)' })
    .option('allowed-host', { type: 'string', array: true, describe: 'Host header values to accept (DNS-rebinding guard); loopback names are always allowed on a loopback bind' })
    .option('cors', { type: 'string', array: true, describe: 'allowed browser origins (repeatable); "*" allows any origin without credentials' })
    .option('api-key', { type: 'string', array: true, describe: 'require this key (Authorization: Bearer or X-API-Key); repeatable. Prefer --api-key-file or SWITCHBOARD_API_KEY' })
    .option('api-key-file', { type: 'string', describe: 'file with one API key per line' })
    .option('max-body', { type: 'string', default: '16mb', describe: 'largest request body accepted (413 above it)' })
    .option('session-idle-timeout', { type: 'string', default: '30m', describe: 'close sessions idle this long' })
    .option('max-sessions', { type: 'number', default: 1000, describe: 'refuse new sessions beyond this (503 + Retry-After)' })
    .option('keepalive', { type: 'string', default: '15s', describe: 'SSE comment keep-alive interval (0 = off)' })
    .option('replay-events', { type: 'number', default: 1000, describe: 'per-session events kept for Last-Event-ID resumption' })
    .option('replay-bytes', { type: 'string', default: '8mb', describe: 'per-session bytes kept for resumption' })
    .option('transport', { type: 'string', array: true, choices: ['streamable-http', 'sse'], default: ['streamable-http', 'sse'], describe: 'faces to serve' })
    .option('metrics', { type: 'boolean', default: false, describe: 'expose Prometheus metrics at /metrics' })
    .option('shell', { type: 'boolean', default: false, describe: 'run the command through /bin/sh -c' })
    .option('env', { type: 'string', array: true, describe: 'KEY=VALUE for the server process (repeatable)' })
    .option('cwd', { type: 'string', describe: 'working directory for the server process' })
    .option('name', { type: 'string', describe: 'server name in logs' })
    .option('init-timeout', { type: 'string', default: '60s', describe: 'how long the server may take to answer initialize at start-up' })
    .option('grace', { type: 'string', default: '10s', describe: 'on SIGTERM/SIGINT, time for in-flight calls to finish' })
    .option('log-level', { choices: ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const, default: 'info' as const })
    .example('$0 bridge -- npx -y @modelcontextprotocol/server-everything', 'serve server-everything at http://127.0.0.1:8080/mcp')
    .example('$0 bridge --port 3000 --isolation shared -- python server.py', 'one shared child, ids remapped per client');
}

interface BridgeArgs {
  command?: string[];
  demo?: boolean;
  port: number;
  host: string;
  isolation: 'per-session' | 'shared';
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
  maxBody: string;
  sessionIdleTimeout: string;
  maxSessions: number;
  keepalive: string;
  replayEvents: number;
  replayBytes: string;
  transport: string[];
  metrics: boolean;
  shell: boolean;
  env?: string[];
  cwd?: string;
  name?: string;
  grace: string;
  initTimeout: string;
  logLevel: LogLevel;
  '--'?: string[];
}

export async function handler(argv: BridgeArgs): Promise<void> {
  const log = createLogger({ level: argv.logLevel, name: 'switchboard' });
  const cmd = [...(argv.command ?? []), ...(argv['--'] ?? [])].map(String);
  if (argv.demo && cmd.length) throw new Error('--demo bridges the built-in server: drop the command, or drop --demo');
  if (!argv.demo && !cmd.length) throw new Error('missing the server command: switchboard bridge [options] -- <command> [args…]  (or try --demo)');
  const [command, ...args] = argv.demo ? [process.execPath, DEMO_SERVER] : cmd;

  const keys = [...(argv.apiKey ?? [])];
  if (process.env.SWITCHBOARD_API_KEY) keys.push(process.env.SWITCHBOARD_API_KEY);
  if (argv.apiKeyFile) {
    const lines = readFileSync(argv.apiKeyFile, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    if (!lines.length) throw new Error(`--api-key-file ${argv.apiKeyFile} has no keys`);
    keys.push(...lines);
  }
  if (keys.some((k) => k.length < 8)) throw new Error('API keys must be at least 8 characters');
  keys.forEach(registerSecret);
  if (argv.cors?.includes('*') && keys.length) log.warn('--cors "*" sends no credentials: browsers cannot pass the API key cross-origin; list the origins instead');

  const bridge = new StdioBridge({
    child: { command: command!, args, env: keyValues(argv.env, 'env'), cwd: argv.cwd, shell: argv.shell, name: argv.demo ? 'demo' : argv.name },
    isolation: argv.isolation,
    initTimeoutMs: parseOr(duration, argv.initTimeout, 'init-timeout'),
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
    maxBodyBytes: parseOr(bytes, argv.maxBody, 'max-body'),
    sessionIdleTimeoutMs: parseOr(duration, argv.sessionIdleTimeout, 'session-idle-timeout'),
    maxSessions: argv.maxSessions,
    keepaliveMs: parseOr(duration, argv.keepalive, 'keepalive'),
    replayMaxEvents: argv.replayEvents,
    replayMaxBytes: parseOr(bytes, argv.replayBytes, 'replay-bytes'),
    enableStreamableHttp: argv.transport.includes('streamable-http'),
    enableSse: argv.transport.includes('sse'),
    metrics: argv.metrics,
    logger: log,
  });
  const grace = parseOr(duration, argv.grace, 'grace');
  installSignalHandlers(log, () => bridge.stop(grace));
  const { url } = await bridge.start();
  const base = url.slice(0, -argv.mcpPath.length);
  log.info({ url, sse: argv.transport.includes('sse') ? base + argv.ssePath : undefined, isolation: argv.isolation }, 'listening');
  process.stderr.write(`switchboard: listening — Streamable HTTP ${url}` + (argv.transport.includes('sse') ? `, SSE ${base}${argv.ssePath}` : '') + '\n');
}
