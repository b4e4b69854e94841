import type { SendOptions, Transport } from '../transport.js';
import { ErrorCode, errorResponse, isRequest, isResponse, type Message, type RequestId } from '../jsonrpc.js';
import { LayerTransport } from '../layer.js';
import type { SwitchboardError } from '../errors.js';

/**
 * The calls one client is waiting on, as the client sees them (its own ids): the bridge drains on this count at
 * shutdown and answers what is left when the grace ends. A call the client cancelled is no longer waited on —
 * servers need not answer a cancelled request, so counting it would hold a shutdown for the whole grace.
 */
export class CallLedger extends LayerTransport {
  private readonly open = new Set<RequestId>();
  /** Set by the owner to forget this ledger once its client is gone. */
  onfinish?: () => void;
  private finished = false;

  constructor(next: Transport) {
    super(next);
    next.onclose = () => {
      this.finish();
      this.onclose?.();
    };
  }

  /** Calls sent by the client, neither answered nor cancelled. */
  get waiting(): number {
    return this.open.size;
  }

  protected override toServer(message: Parameters<Transport['send']>[0], options?: SendOptions): Promise<void> {
    const m = message as Message;
    if (isRequest(m)) this.open.add(m.id);
    else if ((m as { method?: string }).method === 'notifications/cancelled') {
      this.open.delete((m.params as { requestId?: RequestId } | undefined)?.requestId as RequestId);
    }
    return this.next.send(m, options).catch((err: unknown) => {
      // The pipe answers an undeliverable request itself: it is no longer waited on here.
      if (isRequest(m)) this.open.delete(m.id);
      throw err;
    });
  }

  protected override toClient(...args: Parameters<NonNullable<Transport['onmessage']>>): void {
    const m = args[0] as Message;
    if (isResponse(m)) this.open.delete(m.id);
    this.onmessage?.(...args);
  }

  /** Answers every call still open with `error` (the client stops waiting at once instead of timing out). */
  failAll(error: SwitchboardError): number {
    const ids = [...this.open];
    this.open.clear();
    for (const id of ids) this.onmessage?.(errorResponse(id, ErrorCode.InternalError, error.message, { reason: error.code }));
    return ids.length;
  }

  override close(): Promise<void> {
    this.finish();
    return super.close();
  }

  private finish() {
    if (this.finished) return;
    this.finished = true;
    this.open.clear();
    this.onfinish?.();
  }
}
