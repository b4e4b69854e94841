export { RemoteTransport, type RemoteTransportOptions, type RemoteTransportKind } from './remote-transport.js';
export { createRemoteFetch, type RemoteFetchOptions, type ResponseInfo } from './fetch.js';
export * from './errors.js';
export { connectStdio, type StdioConnectOptions } from './connect.js';
export { ModernTranslator } from './modern.js';
export { createClientLogger } from './logging.js';
export { remoteUpstream, type RemoteUpstreamOptions } from './upstream.js';
export { ParamHeaderCache, scanParamHeaders, paramHeadersFor, encodeParamValue, type ParamHeader } from './mcp-param.js';
