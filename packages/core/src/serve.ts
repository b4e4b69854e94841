/**
 * The serving half of the core — faces, pipe, children, bridge — without the remote client side
 * (OAuth, the HTTP client transports), so a process that only serves does not load the client SDK.
 */
export type { Transport, TransportSendOptions } from './transport.js';
export * from './jsonrpc.js';
export * from './errors.js';
export { createLogger, silentLogger, registerSecret, maskSecrets, type Logger, type LogLevel } from './log.js';
export { pipe, type Pipe, type PipeOptions, type Hook, type HookContext } from './pipe.js';
export type { Metrics } from './metrics.js';
export type { ChildSpec } from './child/spawn-spec.js';
export { ChildProcessTransport, type ExitInfo } from './child/process-transport.js';
export { SupervisedChild, type SupervisorOptions } from './child/supervisor.js';
export { HttpFace, LEGACY_PROTOCOL_VERSIONS, MODERN_PROTOCOL_VERSION, type HttpFaceOptions, type SessionInfo } from './http/face.js';
export { ModernExchange } from './http/modern-exchange.js';
export { SharedUpstream, Lane, BRIDGE_CLIENT_INFO } from './bridge/shared-upstream.js';
export { ModernFront } from './bridge/modern-front.js';
export { Bridge, StdioBridge, type BridgeOptions, type StdioBridgeOptions, type Isolation } from './bridge/bridge.js';
export { stdioUpstream, type UpstreamFactory } from './bridge/upstream.js';
