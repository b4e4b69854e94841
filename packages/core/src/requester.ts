import { isResponse, type Message, type RequestId } from './jsonrpc.js';
import { SwitchboardError } from './errors.js';

interface Pending {
  resolve(m: Message): void;
  reject(e: Error): void;
  timer?: NodeJS.Timeout;
}

/**
 * The one table of requests we send ourselves (handshakes, era translation, pushes to a client) and the callers
 * waiting for their answers. Ids carry a prefix no peer uses, so `settle` can tell our answers from traffic.
 */
export class Requester {
  private readonly pending = new Map<RequestId, Pending>();
  private seq = 0;

  constructor(private readonly prefix: string) {}

  /** A fresh id of ours. */
  nextId(): string {
    return `${this.prefix}-${++this.seq}`;
  }

  /**
   * Sends a request built around a fresh id and resolves with its answer (an error answer resolves too: the
   * caller decides). Rejects if sending fails or, with timeoutMs, if no answer comes in time.
   */
  request(send: (m: Message) => Promise<void>, method: string, params?: unknown, timeoutMs?: number): Promise<Message> {
    const id = this.nextId();
    const answer = this.expect(id, timeoutMs, method);
    const message = { jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) } as Message;
    send(message).catch((err: Error) => this.fail(id, err));
    return answer;
  }

  /** Waits for the answer to a request the caller sends itself under `id`. */
  expect(id: RequestId, timeoutMs?: number, what = 'request'): Promise<Message> {
    return new Promise<Message>((resolve, reject) => {
      const p: Pending = { resolve, reject };
      if (timeoutMs) {
        p.timer = setTimeout(() => this.fail(id, new SwitchboardError('SB_TIMEOUT', `no answer to ${what} within ${Math.round(timeoutMs / 1000)}s`)), timeoutMs);
        p.timer.unref();
      }
      this.pending.set(id, p);
    });
  }

  /** Hands an incoming answer to its waiter; false when it is not one of ours. */
  settle(m: Message): boolean {
    if (!isResponse(m)) return false;
    const p = this.pending.get(m.id);
    if (!p) return false;
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    p.resolve(m);
    return true;
  }

  owns(id: RequestId): boolean {
    return this.pending.has(id);
  }

  fail(id: RequestId, err: Error): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.reject(err);
  }

  /** Every waiter fails (the connection is gone). */
  failAll(err: Error): void {
    for (const id of [...this.pending.keys()]) this.fail(id, err);
  }

  get size(): number {
    return this.pending.size;
  }
}
