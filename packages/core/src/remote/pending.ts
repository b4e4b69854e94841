import type { Message, RequestId } from '../jsonrpc.js';

export interface Pending {
  method: string;
  /** The session generation the request was sent on: only that session can answer it. */
  generation: number;
  /** Accepted by the server (the POST went through): only such requests can be lost with a session. */
  sent?: boolean;
  progressToken?: string | number;
  timer?: NodeJS.Timeout;
  /** Set for our own requests (re-initialize, ping, tools/list): their answer goes here, never to the client. */
  internal?: (m: Message) => void;
}

export interface PendingCallsOptions {
  /** The cut-off for a request of this method (undefined: none). */
  limitFor(method: string): number | undefined;
  /** A client request's cut-off ran out: it is no longer tracked, and must be answered. */
  onTimeout(id: RequestId, p: Pending, limitMs: number): void;
}

/**
 * Requests sent upstream and not yet answered, each with its cut-off (reset by progress on its token). One table
 * for the client's requests and our own, so one lookup routes every answer.
 */
export class PendingCalls {
  private readonly calls = new Map<RequestId, Pending>();

  constructor(private readonly options: PendingCallsOptions) {}

  get(id: RequestId): Pending | undefined {
    return this.calls.get(id);
  }

  entries(): IterableIterator<[RequestId, Pending]> {
    return this.calls.entries();
  }

  track(m: { id: RequestId; method: string; params?: Record<string, unknown> }, generation: number): void {
    const progressToken = (m.params?._meta as { progressToken?: string | number } | undefined)?.progressToken;
    const p: Pending = { method: m.method, generation, progressToken };
    this.calls.set(m.id, p);
    this.arm(m.id, p);
  }

  private arm(id: RequestId, p: Pending): void {
    const limit = this.options.limitFor(p.method);
    if (!limit) return;
    if (p.timer) clearTimeout(p.timer);
    p.timer = setTimeout(() => {
      if (this.calls.get(id) !== p) return;
      this.untrack(id);
      this.options.onTimeout(id, p, limit);
    }, limit);
  }

  /** Progress on a token restarts the cut-off of the request that carries it. */
  progressed(token: string | number | undefined): void {
    if (token === undefined) return;
    for (const [id, p] of this.calls) if (p.progressToken === token) this.arm(id, p);
  }

  untrack(id: RequestId): void {
    const p = this.calls.get(id);
    if (p?.timer) clearTimeout(p.timer);
    this.calls.delete(id);
  }

  /** Our own request: resolves with its answer, or rejects with timeoutError() after timeoutMs. */
  expect(id: string, generation: number, timeoutMs: number, timeoutError: () => Error): Promise<Message> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.calls.delete(id);
        reject(timeoutError());
      }, timeoutMs);
      this.calls.set(id, {
        method: 'internal',
        generation,
        internal: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  /** Client requests sent upstream and not yet answered. */
  get inflight(): number {
    let n = 0;
    for (const p of this.calls.values()) if (!p.internal) n++;
    return n;
  }

  clear(): void {
    for (const p of this.calls.values()) if (p.timer) clearTimeout(p.timer);
    this.calls.clear();
  }
}
