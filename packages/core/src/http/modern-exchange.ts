import type { ServerResponse } from 'node:http';
import { serialize, type Message } from '../jsonrpc.js';
import { SseWriter } from './sse.js';

/**
 * One 2026-07-28 request/response exchange. The answer goes out as plain JSON unless something
 * (progress, logs) must be sent before it, in which case the response turns into an SSE stream.
 * Under 2026-07-28, the client closing the response is a cancellation.
 */
export class ModernExchange {
  private writer?: SseWriter;
  private done = false;
  oncancel?: () => void;

  constructor(
    private readonly res: ServerResponse,
    private readonly keepaliveMs: number,
    private readonly headers: Record<string, string> = {},
  ) {
    res.on('close', () => {
      if (!this.done) {
        this.done = true;
        this.oncancel?.();
      }
    });
  }

  get finished(): boolean {
    return this.done;
  }

  /** Opens the stream now: for exchanges that are streams by nature (subscriptions/listen). */
  stream(): void {
    if (!this.writer && !this.done) this.writer = new SseWriter(this.res, this.keepaliveMs, this.headers);
  }

  notify(message: Message): void {
    if (this.done) return;
    this.stream();
    this.writer!.event(serialize(message));
  }

  respond(message: Message, status = 200): void {
    if (this.done) return;
    this.done = true;
    if (this.writer) {
      this.writer.event(serialize(message));
      this.writer.end();
      return;
    }
    const body = serialize(message);
    this.res.writeHead(status, { ...this.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    this.res.end(body);
  }

  end(): void {
    if (this.done) return;
    this.done = true;
    if (this.writer) this.writer.end();
    else this.res.writeHead(202).end();
  }
}
