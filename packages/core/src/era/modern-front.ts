import { randomBytes } from 'node:crypto';
import type { SendOptions, Transport } from '../transport.js';
import { ErrorCode, errorResponse, isRequest, isResponse, type Message, type RequestId } from '../jsonrpc.js';
import { silentLogger, type Logger } from '../log.js';
import { LayerTransport, type Layer } from '../layer.js';
import { CAPABILITY_FOR_SERVER_REQUEST, ENVELOPE_KEYS, META, MODERN_CLIENT_METHODS, MODERN_PROTOCOL_VERSION, NAMED_METHODS } from '../protocol.js';
import { ConnectionPool, type ConnectionPoolOptions, type Lease, type PoolConnection } from './connection-pool.js';

type ListenFilter = { toolsListChanged?: boolean; promptsListChanged?: boolean; resourcesListChanged?: boolean };

const LIST_CHANGED: Record<string, keyof ListenFilter> = {
  'notifications/tools/list_changed': 'toolsListChanged',
  'notifications/prompts/list_changed': 'promptsListChanged',
  'notifications/resources/list_changed': 'resourcesListChanged',
};

/** Results a 2026-07-28 client may cache: they must say for how long and for whom. */
const CACHEABLE = new Set(['server/discover', 'tools/list', 'prompts/list', 'resources/list', 'resources/templates/list', 'resources/read']);

/**
 * 2026-07-28 results say whether they are final and, for cacheable ones, how to cache them; 2025-era servers
 * say neither. A 2025 server's lists can change at any time, so we allow no caching.
 */
function complete(m: Message, method: string): Message {
  const r = (m as { result?: unknown }).result;
  if (!r || typeof r !== 'object' || Array.isArray(r)) return m;
  const out: Record<string, unknown> = { ...(r as object) };
  if (!('resultType' in out)) out.resultType = 'complete';
  if (CACHEABLE.has(method)) {
    if (typeof out.ttlMs !== 'number') out.ttlMs = 0;
    if (out.cacheScope !== 'public' && out.cacheScope !== 'private') out.cacheScope = 'private';
  }
  return { ...m, result: out } as Message;
}

/** The 2026-07-28 methods whose result may be `input_required`. */
const INPUT_CAPABLE = new Set(['tools/call', 'prompts/get', 'resources/read']);

/** What a server→client request needs the client to have declared. */
const INPUT_CAPABILITIES = Object.values(CAPABILITY_FOR_SERVER_REQUEST);

/** One server→client request of a call, waiting for the client's input. */
interface Ask {
  serverId: RequestId;
  embedded: Record<string, unknown>;
  /** It went out in an input_required result: the client's next retry must answer it. */
  shown: boolean;
}

/**
 * One client call in flight upstream. It outlives the request that started it when the server asks for input:
 * the answer then goes to whichever request resumed it (`current`), under that request's id.
 */
interface Call {
  /** The transport the call travels on: the request's lane of the shared connection, or a connection of its own. */
  connection: Transport;
  /** Set when the call has a connection of its own (`connection` is the lease's transport), from `pool`. */
  lease?: Lease;
  pool?: ConnectionPool;
  method: string;
  /** The tool / prompt name or resource URI: a retry must name the same. */
  target?: string;
  /** Who started it (AuthInfo.clientId): only they may resume it. */
  caller?: string;
  capabilities: Record<string, unknown>;
  current: ModernRequestLayer;
  /** Input keys are the server's request ids, as strings: unique per connection, and a retry names them back. */
  asks: Map<string, Ask>;
  gather?: NodeJS.Timeout;
  parked?: { state: string; timer: NodeJS.Timeout };
  done?: boolean;
}

export interface ModernFrontOptions {
  logger?: Logger;
  /** How long a call waits for the client's retry with input (default 10 min). */
  parkTimeoutMs?: number;
  /**
   * Opens a new connection to the server, initialized declaring `clientCapabilities`. Given this, a call from a
   * client that declared sampling, elicitation or roots travels on a connection of its own (pooled per set of
   * those capabilities, so the server sees what this client declared), and the server's requests for input reach
   * the right client. Without it, every call shares the request's lane and server→client requests are refused.
   */
  connect?: (clientCapabilities: Record<string, unknown>) => PoolConnection;
  pool?: Omit<ConnectionPoolOptions, 'logger'>;
  /** How many requests the shared connection has in flight, from all its clients (a push there is only attributable when it is 1). */
  sharedBusy?: () => number;
  /** After a server→client request, how long to wait for more before answering input_required (default 20 ms): a server asks for several inputs at once. */
  gatherMs?: number;
}

/**
 * Era translation, 2026-07-28 client ← 2025-era server. Each 2026 request is a transport of its own; `layer()`
 * wraps the connection that request is piped to (a lane of the shared server). The front holds what outlives one
 * request: the server's initialize result (for `server/discover`), the pool of connections for calls that may be
 * asked for input, and the calls parked on `input_required`.
 */
export class ModernFront {
  /** @internal calls waiting for the client's retry, by requestState. */
  readonly parked = new Map<string, Call>();
  readonly log: Logger;
  readonly parkTimeoutMs: number;
  readonly gatherMs: number;
  /** Pools of connections for input-capable calls, by the input capabilities their client declared. */
  private readonly pools = new Map<string, ConnectionPool>();

  constructor(
    readonly initializeResult: () => Record<string, unknown> | undefined,
    readonly options: ModernFrontOptions = {},
  ) {
    this.log = options.logger ?? silentLogger;
    this.parkTimeoutMs = options.parkTimeoutMs ?? 10 * 60_000;
    this.gatherMs = options.gatherMs ?? 20;
  }

  /**
   * The pool for calls from clients that declared these capabilities, or undefined when the client declared none
   * of sampling, elicitation and roots (it can't be asked for input) or there is no way to open connections.
   */
  poolFor(declared: Record<string, unknown>): ConnectionPool | undefined {
    const connect = this.options.connect;
    const input = INPUT_CAPABILITIES.filter((c) => c in declared).sort();
    if (!connect || input.length === 0) return undefined;
    const capabilities = Object.fromEntries(input.map((c) => [c, declared[c] ?? {}]));
    const key = JSON.stringify(capabilities);
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new ConnectionPool(() => connect(capabilities), { ...this.options.pool, logger: this.log });
      this.pools.set(key, pool);
    }
    return pool;
  }

  layer(): Layer {
    return (next) => new ModernRequestLayer(this, next);
  }

  discoverResult(): Record<string, unknown> {
    const init = this.initializeResult() ?? {};
    const result: Record<string, unknown> = { supportedVersions: [MODERN_PROTOCOL_VERSION], capabilities: init.capabilities ?? {} };
    if (init.serverInfo) result._meta = { [META.serverInfo]: init.serverInfo };
    if (init.instructions) result.instructions = init.instructions;
    return result;
  }

  /**
   * Abandons the call that has waited longest for its client's retry: when every pooled connection is taken, a
   * client that may never come back must not stall the ones that are here now.
   */
  evictOldestParked(pool: ConnectionPool): boolean {
    let call: Call | undefined;
    for (const c of this.parked.values()) {
      if (c.pool !== pool) continue;
      call = c;
      break;
    }
    if (!call) return false;
    this.log.info({ method: call.method }, 'every connection for input-capable calls is in use: abandoning the call that waited longest for its retry');
    call.current.abandon(call);
    return true;
  }

  close(): void {
    for (const call of this.parked.values()) {
      clearTimeout(call.parked!.timer);
      if (call.lease) call.lease.release(false);
      else void call.connection.close();
    }
    this.parked.clear();
    for (const pool of this.pools.values()) pool.close();
  }
}

const refusal = (id: RequestId, code: number, message: string) => errorResponse(id, code, message);

/** The translation of one 2026-07-28 request. */
class ModernRequestLayer extends LayerTransport {
  private requestId?: RequestId;
  private method = '';
  private wantsLogs = false;
  private listen?: ListenFilter;
  private answered = false;
  private closed = false;
  /** The call this request started or resumed. */
  private call?: Call;

  constructor(
    private readonly front: ModernFront,
    next: Transport,
  ) {
    super(next);
  }

  protected override async toServer(message: Parameters<Transport['send']>[0], options?: SendOptions): Promise<void> {
    const m = message as Message;
    if (!isRequest(m)) {
      // Cancellation is the stream closing on 2026-07-28; anything else has nowhere to go on a 2025 server.
      return;
    }
    this.requestId = m.id;
    this.method = m.method;
    const params = (m.params ?? {}) as Record<string, unknown>;
    const declared = ((params._meta as Record<string, unknown> | undefined)?.[META.clientCapabilities] ?? {}) as Record<string, unknown>;
    // A client that can be asked for input is here: have a connection ready for its first call that may be.
    this.front.poolFor(declared)?.warm();
    switch (m.method) {
      case 'server/discover':
        return this.answer({ jsonrpc: '2.0', id: m.id, result: this.front.discoverResult() } as Message);
      case 'subscriptions/listen':
        return this.openListen(m, params);
    }
    if (!MODERN_CLIENT_METHODS.has(m.method)) {
      return this.answer(errorResponse(m.id, ErrorCode.MethodNotFound, `Method not found: ${m.method}`));
    }
    const caller = options?.extra?.authInfo?.clientId;
    const state = params.requestState;
    if (typeof state === 'string') return this.resume(state, m.method, params, caller);
    const meta = { ...((params._meta as Record<string, unknown>) ?? {}) };
    this.wantsLogs = typeof meta[META.logLevel] === 'string';
    const capabilities = (meta[META.clientCapabilities] as Record<string, unknown> | undefined) ?? {};
    // A 2025-era server knows nothing of the envelope or of the input_required fields.
    for (const k of ENVELOPE_KEYS) delete meta[k];
    const { inputResponses: _ir, requestState: _rs, _meta: _m, ...rest } = params;
    const out = { jsonrpc: '2.0', id: m.id, method: m.method, params: Object.keys(meta).length ? { ...rest, _meta: meta } : rest } as Message;
    const call: Call = { connection: this.next, method: m.method, target: targetOf(m.method, params), caller, capabilities, current: this, asks: new Map() };
    this.call = call;
    const pool = INPUT_CAPABLE.has(m.method) ? this.front.poolFor(capabilities) : undefined;
    if (pool) {
      if (pool.exhausted) this.front.evictOldestParked(pool);
      const lease = await pool.acquire();
      if (this.closed) return lease.release(true);
      call.lease = lease;
      call.pool = pool;
      call.connection = lease.transport;
      lease.transport.onmessage = (msg) => call.current.fromCall(msg as Message);
      lease.transport.onclose = () => call.current.connectionLost(call);
      await lease.transport.start();
      return lease.transport.send(out, options);
    }
    return this.next.send(out, options);
  }

  protected override toClient(message: Parameters<NonNullable<Transport['onmessage']>>[0]): void {
    // What arrives on the request's own lane: its answer, or what the shared connection broadcasts.
    this.fromCall(message as Message);
  }

  /** @internal a message from the server about this request's call (or this request itself). */
  fromCall(m: Message): void {
    const call = this.call;
    if (isResponse(m)) {
      if (call) this.finish(call, true);
      this.answer({ ...m, id: this.requestId } as Message);
      return;
    }
    if (isRequest(m)) {
      this.askClient(m);
      return;
    }
    const method = (m as { method?: string }).method ?? '';
    const params = ((m as { params?: Record<string, unknown> }).params ?? {}) as Record<string, unknown>;
    const key = LIST_CHANGED[method];
    if (key) {
      if (this.listen?.[key]) this.emit({ ...m, params: { ...params, _meta: { ...((params._meta as object) ?? {}), [META.subscriptionId]: this.requestId } } } as Message);
      return;
    }
    if (method === 'notifications/message' && !this.wantsLogs) return;
    if (this.listen) return; // a listen stream carries list_changed only
    if (this.answered) return;
    this.emit(m);
  }

  /** @internal the call's own connection went away (the server exited). */
  connectionLost(call: Call): void {
    if (call.done) return;
    this.finish(call, false);
    this.answer(errorResponse(this.requestId!, ErrorCode.ConnectionClosed, 'the MCP server closed the connection while the call was in flight; retry the call'));
  }

  /** @internal the call is given up (its client did not come back): its connection is closed. */
  abandon(call: Call): void {
    this.finish(call, false);
  }

  /** The server is done with the call (or we are): stop every timer and give the connection back. */
  private finish(call: Call, reusable: boolean): void {
    if (call.done) return;
    call.done = true;
    clearTimeout(call.gather);
    if (call.parked) {
      clearTimeout(call.parked.timer);
      this.front.parked.delete(call.parked.state);
      call.parked = undefined;
    }
    // Questions the server still has open would be answered by nobody: the call is over for the client.
    for (const ask of call.asks.values()) void call.connection.send(refusal(ask.serverId, ErrorCode.InternalError, 'the call ended')).catch(() => {});
    call.asks.clear();
    call.lease?.release(reusable);
  }

  private emit(m: Message): void {
    this.onmessage?.(m);
  }

  private answer(m: Message): void {
    if (this.answered) return;
    this.answered = true;
    this.onmessage?.(complete(m, this.method));
  }

  private openListen(m: Message & { id: RequestId }, params: Record<string, unknown>): void {
    const asked = (params.notifications ?? {}) as ListenFilter;
    const caps = (this.front.initializeResult()?.capabilities ?? {}) as Record<string, { listChanged?: boolean }>;
    const filter: ListenFilter = {};
    if (asked.toolsListChanged && caps.tools?.listChanged) filter.toolsListChanged = true;
    if (asked.promptsListChanged && caps.prompts?.listChanged) filter.promptsListChanged = true;
    if (asked.resourcesListChanged && caps.resources?.listChanged) filter.resourcesListChanged = true;
    this.listen = filter;
    this.emit({
      jsonrpc: '2.0',
      method: 'notifications/subscriptions/acknowledged',
      params: { _meta: { [META.subscriptionId]: m.id }, notifications: filter },
    } as Message);
  }

  /**
   * The server wants something from the client mid-call. On a connection of the call's own, it is this call's:
   * gather what else the server asks at the same moment, then end this request with input_required and wait for
   * the retry. On the shared connection it may be anyone's, and none of those clients can answer.
   */
  private askClient(m: Message & { id: RequestId; method: string; params?: Record<string, unknown> }): void {
    const call = this.call;
    const connection = call?.connection ?? this.next;
    const needs = CAPABILITY_FOR_SERVER_REQUEST[m.method];
    if (!call || call.done || !needs) {
      void connection.send(refusal(m.id, ErrorCode.MethodNotFound, `no client can answer ${m.method} here`)).catch(() => {});
      return;
    }
    const missing = `the client did not declare the ${needs} capability, which ${m.method} needs`;
    if (!(needs in call.capabilities) && m.method === 'roots/list') {
      // 2025 servers ask for roots on their own (right after initialize, say), not only for a call: refusing
      // the server is enough, the call goes on.
      void connection.send(refusal(m.id, ErrorCode.MissingRequiredClientCapability, missing)).catch(() => {});
      return;
    }
    if (!call.lease) {
      // The shared connection: only when this is its one request in flight is the question surely ours.
      const ours = this.front.options.sharedBusy?.() === 1;
      void connection.send(refusal(m.id, ErrorCode.MissingRequiredClientCapability, ours || !(needs in call.capabilities) ? missing : 'this call cannot be asked for input')).catch(() => {});
      if (ours && !(needs in call.capabilities)) this.refuseMissing(call, needs, missing);
      return;
    }
    if (!(needs in call.capabilities)) {
      void connection.send(refusal(m.id, ErrorCode.MissingRequiredClientCapability, missing)).catch(() => {});
      this.refuseMissing(call, needs, missing);
      return;
    }
    const { jsonrpc: _j, id: _i, ...embedded } = m;
    // The SDK stamps its own progressToken on the request it pushes: meaningless to a 2026 client.
    const meta = embedded.params?._meta as Record<string, unknown> | undefined;
    if (meta && 'progressToken' in meta) {
      const { progressToken: _p, ...restMeta } = meta;
      embedded.params = { ...embedded.params, _meta: restMeta };
      if (!Object.keys(restMeta).length) delete (embedded.params as Record<string, unknown>)._meta;
    }
    call.asks.set(String(m.id), { serverId: m.id, embedded, shown: false });
    // A parked call has no request to end yet: the retry shows what arrived meanwhile.
    if (call.parked || call.gather) return;
    call.gather = setTimeout(() => call.current.askNow(call), this.front.gatherMs);
    call.gather.unref?.();
  }

  /** MissingRequiredClientCapability ends the call for the client; its connection cannot be trusted for reuse. */
  private refuseMissing(call: Call, needs: string, message: string): void {
    this.finish(call, false);
    this.answer({ jsonrpc: '2.0', id: this.requestId!, error: { code: ErrorCode.MissingRequiredClientCapability, message, data: { requiredCapabilities: { [needs]: {} } } } } as Message);
  }

  /** @internal end this request with input_required for every question not yet shown, and park the call. */
  askNow(call: Call): void {
    call.gather = undefined;
    if (call.done || this.answered || this.closed) return;
    const inputRequests: Record<string, unknown> = {};
    for (const [key, ask] of call.asks) {
      if (ask.shown) continue;
      ask.shown = true;
      inputRequests[key] = ask.embedded;
    }
    const state = randomBytes(18).toString('base64url');
    const timer = setTimeout(() => {
      if (this.front.parked.get(state) !== call) return;
      this.front.log.info({ method: call.method }, 'a call waited for the client to retry with input for too long; abandoning it');
      this.finish(call, false);
    }, this.front.parkTimeoutMs);
    timer.unref();
    call.parked = { state, timer };
    this.front.parked.set(state, call);
    this.answer({ jsonrpc: '2.0', id: this.requestId!, result: { resultType: 'input_required', inputRequests, requestState: state } } as Message);
  }

  /** The client's retry with input: the parked call continues, answering to this request from now on. */
  private async resume(state: string, method: string, params: Record<string, unknown>, caller: string | undefined): Promise<void> {
    const call = this.front.parked.get(state);
    // requestState is ours alone (the 2025 server never sees one): anything we did not hand out, or handed to
    // another caller or call, is refused as the SDK refuses a state that fails verification.
    if (!call || call.caller !== caller || call.method !== method || call.target !== targetOf(method, params)) {
      this.answer(errorResponse(this.requestId!, ErrorCode.InvalidParams, 'Invalid or expired requestState: it does not belong to a call waiting for input (retry without requestState to start the call again)'));
      return;
    }
    this.front.parked.delete(state);
    clearTimeout(call.parked!.timer);
    call.parked = undefined;
    call.current = this;
    this.call = call;
    const responses = (params.inputResponses ?? {}) as Record<string, unknown>;
    for (const [key, ask] of [...call.asks]) {
      if (!ask.shown) continue;
      call.asks.delete(key);
      const answer = responses[key];
      const msg = answer === undefined ? refusal(ask.serverId, ErrorCode.InvalidParams, `the client sent no input response for "${key}"`) : { jsonrpc: '2.0', id: ask.serverId, result: answer };
      await call.connection.send(msg as Message);
    }
    // Questions that arrived while the call was parked: this retry gets them.
    if (call.asks.size && !call.gather) this.askNow(call);
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const call = this.call;
    // Our request ended with input_required: the call waits on its connection for the retry.
    if (call && !call.done && call.current === this && !call.parked) {
      // The client went away mid-call (a cancellation): the server may still be working on it and ask for input,
      // so its connection is not reused.
      this.finish(call, false);
    }
    await this.next.close();
  }
}

/** The name a retry must repeat: the tool or prompt name, or the resource URI. */
function targetOf(method: string, params: Record<string, unknown>): string | undefined {
  const field = NAMED_METHODS[method];
  const v = field ? params[field] : undefined;
  return typeof v === 'string' ? v : undefined;
}
