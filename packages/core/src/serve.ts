/**
 * The serving half of the core — faces, pipe, layers, children, bridge — without the remote client side
 * (OAuth, the HTTP client transports), so a process that only serves does not load the client SDK.
 */
export type { Transport, SendOptions, CallExtra, AuthInfo, MessageExtraInfo } from './transport.js';
export * from './jsonrpc.js';
export * from './errors.js';
export * from './protocol.js';
export { createLogger, silentLogger, registerSecret, maskSecrets, type Logger, type LogLevel } from './log.js';
export { pipe, type Pipe, type PipeOptions } from './pipe.js';
export { compose, LayerTransport, type Layer } from './layer.js';
export { Requester } from './requester.js';
export { parseHeaderLine, collectHeaders } from './headers.js';
export { callTimeout, REQUEST_TIMEOUT, type CallTimeoutOptions } from './layers/call-timeout.js';
export type { Metrics, ToolMetrics, ToolCallOutcome } from './metrics.js';
export type { ChildSpec } from './child/spawn-spec.js';
export { ChildProcessTransport, type ExitInfo } from './child/process-transport.js';
export { SupervisedChild, type SupervisorOptions } from './child/supervisor.js';
export { HttpFace, type HttpFaceOptions, type SessionInfo } from './http/face.js';
export { ModernRequestTransport } from './http/modern-request.js';
export * from './http/auth/index.js';
export type { Middleware, FaceRequest } from './http/middleware.js';
export { Multiplexer, Lane, BRIDGE_CLIENT_INFO } from './mux/multiplexer.js';
export { ModernFront, type ModernFrontOptions } from './era/modern-front.js';
export { Bridge, StdioBridge, type BridgeOptions, type StdioBridgeOptions, type Isolation } from './bridge/bridge.js';
export type { Upstream, UpstreamContext, UpstreamTransport, Era } from './upstream/upstream.js';
export { stdioUpstream, upstreamName } from './upstream/stdio.js';
export { inProcessUpstream, InProcessTransport, type InProcessUpstreamOptions } from './upstream/in-process.js';
