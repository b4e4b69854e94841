import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { pipe, type Hook, type Pipe } from '../pipe.js';
import { silentLogger, type Logger } from '../log.js';
import type { Transport } from '../transport.js';
import { RemoteTransport, type RemoteTransportOptions } from './remote-transport.js';

export interface StdioConnectOptions extends RemoteTransportOptions {
  logger?: Logger;
  /** Hooks on the pipe (e.g. era translation). */
  toUp?: Hook[];
  toDown?: Hook[];
  /** Wraps the remote transport (e.g. 2026-07-28 translation); defaults to the raw remote. */
  wrap?(remote: RemoteTransport): Transport;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
}

/**
 * `switchboard connect`: a stdio face (what Claude Desktop and other stdio-only hosts spawn) piped to a remote
 * HTTP MCP server. stdout carries protocol only; diagnostics go to the logger (stderr).
 */
export async function connectStdio(options: StdioConnectOptions): Promise<{ pipe: Pipe; remote: RemoteTransport }> {
  const log = options.logger ?? silentLogger;
  const face = new StdioServerTransport(options.stdin as never, options.stdout as never);
  const remote = new RemoteTransport(options);
  const upstream = options.wrap ? options.wrap(remote) : remote;
  const p = pipe(face, upstream, { logger: log, toUp: options.toUp, toDown: options.toDown });
  await upstream.start();
  await face.start();
  return { pipe: p, remote };
}
