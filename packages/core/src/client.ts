// The remote-client half of the core, alone: what `switchboard connect` and library users who talk to a remote MCP
// server need (remote transport, OAuth client, stdio face, era translation). It loads neither the HTTP face, the
// bridge, child supervision nor the metrics registry, so a `connect` that hosts spawn per window starts lean.
export type { Transport, SendOptions, AuthInfo, MessageExtraInfo } from './transport.js';
export * from './jsonrpc.js';
export * from './errors.js';
export * from './protocol.js';
export { createLogger, silentLogger, registerSecret, maskSecrets, type Logger, type LogLevel } from './log.js';
export { pipe, type Pipe, type PipeOptions } from './pipe.js';
export { compose, LayerTransport, type Layer } from './layer.js';
export { parseHeaderLine, collectHeaders } from './headers.js';
export * from './remote/index.js';
export * from './oauth/index.js';
