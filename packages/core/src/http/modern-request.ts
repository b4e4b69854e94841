import type { ServerResponse } from 'node:http';
import type { MessageExtraInfo, Transport } from '../transport.js';
import { ErrorCode, clientText, isResponse, type Message, type RequestId } from '../jsonrpc.js';
import { TransportClosedError } from '../errors.js';
import { SseWriter } from './sse.js';

/**
 * Errors that the 2026-07-28 HTTP binding answers with an HTTP status besides the JSON-RPC error: the method does
 * not exist (404), the request was malformed for the protocol (400). Everything else is in-band on 200.
 */
const STATUS_FOR_CODE: Record<number, number> = {
  [ErrorCode.MethodNotFound]: 404,
  [ErrorCode.InvalidRequest]: 400,
  [ErrorCode.HeaderMismatch]: 400,
  [ErrorCode.UnsupportedProtocolVersion]: 400,
  [ErrorCode.MissingRequiredClientCapability]: 400,
};

/**
 * One 2026-07-28 request as a transport of its own: start() hands the request over (with the caller's identity),
 * the answer ends it. It goes out as plain JSON unless something (progress, logs) must be sent first; then the
 * response becomes an SSE stream. A client closing the response before the answer is, under 2026-07-28, a
 * cancellation: the transport closes, and whatever is piped to it sees the close.
 */
export class ModernRequestTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onerror?: (error: Error) => void;
  onclose?: () => void;
  private writer?: SseWriter;
  private done = false;
  private closed = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly request: Message & { id: RequestId; method: string },
    private readonly extra: MessageExtraInfo | undefined,
    private readonly keepaliveMs: number,
    /** Sees the result of the request (the face learns tool schemas from tools/list this way). */
    private readonly onResult?: (result: unknown) => void,
  ) {
    res.on('close', () => void this.close());
  }

  get method(): string {
    return this.request.method;
  }

  /** Call once the transport is piped: the request crosses now. */
  async start(): Promise<void> {
    this.onmessage?.(this.request, this.extra);
  }

  /** Streams by nature (subscriptions/listen) open their response at once. */
  stream(): void {
    if (!this.writer && !this.done) this.writer = new SseWriter(this.res, this.keepaliveMs, {}, true);
  }

  async send(message: Parameters<Transport['send']>[0]): Promise<void> {
    if (this.closed) throw new TransportClosedError('2026-07-28 request');
    const m = message as Message;
    if (isResponse(m)) {
      if (m.id !== this.request.id) return;
      this.respond(m);
      return;
    }
    // Server→client requests do not exist on 2026-07-28 (a layer turns them into input_required first).
    if ('id' in m) return;
    // Headers wait for the end of the tick, so progress and the answer still leave in one write when they can.
    this.writer ??= new SseWriter(this.res, this.keepaliveMs);
    this.writer.event(clientText(m));
  }

  private respond(m: Message): void {
    if (this.done) return;
    this.done = true;
    if (this.onResult && 'result' in m) this.onResult(m.result);
    const body = clientText(m);
    if (this.writer) {
      this.writer.event(body);
      this.writer.end();
    } else {
      const code = (m as { error?: { code?: number } }).error?.code;
      const status = (code !== undefined && STATUS_FOR_CODE[code]) || 200;
      this.res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    }
    void this.close();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.done) {
      this.done = true;
      if (this.writer) this.writer.end();
      else if (!this.res.headersSent && !this.res.destroyed) this.res.writeHead(202).end();
    }
    this.onclose?.();
  }
}
