import { randomBytes } from 'node:crypto';
import type { SendOptions, Transport } from '../transport.js';
import { ErrorCode, errorResponse, isRequest, isResponse, type Message, type RequestId } from '../jsonrpc.js';
import { silentLogger, type Logger } from '../log.js';
import { LayerTransport, type Layer } from '../layer.js';
import { CAPABILITY_FOR_SERVER_REQUEST, ENVELOPE_KEYS, META, MODERN_CLIENT_METHODS, MODERN_PROTOCOL_VERSION } from '../protocol.js';

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

/**
 * One client call in flight upstream. It outlives the request that started it when the server asks for input:
 * the answer then goes to whichever request resumed it (`current`), under that request's id.
 */
interface Call {
  /** The connection the call travels on, and the id it has there. */
  connection: Transport;
  upstreamId: RequestId;
  method: string;
  capabilities: Record<string, unknown>;
  current: ModernRequestLayer;
  parked?: { state: string; asks: Map<string, RequestId>; timer: NodeJS.Timeout };
}

export interface ModernFrontOptions {
  logger?: Logger;
  /** How long a call waits for the client's retry with input (default 10 min). */
  parkTimeoutMs?: number;
}

/**
 * Era translation, 2026-07-28 client ← 2025-era server. Each 2026 request is a transport of its own; `layer()`
 * wraps the connection that request is piped to (a lane of the shared server). The front holds what outlives one
 * request: the server's initialize result (for `server/discover`) and the calls parked on `input_required`.
 */
export class ModernFront {
  /** @internal calls waiting for the client's retry, by requestState. */
  readonly parked = new Map<string, Call>();
  readonly log: Logger;
  readonly parkTimeoutMs: number;

  constructor(
    readonly initializeResult: () => Record<string, unknown> | undefined,
    options: ModernFrontOptions = {},
  ) {
    this.log = options.logger ?? silentLogger;
    this.parkTimeoutMs = options.parkTimeoutMs ?? 10 * 60_000;
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

  close(): void {
    for (const call of this.parked.values()) {
      clearTimeout(call.parked!.timer);
      void call.connection.close();
    }
    this.parked.clear();
  }
}

/** The translation of one 2026-07-28 request. */
class ModernRequestLayer extends LayerTransport {
  private requestId?: RequestId;
  private method = '';
  private wantsLogs = false;
  private listen?: ListenFilter;
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
    switch (m.method) {
      case 'server/discover':
        return this.answer({ jsonrpc: '2.0', id: m.id, result: this.front.discoverResult() } as Message);
      case 'subscriptions/listen':
        return this.openListen(m, params);
    }
    if (!MODERN_CLIENT_METHODS.has(m.method)) {
      return this.answer(errorResponse(m.id, ErrorCode.MethodNotFound, `Method not found: ${m.method}`));
    }
    const state = params.requestState;
    if (typeof state === 'string' && this.front.parked.has(state)) return this.resume(state, params);
    const meta = { ...((params._meta as Record<string, unknown>) ?? {}) };
    this.wantsLogs = typeof meta[META.logLevel] === 'string';
    const capabilities = (meta[META.clientCapabilities] as Record<string, unknown> | undefined) ?? {};
    // A 2025-era server knows nothing of the envelope or of the input_required fields.
    for (const k of ENVELOPE_KEYS) delete meta[k];
    const { inputResponses: _ir, requestState: _rs, _meta: _m, ...rest } = params;
    this.call = { connection: this.next, upstreamId: m.id, method: m.method, capabilities, current: this };
    const out = { jsonrpc: '2.0', id: m.id, method: m.method, params: Object.keys(meta).length ? { ...rest, _meta: meta } : rest };
    return this.next.send(out as Message, options);
  }

  protected override toClient(message: Parameters<NonNullable<Transport['onmessage']>>[0]): void {
    const m = message as Message;
    const call = this.call;
    // Once another request resumed our call, what the server says about it is that request's business.
    if (call && call.connection === this.next && call.current !== this) call.current.fromCall(m);
    else this.fromCall(m);
  }

  /** @internal a message from the server about this request's call (or this request itself). */
  fromCall(m: Message): void {
    if (isResponse(m)) {
      if (this.call) this.call.parked = undefined;
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
    this.emit(m);
  }

  private emit(m: Message): void {
    this.onmessage?.(m);
  }

  private answer(m: Message): void {
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

  /** The server wants something from the client mid-call: end this request with input_required and wait for the retry. */
  private askClient(m: Message & { id: RequestId; method: string }): void {
    const call = this.call;
    const refuse = (why: string, code: number = ErrorCode.InternalError) => void call?.connection.send(errorResponse(m.id, code, why)).catch(() => {});
    if (!call) return void this.next.send(errorResponse(m.id, ErrorCode.InternalError, 'no client request is waiting for this input')).catch(() => {});
    const needs = CAPABILITY_FOR_SERVER_REQUEST[m.method];
    if (needs && !(needs in call.capabilities)) {
      refuse(`the client did not declare the ${needs} capability`, ErrorCode.MethodNotFound);
      return;
    }
    const state = randomBytes(18).toString('base64url');
    const key = m.method.replace(/[^A-Za-z0-9]/g, '_');
    const timer = setTimeout(() => {
      if (!this.front.parked.delete(state)) return;
      refuse('the client did not retry with input in time');
      void call.connection.close();
    }, this.front.parkTimeoutMs);
    timer.unref();
    call.parked = { state, asks: new Map([[key, m.id]]), timer };
    this.front.parked.set(state, call);
    const { jsonrpc: _j, id: _i, ...embedded } = m;
    this.onmessage?.({
      jsonrpc: '2.0',
      id: this.requestId,
      result: { resultType: 'input_required', inputRequests: { [key]: embedded }, requestState: state },
    } as Message);
  }

  /** The client's retry with input: the parked call continues, answering to this request from now on. */
  private async resume(state: string, params: Record<string, unknown>): Promise<void> {
    const call = this.front.parked.get(state)!;
    this.front.parked.delete(state);
    const parked = call.parked!;
    clearTimeout(parked.timer);
    call.parked = undefined;
    call.current = this;
    this.call = call;
    this.method = call.method;
    const responses = (params.inputResponses ?? {}) as Record<string, unknown>;
    for (const [key, serverId] of parked.asks) {
      const answer = responses[key];
      const msg =
        answer === undefined
          ? errorResponse(serverId, ErrorCode.InvalidParams, `the client sent no input response for "${key}"`)
          : { jsonrpc: '2.0', id: serverId, result: answer };
      await call.connection.send(msg as Message);
    }
  }

  override async close(): Promise<void> {
    const call = this.call;
    // Our request ended with input_required: the call waits on its connection for the retry.
    if (call?.parked && call.connection === this.next) return;
    if (call && call.connection !== this.next && !call.parked) await call.connection.close();
    await this.next.close();
  }
}
