import { SSEClientTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { NotMcpServerError } from './errors.js';
import type { FetchLike } from './fetch.js';
import type { RemoteTransportOptions } from './options.js';

/** The SDK transport that carries a session: Streamable HTTP (with its GET stream), or legacy HTTP+SSE. */
export type Inner = StreamableHTTPClientTransport | SSEClientTransport;
export type InnerKind = 'streamable-http' | 'sse';

/** A fresh SDK transport of that kind, with our fetch and, for Streamable HTTP, a GET stream that never gives up. */
export function createInner(kind: InnerKind, url: URL, options: RemoteTransportOptions, fetchFn: FetchLike): Inner {
  const common = { authProvider: options.authProvider, fetch: fetchFn };
  if (kind === 'sse') return new SSEClientTransport(url, { ...common, eventSourceInit: { fetch: fetchFn } });
  return new StreamableHTTPClientTransport(url, {
    ...common,
    reconnectionOptions: {
      initialReconnectionDelay: options.reconnect?.initialDelayMs ?? 500,
      maxReconnectionDelay: options.reconnect?.maxDelayMs ?? 10_000,
      reconnectionDelayGrowFactor: 1.5,
      // Keep the GET stream coming back for as long as we live; a lost session is noticed and re-initialized.
      maxRetries: Number.MAX_SAFE_INTEGER,
    },
  });
}

/** Starts it; a legacy SSE server must send its endpoint event within limitMs, or it is not one. */
export async function startInner(inner: Inner, url: URL, limitMs: number): Promise<void> {
  if (!(inner instanceof SSEClientTransport)) return inner.start();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      inner.start(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new NotMcpServerError(url.href, `no SSE endpoint event within ${limitMs} ms`)), limitMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Stops listening to it and closes it (in the background: nothing waits on a transport we dropped). */
export function detachInner(inner: Inner | undefined): void {
  if (!inner) return;
  inner.onmessage = undefined;
  inner.onerror = undefined;
  inner.onclose = undefined;
  void inner.close().catch(() => {});
}
