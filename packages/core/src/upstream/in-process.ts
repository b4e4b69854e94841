import { InMemoryTransport, type JSONRPCMessage, type MessageExtraInfo } from '@modelcontextprotocol/server';
import type { SendOptions, Transport } from '../transport.js';
import { isRequest, isResponse, type RequestId } from '../jsonrpc.js';
import { SwitchboardError, TransportClosedError } from '../errors.js';
import type { Upstream, UpstreamTransport } from './upstream.js';

export interface InProcessUpstreamOptions {
  /** A short name for logs and errors. */
  name: string;
  /**
   * Attaches a server to the server side of a fresh in-memory pair, typically
   * `(t) => factory().connect(t)` for an McpServer factory. Called once per upstream transport,
   * when the bridge starts that transport.
   */
  connect(serverSide: Transport): Promise<void>;
}

/**
 * The client side of an in-memory pair whose server side is attached on start(). Requests sent and
 * not yet answered are counted so a bridge can drain them on shutdown.
 */
export class InProcessTransport implements UpstreamTransport {
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  sessionId?: string;

  private readonly client: InMemoryTransport;
  private readonly server: InMemoryTransport;
  private readonly pending = new Set<RequestId>();
  private started = false;
  private closed = false;

  constructor(private readonly attach: (serverSide: Transport) => Promise<void>) {
    [this.client, this.server] = InMemoryTransport.createLinkedPair();
    this.client.onmessage = (message, extra) => {
      if (isResponse(message)) this.pending.delete(message.id);
      this.onmessage?.(message, extra);
    };
    this.client.onerror = (error) => this.onerror?.(error);
    this.client.onclose = () => this.finish();
  }

  /** True from a successful start() until either side closes. */
  get alive(): boolean {
    return this.started && !this.closed;
  }

  get inflight(): number {
    return this.pending.size;
  }

  async start(): Promise<void> {
    if (this.started) throw new SwitchboardError('SB_ALREADY_STARTED', 'InProcessTransport already started');
    if (this.closed) throw new TransportClosedError('in-process server');
    this.started = true;
    try {
      await this.attach(this.server);
    } catch (error) {
      await this.close();
      throw error;
    }
    // Deliver anything the server sent while connecting, then everything as it comes.
    await this.client.start();
  }

  async send(message: JSONRPCMessage, options?: SendOptions): Promise<void> {
    if (this.closed) throw new TransportClosedError('in-process server');
    if (isRequest(message)) this.pending.add(message.id);
    // The caller's identity reaches the server's handlers (ctx.authInfo), as it would over HTTP.
    const authInfo = options?.extra?.authInfo;
    await this.client.send(message, authInfo ? { relatedRequestId: options?.relatedRequestId, authInfo } : options);
  }

  /** Closes both sides (the server sees its transport close). */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.client.close();
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending.clear();
    this.onclose?.();
  }
}

/**
 * An upstream served in the same process (an OpenAPI server, a gateway): each open() makes a linked
 * in-memory pair, the server side handed to `connect` when the transport starts, the client side
 * returned for the bridge to pipe sessions into.
 */
export function inProcessUpstream(options: InProcessUpstreamOptions): Upstream {
  return {
    name: options.name,
    open: () => new InProcessTransport(options.connect),
  };
}
