import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { MessageExtraInfo, Transport } from '../transport.js';
import { clientText, isRequest, isResponse, progressTokenOf, type Message, type RequestId } from '../jsonrpc.js';
import { TransportClosedError } from '../errors.js';
import { EventLog } from './event-store.js';
import { isSessionProtocolVersion } from '../protocol.js';
import { SseWriter } from './sse.js';
import { duplicateIdError } from './ids.js';

interface Stream {
  id: string;
  writer?: SseWriter;
  pending: Set<RequestId>;
  /** Events of this stream kept in the replay log. */
  stored: number;
}

export interface StreamableSessionOptions {
  keepaliveMs: number;
  replayMaxEvents: number;
  replayMaxBytes: number;
  /** Messages for the GET stream kept while none is open, delivered when one opens. */
  maxQueuedStandalone?: number;
  /** Starts every session id (a replica's name, so a proxy can route a session back to the replica that has it). */
  idPrefix?: string;
}

const GET_STREAM = 'g';

/**
 * How long a POST's answer may take and still leave in a single write with its headers. Most answers of a local
 * server come within a few milliseconds; past this, the headers and a priming event go out at once, so a slow call
 * is seen as a started stream (by clients, and by proxies that time out a silent upstream) rather than as a hang.
 */
export const FAST_ANSWER_MS = 50;

/** The first protocol whose clients accept an event with an id and empty data (the spec's priming event). */
const PRIMING_SINCE = '2025-11-25';

/**
 * One 2025-era Streamable HTTP session as a transport. Each POST that carries requests opens an SSE
 * stream that ends with the last response; everything else rides the GET stream. A dropped connection
 * is not a cancel: its stream keeps collecting events for a Last-Event-ID resume.
 */
export class StreamableSession implements Transport {
  readonly sessionId: string;
  onmessage?: Transport['onmessage'];
  onerror?: (error: Error) => void;
  onclose?: () => void;

  protocolVersion?: string;
  /** The caller that opened the session (its authenticated id): only it may use the session. */
  owner?: string;
  lastActivity = Date.now();
  /** The client completed the MCP handshake (sent notifications/initialized). */
  initialized = false;
  private readonly log: EventLog;
  private readonly streams = new Map<string, Stream>();
  private readonly byRequest = new Map<RequestId, Stream>();
  private readonly byProgress = new Map<string | number, RequestId>();
  private readonly queued: Message[] = [];
  private streamSeq = 0;
  private closed = false;

  constructor(private readonly options: StreamableSessionOptions) {
    this.sessionId = (options.idPrefix ?? '') + randomUUID();
    this.log = new EventLog(options.replayMaxEvents, options.replayMaxBytes);
    this.streams.set(GET_STREAM, { id: GET_STREAM, pending: new Set(), stored: 0 });
  }

  async start(): Promise<void> {}

  /** Requests of the client not answered yet. */
  get waiting(): number {
    return this.byRequest.size;
  }

  get openStreams(): number {
    let n = 0;
    for (const s of this.streams.values()) if (s.writer && !s.writer.closed) n++;
    return n;
  }

  /** Client → server messages of one POST. Requests get an SSE stream on `res`; the rest get 202. */
  handlePost(res: ServerResponse, messages: Message[], extra?: MessageExtraInfo): void {
    this.lastActivity = Date.now();
    if (!this.initialized) this.initialized = messages.some((m) => (m as { method?: string }).method === 'notifications/initialized');
    const requests = messages.filter(isRequest);
    // An id still in flight on this session cannot name a second request (see duplicateIdError).
    const duplicates = new Set<Message>();
    if (!requests.length) {
      res.writeHead(202).end();
    } else {
      const stream: Stream = { id: `p${++this.streamSeq}`, pending: new Set(), stored: 0 };
      this.streams.set(stream.id, stream);
      for (const r of requests) {
        if (this.byRequest.has(r.id)) {
          duplicates.add(r);
          continue;
        }
        stream.pending.add(r.id);
        this.byRequest.set(r.id, stream);
        const token = progressTokenOf(r);
        if (token !== undefined) this.byProgress.set(token, r.id);
      }
      const writer = this.attach(stream, res, false);
      writer.primeAfter(FAST_ANSWER_MS, () => this.primingFrame(stream));
      for (const r of duplicates) {
        this.write(stream, duplicateIdError(r.id as RequestId), stream.pending.size > 0);
      }
      if (!stream.pending.size) this.finish(stream);
    }
    for (const m of messages) if (!duplicates.has(m)) this.onmessage?.(m, extra);
  }

  /** The standalone GET stream, or a resume of any stream with Last-Event-ID. */
  handleGet(req: IncomingMessage, res: ServerResponse): void {
    this.lastActivity = Date.now();
    const lastEventId = req.headers['last-event-id'];
    if (typeof lastEventId === 'string' && lastEventId) {
      const replay = this.log.after(lastEventId);
      // A priming event's id names a stream with nothing stored yet: resume it with nothing to replay.
      const named = lastEventId.slice(0, Math.max(0, lastEventId.lastIndexOf('.')));
      const stream = replay ? this.streams.get(replay.streamId) : named !== GET_STREAM ? this.streams.get(named) : undefined;
      if (stream) {
        const writer = this.attach(stream, res, true);
        for (const e of replay?.events ?? []) writer.event(e.data, e.id);
        if (stream.id !== GET_STREAM && !stream.pending.size) this.finish(stream);
        return;
      }
    }
    const stream = this.streams.get(GET_STREAM)!;
    // A client reconnecting its GET stream replaces the old connection rather than getting 409:
    // a half-dead old socket must not lock the client out of its own session.
    stream.writer?.end();
    this.attach(stream, res, true);
    for (const m of this.queued.splice(0)) this.write(stream, m);
  }

  /**
   * What starts a slow POST stream: the priming event the spec recommends (an id to resume from, and empty data),
   * for clients of a protocol that knows it; older clients would try to parse the empty data, so they get a comment.
   */
  private primingFrame(stream: Stream): string {
    const v = this.protocolVersion;
    if (isSessionProtocolVersion(v) && v >= PRIMING_SINCE) return `id: ${this.log.nextId(stream.id)}\ndata: \n\n`;
    return ': stream open\n\n';
  }

  private attach(stream: Stream, res: ServerResponse, eager: boolean): SseWriter {
    const writer = new SseWriter(res, this.options.keepaliveMs, {}, eager);
    stream.writer = writer;
    writer.onclose = () => {
      if (stream.writer === writer) stream.writer = undefined;
      this.lastActivity = Date.now();
    };
    return writer;
  }

  async send(message: Parameters<Transport['send']>[0]): Promise<void> {
    if (this.closed) throw new TransportClosedError('client session');
    const m = message as Message;
    if (isResponse(m)) {
      const stream = this.byRequest.get(m.id);
      if (!stream) return; // the request was cancelled or the session reset: nobody waits for it
      this.byRequest.delete(m.id);
      stream.pending.delete(m.id);
      // The last answer of a connected stream ends it in the same write: nothing left to resume.
      const last = !stream.pending.size && !!stream.writer && !stream.writer.closed;
      this.write(stream, m, !last);
      if (!stream.pending.size) this.finish(stream);
      return;
    }
    const stream = this.route(m);
    if (stream) this.write(stream, m);
    else if (this.queued.length < (this.options.maxQueuedStandalone ?? 1000)) this.queued.push(m);
  }

  /** Where a server-initiated message goes: the stream of the request it belongs to, else the GET stream. */
  private route(m: Message): Stream | undefined {
    const method = (m as { method?: string }).method;
    if (method === 'notifications/progress') {
      const token = (m.params as { progressToken?: string | number } | undefined)?.progressToken;
      const rid = token !== undefined ? this.byProgress.get(token) : undefined;
      const s = rid !== undefined ? this.byRequest.get(rid) : undefined;
      if (s) return s;
    }
    const get = this.streams.get(GET_STREAM)!;
    const wantsRequestStream =
      isRequest(m) || method === 'notifications/message' || method === 'notifications/progress';
    if (wantsRequestStream) {
      const active = this.latestActiveStream();
      if (active) return active;
    }
    if (get.writer && !get.writer.closed) return get;
    return this.latestActiveStream();
  }

  private latestActiveStream(): Stream | undefined {
    let found: Stream | undefined;
    for (const s of this.streams.values()) if (s.id !== GET_STREAM && s.pending.size) found = s;
    return found;
  }

  private write(stream: Stream, m: Message, keep = true) {
    const data = clientText(m);
    let id: string;
    if (keep) {
      id = this.log.append(stream.id, data);
      stream.stored++;
    } else id = this.log.nextId(stream.id);
    stream.writer?.event(data, id);
  }

  private finish(stream: Stream) {
    if (this.byProgress.size) for (const [token, rid] of this.byProgress) if (!this.byRequest.has(rid)) this.byProgress.delete(token);
    if (stream.writer && !stream.writer.closed) {
      stream.writer.end();
      if (stream.stored) this.log.forget(stream.id);
      this.streams.delete(stream.id);
    }
    // A stream that finished while disconnected stays until it is resumed or the session ends.
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.writer?.end();
    this.streams.clear();
    this.byRequest.clear();
    this.onclose?.();
  }
}
