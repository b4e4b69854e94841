// `switchboard bridge --to <transport> <url>`: serve a remote MCP server over another HTTP transport
// (Streamable HTTP ⇄ legacy SSE). The HTTP face is the same one the stdio bridge uses; each client session gets its
// own upstream RemoteTransport and one pipe — the same pieces as `connect`, with an HTTP face instead of stdio.
import { HttpFace, RemoteTransport, createLogger, pipe, type LogLevel } from '@switchboard/core';
import { announce, toFaceOptions, type HttpFaceArgs } from './http-options.js';
import { installSignalHandlers } from './signals.js';
import { remoteOptions, remoteSetup, type RemoteArgs } from './commands/connect.js';

/** Options `bridge` gains for --to (the remote transport is --upstream-transport: bridge's --transport names faces). */
export const remoteBridgeOptions = (() => {
  const { transport, ...rest } = remoteOptions;
  return {
    to: { choices: ['streamable-http', 'sse'] as const, describe: 'serve a remote MCP server (the URL after the options) over this transport instead of a stdio command' },
    'upstream-transport': { ...transport, describe: 'with --to: how to reach the remote; auto tries Streamable HTTP, then legacy SSE' },
    ...rest,
  };
})();

export interface RemoteBridgeArgs extends Omit<RemoteArgs, 'url' | 'transport'>, HttpFaceArgs {
  to: 'streamable-http' | 'sse';
  upstreamTransport: RemoteArgs['transport'];
  command?: string[];
  '--'?: string[];
  logLevel: LogLevel;
}

export async function bridgeRemote(argv: RemoteBridgeArgs): Promise<void> {
  const log = createLogger({ level: argv.logLevel, name: 'switchboard' });
  const positional = [...(argv.command ?? []), ...(argv['--'] ?? [])].map(String);
  if (positional.length !== 1) throw new Error('bridge --to needs exactly one remote URL: switchboard bridge --to sse https://example.com/mcp');
  const setup = remoteSetup({ ...argv, url: positional[0]!, transport: argv.upstreamTransport ?? 'auto' }, log);
  // Same flags, security and HTTP face as the stdio bridge; only the asked-for transport is served.
  const faceArgs = { ...argv, transport: [argv.to] };
  const { graceMs, ...faceOptions } = toFaceOptions(faceArgs, log);

  const upstreams = new Set<RemoteTransport>();
  const face = new HttpFace({
    ...faceOptions,
    onSession: async (session) => {
      const remote = new RemoteTransport(setup);
      upstreams.add(remote);
      const p = pipe(session, remote, { logger: log });
      void p.closed.then(() => upstreams.delete(remote));
      await remote.start();
    },
  });
  installSignalHandlers(log, async () => {
    await face.stopAccepting();
    await new Promise((r) => setTimeout(r, Math.min(graceMs, 200)));
    await face.closeSessions();
    await Promise.allSettled([...upstreams].map((u) => u.close()));
  });
  const { url } = await face.listen();
  announce(log, url, faceArgs, { upstream: setup.url.href });
}
