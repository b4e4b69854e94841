import type { UpstreamFactory } from '../bridge/upstream.js';
import type { Transport } from '../transport.js';
import { RemoteTransport, type RemoteTransportOptions } from './remote-transport.js';
import { ModernTranslator } from './modern.js';

export interface RemoteUpstreamOptions extends RemoteTransportOptions {
  /** Translate for 2026-07-28-only remotes (what `connect --protocol auto` does); default true. */
  translate?: boolean;
}

/**
 * A remote HTTP MCP server as a bridge upstream: each create() is a fresh RemoteTransport (its own remote session),
 * wrapped in the era translator unless told not to. Headers and the OAuth session are shared by all of them.
 */
export function remoteUpstream(options: RemoteUpstreamOptions): UpstreamFactory {
  const url = new URL(options.url);
  const remotes = new WeakMap<Transport, RemoteTransport>();
  return {
    name: url.href,
    create: () => {
      const remote = new RemoteTransport(options);
      const t: Transport = options.translate === false ? remote : new ModernTranslator(remote, { logger: options.logger });
      remotes.set(t, remote);
      return t;
    },
    inflight: (t) => remotes.get(t)?.inflight ?? 0,
  };
}
