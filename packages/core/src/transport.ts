import type { AuthInfo, MessageExtraInfo, Transport as SdkTransport, TransportSendOptions } from '@modelcontextprotocol/server';

export type { AuthInfo, MessageExtraInfo, TransportSendOptions };

/**
 * What a message carries besides itself as it crosses the pipe. The SDK hands it to `onmessage` as
 * MessageExtraInfo; on the way out we pass it in send()'s options, so every layer and upstream sees who the
 * caller is (`extra.authInfo`). SDK transports that do not know the field ignore it.
 */
export interface SendOptions extends TransportSendOptions {
  extra?: CallExtra;
}

/**
 * MessageExtraInfo plus the W3C trace headers of the HTTP request that carried the message, as received (a
 * consumer validates them; a repeated header is not passed on, since the spec makes it invalid).
 */
export interface CallExtra extends MessageExtraInfo {
  trace?: { traceparent?: string; tracestate?: string };
}

/**
 * The seam everything plugs into: the MCP SDK's transport interface (start/send/close/onmessage).
 * Faces and upstreams implement it; a bridge is two of them and a pipe.
 */
export interface Transport extends SdkTransport {
  send(message: Parameters<SdkTransport['send']>[0], options?: SendOptions): Promise<void>;
}
