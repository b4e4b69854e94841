import type { SendOptions, Transport } from '../transport.js';
import type { UpstreamTransport } from '../upstream/upstream.js';
import {
  ErrorCode,
  errorResponse,
  isNotification,
  isRequest,
  isResponse,
  progressTokenOf,
  withRewrittenId,
  type Message,
  type RequestId,
} from '../jsonrpc.js';
import { InitTimeoutError, SwitchboardError, TransportClosedError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { Requester } from '../requester.js';
import { LATEST_SESSION_PROTOCOL_VERSION, META, MODERN_PROTOCOL_VERSION, isSessionProtocolVersion } from '../protocol.js';

export const BRIDGE_CLIENT_INFO = { name: 'switchboard', version: '0.1.0' };
const SUBSCRIPTION_ID = META.subscriptionId;

/** How the shared server is opened: a 2025-era initialize, or a 2026-07-28 server/discover. */
export type Handshake = 'initialize' | 'discover';

/** What the bridge declares when it initializes a shared server for its clients. */
const BRIDGE_CAPABILITIES = {
  sampling: {},
  elicitation: { form: {}, url: {} },
  roots: { listChanged: true },
};

interface Outgoing {
  lane: Lane;
  id: RequestId;
  method: string;
}

/**
 * One connection to a server shared by many clients. Each client gets a Lane (a transport of its own);
 * request ids, progress tokens and subscription ids are rewritten so clients never see each other's traffic,
 * and every message from the server goes to the one lane it belongs to.
 */
export class Multiplexer {
  initializeResult?: Record<string, unknown>;
  discoverResult?: Record<string, unknown>;
  private readonly lanes = new Set<Lane>();
  private readonly outgoing = new Map<RequestId, Outgoing>();
  private readonly progress = new Map<string, { lane: Lane; token: string | number }>();
  private readonly serverRequests = new Map<RequestId, Lane>();
  private readonly subscriptions = new Map<string, Set<Lane>>();
  /** 2026 subscriptions/listen streams: our upstream id → the lane and the id it used. */
  private readonly listens = new Map<RequestId, { lane: Lane; id: RequestId }>();
  private seq = 0;
  private laneSeq = 0;
  private readonly log: Logger;
  private ready?: Promise<void>;
  private closed = false;
  onclose?: () => void;

  private readonly initTimeoutMs: number;
  private readonly handshake: Handshake;
  /** What initialize declares (default: everything the bridge can relay). */
  private readonly clientCapabilities: Record<string, unknown>;
  private readonly name: string;

  constructor(
    private readonly upstream: UpstreamTransport,
    options: { logger?: Logger; initTimeoutMs?: number; name?: string; handshake?: Handshake; clientCapabilities?: Record<string, unknown> } = {},
  ) {
    this.handshake = options.handshake ?? 'initialize';
    this.clientCapabilities = options.clientCapabilities ?? BRIDGE_CAPABILITIES;
    this.log = options.logger ?? silentLogger;
    this.initTimeoutMs = options.initTimeoutMs ?? 60_000;
    this.name = options.name ?? 'MCP server';
  }

  start(): Promise<void> {
    this.ready ??= this.init();
    return this.ready;
  }

  private async init() {
    this.upstream.onmessage = (m) => this.fromUpstream(m as Message);
    this.upstream.onclose = () => {
      this.closed = true;
      for (const lane of [...this.lanes]) void lane.close();
      this.onclose?.();
    };
    await this.upstream.start();
    const modern = this.handshake === 'discover';
    const method = modern ? 'server/discover' : 'initialize';
    const params = modern
      ? {
          _meta: {
            [META.protocolVersion]: MODERN_PROTOCOL_VERSION,
            [META.clientInfo]: BRIDGE_CLIENT_INFO,
            [META.clientCapabilities]: {},
          },
        }
      : { protocolVersion: LATEST_SESSION_PROTOCOL_VERSION, capabilities: this.clientCapabilities, clientInfo: BRIDGE_CLIENT_INFO };
    // Not awaited alone: a server that dies at once fails the handshake through its answer (or the timeout).
    const answer = this.handshakes.request(
      (m) =>
        this.upstream.send(m).catch((err: Error) => {
          // A broken pipe usually means the process is exiting: its exit names the cause better, so wait for it.
          setTimeout(() => {
            this.handshakes.failAll(
              new SwitchboardError('SB_CHILD_EXITED', `${this.name} stopped reading its input before answering ${method} (${err.message}): see its stderr above, and check the command and its arguments`),
            );
          }, 500).unref();
        }),
      method,
      params,
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new InitTimeoutError(this.name, method, this.initTimeoutMs)),
        this.initTimeoutMs,
      );
      timer.unref();
    });
    const res = await Promise.race([answer, timeout]).finally(() => clearTimeout(timer));
    if ('error' in res) {
      const err = res.error as { message?: string; data?: { reason?: string } };
      if (err.data?.reason === 'server-exited') {
        throw new SwitchboardError('SB_CHILD_EXITED', `${this.name} exited before answering initialize: see its stderr above, and check the command and its arguments`);
      }
      throw new SwitchboardError('SB_INIT_REFUSED', `${this.name} refused ${modern ? 'server/discover (is it really a 2026-07-28 server?)' : 'initialize'}: ${err.message ?? JSON.stringify(err)}`);
    }
    if (modern) {
      this.discoverResult = res.result as Record<string, unknown>;
      return;
    }
    this.initializeResult = res.result as Record<string, unknown>;
    await this.upstream.send({ jsonrpc: '2.0', method: 'notifications/initialized' } as Message);
  }

  private readonly handshakes = new Requester('sb-init');

  /** The server answered its handshake and is still connected. */
  get isReady(): boolean {
    return !this.closed && !!(this.initializeResult ?? this.discoverResult);
  }

  /**
   * A new lane. `internal`: the caller's own requests (a gateway's catalog fetches and health probes) — such a lane
   * has no client behind it, so it is never chosen for a server→client request or log, even while its call is newest.
   */
  lane(options: { internal?: boolean } = {}): Lane {
    const lane = new Lane(this, ++this.laneSeq, options.internal ?? false);
    this.lanes.add(lane);
    return lane;
  }

  get laneCount(): number {
    return this.lanes.size;
  }

  /** Lanes with a request in flight: a server→client request is surely a lane's own only when this is 1. */
  get busyLanes(): number {
    let n = 0;
    for (const lane of this.lanes) if (lane.pending.size) n++;
    return n;
  }

  /** @internal a lane's client sent a message toward the server. */
  async fromLane(lane: Lane, m: Message, options?: SendOptions): Promise<void> {
    if (this.closed) throw new TransportClosedError('shared MCP server');
    if (!this.isReady) await this.start();
    if (isRequest(m)) {
      if (m.method === 'initialize') return lane.deliver(this.initializeAnswer(m));
      if (lane.pending.has(m.id)) {
        // The first call with this id keeps its route; the duplicate never reaches the server.
        return lane.deliver(errorResponse(m.id, ErrorCode.InvalidRequest, 'Invalid Request: this id is already used by a request still in flight; use a new id'));
      }
      const upId = ++this.seq;
      this.outgoing.set(upId, { lane, id: m.id, method: m.method });
      lane.pending.set(m.id, upId);
      lane.lastActive = this.seq;
      if (m.method === 'subscriptions/listen') this.listens.set(upId, { lane, id: m.id });
      let params = m.params;
      const token = progressTokenOf(m);
      if (token !== undefined) {
        const upToken = `sb${upId}`;
        this.progress.set(upToken, { lane, token });
        params = { ...params, _meta: { ...(params!._meta as object), progressToken: upToken } };
      }
      if (m.method === 'resources/subscribe' || m.method === 'resources/unsubscribe') {
        const uri = String((m.params as { uri?: unknown })?.uri);
        const subs = this.subscriptions.get(uri) ?? new Set<Lane>();
        if (m.method === 'resources/subscribe') subs.add(lane);
        else {
          subs.delete(lane);
          if (subs.size) {
            this.outgoing.delete(upId);
            lane.pending.delete(m.id);
            return lane.deliver({ jsonrpc: '2.0', id: m.id, result: {} } as Message);
          }
        }
        if (subs.size) this.subscriptions.set(uri, subs);
        else this.subscriptions.delete(uri);
      }
      try {
        await this.upstream.send({ ...m, id: upId, params } as Message, options);
      } catch (err) {
        this.outgoing.delete(upId);
        lane.pending.delete(m.id);
        throw err;
      }
      return;
    }
    if (isNotification(m)) {
      if (m.method === 'notifications/initialized') return;
      if (m.method === 'notifications/cancelled') {
        const upId = lane.pending.get((m.params as { requestId?: RequestId })?.requestId as RequestId);
        if (upId === undefined) return;
        return this.upstream.send({ ...m, params: { ...m.params, requestId: upId } } as Message, options);
      }
      return this.upstream.send(m, options);
    }
    if (isResponse(m)) {
      // An answer to a server→client request: only the lane it was routed to may answer it.
      if (this.serverRequests.get(m.id) !== lane) return;
      this.serverRequests.delete(m.id);
      return this.upstream.send(m, options);
    }
  }

  private initializeAnswer(m: Message & { id: RequestId }): Message {
    const asked = (m.params as { protocolVersion?: string } | undefined)?.protocolVersion;
    const result = { ...this.initializeResult };
    if (isSessionProtocolVersion(asked)) result.protocolVersion = asked;
    return { jsonrpc: '2.0', id: m.id, result } as Message;
  }

  private fromUpstream(m: Message) {
    if (isResponse(m)) {
      if (this.handshakes.settle(m)) return;
      const out = this.outgoing.get(m.id);
      if (!out) return;
      this.outgoing.delete(m.id);
      this.listens.delete(m.id);
      out.lane.pending.delete(out.id);
      this.progress.delete(`sb${String(m.id)}`);
      return out.lane.deliver(withRewrittenId(m, { ...m, id: out.id } as Message, m.id, out.id));
    }
    if (isRequest(m)) {
      const lane = this.laneForServerRequest();
      if (!lane) {
        void this.upstream.send(errorResponse(m.id, ErrorCode.InternalError, 'no client is connected to answer this request')).catch(() => {});
        return;
      }
      this.serverRequests.set(m.id, lane);
      return lane.deliver(m);
    }
    const method = (m as { method?: string }).method ?? '';
    const params = (m as { params?: Record<string, unknown> }).params;
    const meta = params?._meta as Record<string, unknown> | undefined;
    if (meta && meta[SUBSCRIPTION_ID] !== undefined) {
      // A 2026 listen stream's notification names our id for it: hand it to the lane with the lane's id.
      const sub = this.listens.get(meta[SUBSCRIPTION_ID] as RequestId);
      if (sub) sub.lane.deliver({ ...m, params: { ...params, _meta: { ...meta, [SUBSCRIPTION_ID]: sub.id } } } as Message);
      return;
    }
    if (method === 'notifications/progress') {
      const p = this.progress.get(String(params?.progressToken));
      if (p) p.lane.deliver({ ...m, params: { ...params, progressToken: p.token } } as Message);
      return;
    }
    if (method === 'notifications/cancelled') {
      const lane = this.serverRequests.get(params?.requestId as RequestId);
      if (lane) lane.deliver(m);
      return;
    }
    if (method === 'notifications/resources/updated') {
      for (const lane of this.subscriptions.get(String(params?.uri)) ?? []) lane.deliver(m);
      return;
    }
    if (method.endsWith('/list_changed')) {
      // Shared state changed for everyone: each client must refresh its own view.
      for (const lane of this.lanes) lane.deliver(m);
      return;
    }
    const lane = this.laneForServerRequest();
    if (lane) lane.deliver(m);
    else this.log.debug({ method }, 'server notification with no client to route it to; dropped');
  }

  /** A server→client request or log from a shared server names no client: give it to the one whose call is newest. */
  private laneForServerRequest(): Lane | undefined {
    let best: Lane | undefined;
    for (const lane of this.lanes) if (!lane.internal && lane.pending.size && (!best || lane.lastActive > best.lastActive)) best = lane;
    return best;
  }

  /** @internal */
  detach(lane: Lane) {
    this.lanes.delete(lane);
    for (const [uri, subs] of this.subscriptions) {
      if (subs.delete(lane) && !subs.size) {
        this.subscriptions.delete(uri);
        void this.upstream.send({ jsonrpc: '2.0', id: ++this.seq, method: 'resources/unsubscribe', params: { uri } } as Message).catch(() => {});
      }
    }
    for (const [id, l] of this.serverRequests) if (l === lane) this.serverRequests.delete(id);
    for (const [id, sub] of this.listens) if (sub.lane === lane) this.listens.delete(id);
    for (const upId of lane.pending.values()) {
      this.outgoing.delete(upId);
      if (!this.closed) {
        void this.upstream
          .send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: upId, reason: 'client session closed' } } as Message)
          .catch(() => {});
      }
    }
    lane.pending.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.upstream.close();
  }
}

/** One client's view of a shared connection. */
export class Lane implements UpstreamTransport {
  onmessage?: Transport['onmessage'];
  onerror?: (error: Error) => void;
  onclose?: () => void;
  /** The client's request ids in flight → the ids they travel under upstream. */
  readonly pending = new Map<RequestId, number>();
  lastActive = 0;
  private closed = false;

  constructor(
    private readonly owner: Multiplexer,
    readonly id: number,
    readonly internal = false,
  ) {}

  async start(): Promise<void> {
    await this.owner.start();
  }

  get alive(): boolean {
    return !this.closed && this.owner.isReady;
  }

  get inflight(): number {
    return this.pending.size;
  }

  send(message: Parameters<Transport['send']>[0], options?: SendOptions): Promise<void> {
    if (this.closed) return Promise.reject(new TransportClosedError('lane'));
    return this.owner.fromLane(this, message as Message, options);
  }

  deliver(m: Message): void {
    if (!this.closed) this.onmessage?.(m);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.owner.detach(this);
    this.onclose?.();
  }
}
