import type { SendOptions, Transport } from '../transport.js';
import { errorResponse, isRequest, isResponse, progressTokenOf, type Message, type RequestId } from '../jsonrpc.js';
import { LayerTransport, type Layer } from '../layer.js';

/** The SDKs' request-timeout code: clients already know what it means. */
export const REQUEST_TIMEOUT = -32001;

export interface CallTimeoutOptions {
  ms: number;
  /** Progress from the server shows the call is alive: restart its clock (default true). */
  resetOnProgress?: boolean;
}

/**
 * A ceiling on every call from the client side: a call the server has not answered in time is answered with a
 * timeout error, and the server is told to stop (notifications/cancelled). Works on any upstream.
 */
export function callTimeout(options: CallTimeoutOptions): Layer {
  return (next) => new CallTimeout(next, options);
}

interface Waiting {
  timer: NodeJS.Timeout;
  token?: string | number;
}

class CallTimeout extends LayerTransport {
  private readonly waiting = new Map<RequestId, Waiting>();
  private readonly byToken = new Map<string | number, RequestId>();

  constructor(
    next: Transport,
    private readonly options: CallTimeoutOptions,
  ) {
    super(next);
  }

  protected override toServer(message: Parameters<Transport['send']>[0], options?: SendOptions): Promise<void> {
    const m = message as Message;
    if (isRequest(m)) {
      const token = progressTokenOf(m);
      this.waiting.set(m.id, { timer: this.arm(m.id, m.method), token });
      if (token !== undefined) this.byToken.set(token, m.id);
    }
    return this.next.send(m, options);
  }

  protected override toClient(message: Parameters<NonNullable<Transport['onmessage']>>[0], extra?: Parameters<NonNullable<Transport['onmessage']>>[1]): void {
    const m = message as Message;
    if (isResponse(m)) this.settle(m.id);
    else if (this.options.resetOnProgress !== false && (m as { method?: string }).method === 'notifications/progress') {
      const id = this.byToken.get((m.params as { progressToken?: string | number } | undefined)?.progressToken as string);
      const w = id !== undefined ? this.waiting.get(id) : undefined;
      if (w) w.timer.refresh();
    }
    this.onmessage?.(m, extra);
  }

  private arm(id: RequestId, method: string): NodeJS.Timeout {
    const timer = setTimeout(() => {
      if (!this.settle(id)) return;
      const secs = Math.round(this.options.ms / 1000);
      this.onmessage?.(errorResponse(id, REQUEST_TIMEOUT, `${method} timed out: the server did not answer within ${secs}s (raise --call-timeout, or check the server)`));
      void this.next
        .send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: `timed out after ${secs}s` } } as Message)
        .catch(() => {});
    }, this.options.ms);
    timer.unref();
    return timer;
  }

  private settle(id: RequestId): boolean {
    const w = this.waiting.get(id);
    if (!w) return false;
    clearTimeout(w.timer);
    this.waiting.delete(id);
    if (w.token !== undefined) this.byToken.delete(w.token);
    return true;
  }

  override close(): Promise<void> {
    for (const w of this.waiting.values()) clearTimeout(w.timer);
    this.waiting.clear();
    this.byToken.clear();
    return super.close();
  }
}
