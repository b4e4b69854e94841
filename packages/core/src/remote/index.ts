export { RemoteTransport, type RemoteTransportOptions, type RemoteTransportKind } from './remote-transport.js';
export { createRemoteFetch, type RemoteFetchOptions, type ResponseInfo } from './fetch.js';
export * from './errors.js';
export { connectStdio, type StdioConnectOptions } from './connect.js';
export { remoteTransportOptions, checkRemoteUrl, type RemoteSetup } from './setup.js';
export { modernTranslator, ModernTranslator, type ModernTranslatorOptions } from '../era/modern-translator.js';
export { createClientLogger } from './logging.js';
export { remoteUpstream, type RemoteUpstreamOptions } from '../upstream/remote.js';
export { ParamHeaderCache, scanParamHeaders, paramHeadersFor, encodeParamValue, type ParamHeader } from './mcp-param.js';
