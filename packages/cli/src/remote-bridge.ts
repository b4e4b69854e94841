// `switchboard bridge --to <transport> <url>`: serve a remote MCP server over our HTTP face. It is the common Bridge
// with a remote upstream instead of a stdio child: each session (or, with --isolation shared, every session) is piped
// to a RemoteTransport, the same one `connect` uses, and 2026-07-28 clients are served by the bridge's era front.
import { Bridge, createLogger, remoteTransportOptions, remoteUpstream, type LogLevel } from '@switchboard-mcp/core';
import { runBridge, toFaceOptions, type HttpFaceArgs } from './http-options.js';
import { duration, parseOr } from './parse.js';
import { remoteSetup, type RemoteArgs } from './commands/connect.js';

export { remoteBridgeOptions } from './remote-options.js';

export interface RemoteBridgeArgs extends Omit<RemoteArgs, 'url' | 'transport'>, HttpFaceArgs {
  to: 'streamable-http' | 'sse';
  upstreamTransport: RemoteArgs['transport'];
  isolation: 'per-session' | 'shared';
  initTimeout: string;
  command?: string[];
  '--'?: string[];
  logLevel: LogLevel;
}

export async function bridgeRemote(argv: RemoteBridgeArgs): Promise<void> {
  const log = createLogger({ level: argv.logLevel, name: 'switchboard' });
  const positional = [...(argv.command ?? []), ...(argv['--'] ?? [])].map(String);
  if (positional.length !== 1) throw new Error('bridge --to needs exactly one remote URL: switchboard bridge --to sse https://example.com/mcp');
  const setup = remoteTransportOptions(remoteSetup({ ...argv, url: positional[0]!, transport: argv.upstreamTransport ?? 'auto' }, log));
  // Same flags, security and HTTP face as the stdio bridge; only the asked-for transport is served.
  const faceArgs = { ...argv, transport: [argv.to] };
  const { graceMs, ...face } = toFaceOptions(faceArgs, log);
  const bridge = new Bridge({
    ...face,
    upstream: remoteUpstream({ ...setup, translate: argv.protocol !== 'legacy' }),
    isolation: argv.isolation,
    initTimeoutMs: parseOr(duration, argv.initTimeout, 'init-timeout'),
    metrics: argv.metrics,
  });
  await runBridge(bridge, log, faceArgs, { upstream: setup.url.href, isolation: argv.isolation }, () => bridge.stop(graceMs));
}
