import { RemoteTransport, type RemoteTransportOptions } from '../remote/remote-transport.js';
import { modernTranslator } from '../era/modern-translator.js';
import type { Upstream, UpstreamTransport } from './upstream.js';

export interface RemoteUpstreamOptions extends RemoteTransportOptions {
  /** Translate for 2026-07-28-only remotes (what `connect --protocol auto` does); default true. */
  translate?: boolean;
}

/**
 * A remote HTTP MCP server: each open() is a fresh RemoteTransport (its own remote session), wrapped in the era
 * translator unless told not to. Headers and the OAuth session are shared by all of them.
 */
export function remoteUpstream(options: RemoteUpstreamOptions): Upstream {
  // The URL's path and query can carry a token: only scheme, host and port name it.
  const name = new URL(options.url).origin;
  return {
    name,
    open: () => {
      const remote = new RemoteTransport(options);
      return (options.translate === false ? remote : modernTranslator({ logger: options.logger })(remote)) as UpstreamTransport;
    },
  };
}
