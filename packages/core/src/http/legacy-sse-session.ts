import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { MessageExtraInfo, Transport } from '../transport.js';
import { clientText, isRequest, isResponse, type Message, type RequestId } from '../jsonrpc.js';
import { TransportClosedError } from '../errors.js';
import { SseWriter } from './sse.js';
import { duplicateIdError } from './ids.js';

/**
 * One legacy HTTP+SSE (2024-11-05) session as a transport: the client holds a GET stream that carries
 * every server message, and POSTs its own messages to the endpoint announced in the first event.
 */
export class LegacySseSession implements Transport {
  readonly sessionId: string;
  onmessage?: Transport['onmessage'];
  onerror?: (error: Error) => void;
  onclose?: () => void;
  lastActivity = Date.now();
  /** The caller that opened the session (its authenticated id): only it may post to the session. */
  owner?: string;
  /** The client completed the MCP handshake (sent notifications/initialized). */
  initialized = false;
  private readonly pending = new Set<RequestId>();
  private readonly writer: SseWriter;
  private closed = false;

  constructor(res: ServerResponse, endpointUrl: (sessionId: string) => string, keepaliveMs: number, idPrefix = '') {
    this.sessionId = idPrefix + randomUUID();
    this.writer = new SseWriter(res, keepaliveMs, {}, true);
    this.writer.onclose = () => void this.close();
    this.writer.event(endpointUrl(this.sessionId), undefined, 'endpoint');
  }

  async start(): Promise<void> {}

  receive(messages: Message[], extra?: MessageExtraInfo): void {
    this.lastActivity = Date.now();
    const accepted: Message[] = [];
    for (const m of messages) {
      if (isRequest(m)) {
        // The answer goes on the one shared stream: a second request under an id still in flight could not be told apart.
        if (this.pending.has(m.id)) {
          this.writer.event(clientText(duplicateIdError(m.id)));
          continue;
        }
        this.pending.add(m.id);
      } else if ((m as { method?: string }).method === 'notifications/initialized') this.initialized = true;
      accepted.push(m);
    }
    for (const m of accepted) this.onmessage?.(m, extra);
  }

  /** Requests of the client not answered yet. */
  get waiting(): number {
    return this.pending.size;
  }

  async send(message: Parameters<Transport['send']>[0]): Promise<void> {
    if (this.closed) throw new TransportClosedError('SSE client session');
    if (isResponse(message)) this.pending.delete(message.id);
    this.writer.event(clientText(message));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.writer.end();
    this.onclose?.();
  }
}
