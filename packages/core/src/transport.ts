import type { Transport as SdkTransport, TransportSendOptions } from '@modelcontextprotocol/server';

/**
 * The seam everything plugs into: the MCP SDK's transport interface (start/send/close/onmessage).
 * Faces and upstreams implement it; a bridge is two of them and a pipe.
 */
export type Transport = SdkTransport;
export type { TransportSendOptions };
