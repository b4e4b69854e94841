import type { SendOptions, Transport } from '../transport.js';
import { ErrorCode, errorResponse, isRequest, isResponse, type Message, type RequestId } from '../jsonrpc.js';
import { InitTimeoutError } from '../errors.js';
import { LayerTransport, type Layer } from '../layer.js';
import type { Logger } from '../log.js';

export interface HandshakeTimeoutOptions {
  ms: number;
  /** The server's name as the error shows it, e.g. `MCP server "x"`. */
  server: string;
  logger?: Logger;
}

/**
 * A connection of its own (per-session mode) whose server never answers the client's `initialize`: the client gets
 * the JSON-RPC error a shared server gives at start-up (SB_INIT_TIMEOUT), and the connection is closed, so neither a
 * silent child nor a session waiting on it outlives the handshake.
 */
export function handshakeTimeout(options: HandshakeTimeoutOptions): Layer {
  return (next) => new HandshakeTimeout(next, options);
}

class HandshakeTimeout extends LayerTransport {
  private pending?: { id: RequestId; timer: NodeJS.Timeout };

  constructor(
    next: Transport,
    private readonly options: HandshakeTimeoutOptions,
  ) {
    super(next);
  }

  protected override toServer(message: Parameters<Transport['send']>[0], options?: SendOptions): Promise<void> {
    const m = message as Message;
    if (isRequest(m) && m.method === 'initialize' && !this.pending) {
      const timer = setTimeout(() => this.expire(m.id), this.options.ms);
      timer.unref();
      this.pending = { id: m.id, timer };
    }
    return this.next.send(m, options);
  }

  protected override toClient(...args: Parameters<NonNullable<Transport['onmessage']>>): void {
    const m = args[0] as Message;
    if (this.pending && isResponse(m) && m.id === this.pending.id) {
      clearTimeout(this.pending.timer);
      this.pending = undefined;
    }
    this.onmessage?.(...args);
  }

  private expire(id: RequestId) {
    this.pending = undefined;
    const err = new InitTimeoutError(this.options.server, 'initialize', this.options.ms);
    this.options.logger?.warn({ err: err.message }, 'closing a session whose server never answered initialize');
    this.onmessage?.(errorResponse(id, ErrorCode.InternalError, err.message, { reason: err.code }));
    void this.close();
  }

  override close(): Promise<void> {
    if (this.pending) clearTimeout(this.pending.timer);
    this.pending = undefined;
    return super.close();
  }
}
