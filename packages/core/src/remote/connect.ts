import { pipe, type Pipe } from '../pipe.js';
import { silentLogger, type Logger } from '../log.js';
import { compose, type Layer } from '../layer.js';
import { RemoteTransport, type RemoteTransportOptions } from './remote-transport.js';
import { StdioFace } from './stdio-face.js';

export interface StdioConnectOptions extends RemoteTransportOptions {
  logger?: Logger;
  /** Layers on the connection to the remote, outermost first (e.g. era translation). */
  layers?: Layer[];
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
}

/**
 * `switchboard connect`: a stdio face (what Claude Desktop and other stdio-only hosts spawn) piped to a remote
 * HTTP MCP server. stdout carries protocol only; diagnostics go to the logger (stderr).
 */
export async function connectStdio(options: StdioConnectOptions): Promise<{ pipe: Pipe; remote: RemoteTransport }> {
  const log = options.logger ?? silentLogger;
  const face = new StdioFace(options.stdin, options.stdout);
  const remote = new RemoteTransport(options);
  const upstream = compose(...(options.layers ?? []))(remote);
  const p = pipe(face, upstream, { logger: log });
  await upstream.start();
  await face.start();
  return { pipe: p, remote };
}
