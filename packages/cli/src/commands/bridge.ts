import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Argv } from 'yargs';
import { StdioBridge, createLogger, type LogLevel } from '@switchboard-mcp/core/serve';
import { bytes, duration, keyValues, parseOr } from '../parse.js';
import { REMOTE_GROUP, remoteBridgeOptions } from '../remote-options.js';
import { giveUpPolicy, httpFaceOptions, printServedConfig, runBridge, toFaceOptions, type HttpFaceArgs } from '../http-options.js';
import { printConfigOption } from '../print-config.js';
import { warnSlowLauncher } from '../hints.js';

const DEMO_SERVER = fileURLToPath(new URL('../../examples/demo-server.mjs', import.meta.url));

export const command = 'bridge [command..]';
export const describe = 'Serve a stdio MCP server over Streamable HTTP and legacy SSE (both protocol eras)';

export function builder(y: Argv) {
  // Help shows groups in the order they are first named: the stdio bridge first, the remote one (--to) last.
  const stdio = 'Bridging a stdio server (the default):';
  y = y
    .group(['demo', 'isolation', 'shell', 'env', 'cwd', 'name', 'server-protocol', 'init-timeout', 'max-children', 'prestart', 'child-idle-timeout', 'on-crash-loop'], stdio)
    .group(['port'], 'HTTP face:')
    .group(['to'], REMOTE_GROUP);
  y = y.options(remoteBridgeOptions) as never; // --to <transport> <url>: serve a remote server (remote-bridge.ts)
  return httpFaceOptions(
    y
      .usage('$0 bridge [options] -- <command> [args…]')
      .positional('command', { type: 'string', array: true, describe: 'the stdio MCP server to run (after --)' })
      .option('demo', { type: 'boolean', describe: 'bridge the built-in demo server (no command needed)' })
      .option('isolation', { choices: ['per-session', 'shared'] as const, default: 'per-session' as const, describe: 'one child per client session, or one child shared by all (ids remapped)' })
      .option('shell', { type: 'boolean', default: false, describe: 'run the command through /bin/sh -c' })
      .option('env', { type: 'string', array: true, describe: 'KEY=VALUE for the server process (repeatable); added to what it inherits' })
      .option('pass-env', { type: 'string', array: true, describe: 'inherit only these variables (NAME or PREFIX_*, repeatable) plus PATH, HOME, locale…; without it everything is inherited except SWITCHBOARD_*' })
      .option('max-line', { type: 'string', describe: 'longest message the server may write (one stdout line); a longer one is dropped and its call fails (default: 2 × --max-body + 1mb)' })
      .option('cwd', { type: 'string', describe: 'working directory for the server process' })
      .option('name', { type: 'string', describe: 'server name in logs' })
      .option('server-protocol', { type: 'string', choices: ['2025', '2026'] as const, default: '2025' as const, describe: 'the era the server speaks: 2025 (2026-07-28 clients are translated) or 2026 (their requests pass through)' })
      .option('init-timeout', { type: 'string', default: '60s', describe: 'how long the server may take to answer initialize (at start-up, and for each per-session child)' })
      .option('max-children', {
        type: 'number',
        default: DEFAULT_MAX_CHILDREN,
        describe: `per-session: most server processes at once, the shared one not counted; when all run, the longest-idle unused session gives its child up, else 503 (default 4 × cores = ${DEFAULT_MAX_CHILDREN} here)`,
      })
      .option('prestart', {
        type: 'number',
        default: 0,
        describe: 'per-session: keep N server processes started and waiting, so a new session does not wait for the command to start (npx, uvx…); they count toward --max-children',
      })
      .option('child-idle-timeout', { type: 'string', default: '5m', describe: 'per-session: close a session idle this long and stop its child (sooner than --session-idle-timeout)' })
      .option('on-crash-loop', {
        choices: ['exit', 'wait'] as const,
        default: 'exit' as const,
        describe: 'when the shared server keeps crashing and is given up: exit with code 1 (a supervisor restarts the bridge), or wait with /readyz 503',
      })
      .option('log-level', { choices: ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const, default: 'info' as const, describe: 'least severe log line written (JSON on stderr)' })
      .options(printConfigOption),
  )
    .example('$0 bridge -- npx -y @modelcontextprotocol/server-everything', 'serve server-everything at http://127.0.0.1:8080/mcp')
    .example('$0 bridge --port 3000 --isolation shared -- python server.py', 'one shared child, ids remapped per client')
    .example('$0 bridge --port 3000 --print-config -- python server.py', 'the Claude Desktop entry that connects to this bridge')
    .example('$0 bridge --max-children 8 --child-idle-timeout 2m -- python server.py', 'at most 8 server processes; idle ones stop after 2 minutes')
    .example('$0 bridge --prestart 2 -- npx -y @modelcontextprotocol/server-everything', 'two servers started ahead: a new session is answered without waiting for npx')
    .example('$0 bridge --isolation shared --on-crash-loop wait -- python server.py', 'a crash-looping server: stay up with /readyz 503 instead of exiting 1')
    .epilog('With --isolation per-session every new session starts the command again: a launcher such as npx or uvx re-resolves the package each time (seconds). Keep some started ahead with --prestart N, install the server and run it directly, or use --isolation shared.');
}

const DEFAULT_MAX_CHILDREN = 4 * availableParallelism();

interface BridgeArgs extends HttpFaceArgs {
  command?: string[];
  demo?: boolean;
  isolation: 'per-session' | 'shared';
  shell: boolean;
  env?: string[];
  passEnv?: string[];
  cwd?: string;
  maxLine?: string;
  name?: string;
  initTimeout: string;
  maxChildren: number;
  prestart: number;
  childIdleTimeout: string;
  onCrashLoop: 'exit' | 'wait';
  serverProtocol: '2025' | '2026';
  logLevel: LogLevel;
  '--'?: string[];
  printConfig?: boolean;
}

export async function handler(argv: BridgeArgs): Promise<void> {
  if (argv.printConfig) return printServedConfig(argv, argv.name ?? (argv.demo ? 'demo' : [...(argv.command ?? []), ...(argv['--'] ?? [])].map(String)));
  // The remote side (client SDK, OAuth) loads only when a remote is bridged.
  if ((argv as { to?: string }).to) return (await import('../remote-bridge.js')).bridgeRemote(argv as never);
  const log = createLogger({ level: argv.logLevel, name: 'switchboard' });
  const cmd = [...(argv.command ?? []), ...(argv['--'] ?? [])].map(String);
  if (argv.demo && cmd.length) throw new Error('--demo bridges the built-in server: drop the command, or drop --demo');
  if (!argv.demo && !cmd.length) throw new Error('missing the server command: switchboard bridge [options] -- <command> [args…]  (or try --demo)');
  const [command, ...args] = argv.demo ? [process.execPath, DEMO_SERVER] : cmd;

  const { graceMs, ...face } = toFaceOptions(argv, log);
  if (!Number.isInteger(argv.maxChildren) || argv.maxChildren < 1) throw new Error(`--max-children ${argv.maxChildren}: expected a whole number, at least 1`);
  checkPrestart(argv);
  warnSlowLauncher(command!, args, argv.isolation, log, argv.prestart);
  const stop = (): Promise<void> => bridge.stop(graceMs);
  const bridge = new StdioBridge({
    ...face,
    child: { command: command!, args, env: keyValues(argv.env, 'env'), passEnv: argv.passEnv?.flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean), cwd: argv.cwd, shell: argv.shell, name: argv.demo ? 'demo' : argv.name },
    isolation: argv.isolation,
    // An answer echoing a body-sized payload carries it twice (structured content and its text form), plus the envelope.
    supervisor: { maxLineBytes: argv.maxLine !== undefined ? parseOr(bytes, argv.maxLine, 'max-line') : 2 * (face.maxBodyBytes ?? 16 * 1024 * 1024) + 1024 * 1024 },
    initTimeoutMs: parseOr(duration, argv.initTimeout, 'init-timeout'),
    maxChildren: argv.maxChildren,
    prestart: argv.prestart,
    childIdleTimeoutMs: parseOr(duration, argv.childIdleTimeout, 'child-idle-timeout'),
    onGiveUp: giveUpPolicy(argv.onCrashLoop, log, stop),
    serverProtocol: argv.serverProtocol,
    metrics: argv.metrics,
  });
  await runBridge(bridge, log, argv, { isolation: argv.isolation }, stop);
}

/** Refused before anything starts, with the fix in the message (the bridge checks the same, for library users). */
function checkPrestart(argv: BridgeArgs): void {
  const n = argv.prestart;
  if (!Number.isInteger(n) || n < 0) throw new Error(`--prestart ${n}: expected a whole number, 0 or more`);
  if (n === 0) return;
  if (argv.isolation !== 'per-session') throw new Error('--prestart applies to --isolation per-session only: a shared server is started once, at start-up, already. Drop --prestart.');
  if (n > argv.maxChildren) throw new Error(`--prestart ${n} is more than --max-children ${argv.maxChildren}: waiting servers count toward the limit. Lower --prestart or raise --max-children.`);
}
