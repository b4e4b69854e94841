import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Transport } from '../transport.js';
import { ErrorCode, errorResponse, isRequest, isResponse, progressTokenOf, type Message, type RequestId } from '../jsonrpc.js';
import { silentLogger, type Logger } from '../log.js';
import { MODERN_PROTOCOL_VERSION } from '../http/face.js';
import type { ModernExchange } from '../http/modern-exchange.js';

const META = 'io.modelcontextprotocol/';
const SUBSCRIPTION_ID = `${META}subscriptionId`;
const SERVER_INFO = `${META}serverInfo`;
const ENVELOPE_KEYS = [`${META}protocolVersion`, `${META}clientInfo`, `${META}clientCapabilities`, `${META}logLevel`];

interface Call {
  method: string;
  /** The client's own progress token; upstream sees the call id instead, so tokens never collide. */
  token?: string | number;
  capabilities: Record<string, unknown>;
  exchange: ModernExchange;
  clientId: RequestId;
  wantsLogs: boolean;
}

interface Parked {
  callId: string;
  /** input key → the server's request id waiting for that answer */
  asks: Map<string, RequestId>;
  timer: NodeJS.Timeout;
}

interface Listener {
  exchange: ModernExchange;
  listenId: RequestId;
  filter: { toolsListChanged?: boolean; promptsListChanged?: boolean; resourcesListChanged?: boolean };
}

/** A server may only ask a client for what the client said it can do. */
const CAPABILITY_FOR: Record<string, string> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

const LIST_CHANGED: Record<string, keyof Listener['filter']> = {
  'notifications/tools/list_changed': 'toolsListChanged',
  'notifications/prompts/list_changed': 'promptsListChanged',
  'notifications/resources/list_changed': 'resourcesListChanged',
};

/** Results a 2026-07-28 client may cache: they must say for how long and for whom. */
const CACHEABLE = new Set(['server/discover', 'tools/list', 'prompts/list', 'resources/list', 'resources/templates/list', 'resources/read']);

/**
 * 2026-07-28 results say whether they are final and, for cacheable ones, how to cache them; 2025-era
 * servers say neither. A 2025 server's lists can change at any time, so we allow no caching.
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
 * Serves 2026-07-28 (stateless) requests from a 2025-era server reached through one transport:
 * `server/discover` is answered from the server's initialize result, each request's envelope is stripped
 * and its id made unique, list_changed goes out on `subscriptions/listen` streams, and a server→client
 * request (sampling, elicitation, roots) becomes an `input_required` result that resumes on the retry.
 */
export class ModernFront {
  private readonly calls = new Map<string, Call>();
  private readonly parked = new Map<string, Parked>();
  private readonly listeners = new Set<Listener>();
  private seq = 0;
  private readonly log: Logger;
  private readonly parkTimeoutMs: number;
  /** The server speaks 2026-07-28 itself: forward requests as they are, translating nothing. */
  private readonly passthrough: boolean;

  constructor(
    private readonly upstream: Transport,
    private readonly initializeResult: () => Record<string, unknown> | undefined,
    options: { logger?: Logger; parkTimeoutMs?: number; passthrough?: boolean } = {},
  ) {
    this.log = options.logger ?? silentLogger;
    this.passthrough = options.passthrough ?? false;
    this.parkTimeoutMs = options.parkTimeoutMs ?? 10 * 60_000;
    upstream.onmessage = (m) => this.fromUpstream(m as Message);
  }

  handle(request: Message & { id: RequestId; method: string }, exchange: ModernExchange, _headers?: IncomingMessage['headers']): void {
    const params = (request.params ?? {}) as Record<string, unknown>;
    if (!this.passthrough) {
      switch (request.method) {
        case 'server/discover':
          return exchange.respond(complete({ jsonrpc: '2.0', id: request.id, result: this.discoverResult() } as Message, request.method));
        case 'subscriptions/listen':
          return this.listen(request, exchange);
        case 'ping':
          return exchange.respond(complete({ jsonrpc: '2.0', id: request.id, result: {} } as Message, request.method));
      }
      const state = params.requestState;
      if (typeof state === 'string' && this.parked.has(state)) return this.resume(state, request, exchange);
    }
    const callId = `m${++this.seq}`;
    const meta = { ...((params._meta as Record<string, unknown>) ?? {}) };
    const wantsLogs = typeof meta[`${META}logLevel`] === 'string';
    const capabilities = (meta[`${META}clientCapabilities`] as Record<string, unknown> | undefined) ?? {};
    let rest: Record<string, unknown> = params;
    if (!this.passthrough) {
      // A 2025-era server knows nothing of the envelope or of MRTR fields.
      for (const k of ENVELOPE_KEYS) delete meta[k];
      const { inputResponses: _ir, requestState: _rs, ...others } = params;
      rest = others;
    }
    const token = progressTokenOf(request);
    if (token !== undefined) meta.progressToken = callId;
    const call: Call = { method: request.method, token, capabilities, exchange, clientId: request.id, wantsLogs };
    this.calls.set(callId, call);
    this.watchCancel(callId, call);
    const out = { jsonrpc: '2.0', id: callId, method: request.method, params: { ...rest, _meta: meta } };
    if (!Object.keys(meta).length) delete (out.params as Record<string, unknown>)._meta;
    this.upstream.send(out as Message).catch((err: Error) => {
      this.calls.delete(callId);
      exchange.respond(errorResponse(request.id, ErrorCode.InternalError, err.message));
    });
  }

  private watchCancel(callId: string, call: Call) {
    // 2026-07-28: closing the response stream is the cancellation — unless we closed it to ask for input.
    call.exchange.oncancel = () => {
      if (this.calls.get(callId) !== call) return;
      if ([...this.parked.values()].some((p) => p.callId === callId)) return;
      this.calls.delete(callId);
      void this.upstream
        .send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: callId, reason: 'client closed the request' } } as Message)
        .catch(() => {});
    };
  }

  private discoverResult(): Record<string, unknown> {
    const init = this.initializeResult() ?? {};
    const result: Record<string, unknown> = {
      supportedVersions: [MODERN_PROTOCOL_VERSION],
      capabilities: init.capabilities ?? {},
    };
    if (init.serverInfo) result._meta = { [SERVER_INFO]: init.serverInfo };
    if (init.instructions) result.instructions = init.instructions;
    return result;
  }

  private listen(request: Message & { id: RequestId }, exchange: ModernExchange) {
    const asked = ((request.params as { notifications?: Listener['filter'] })?.notifications ?? {}) as Listener['filter'];
    const caps = (this.initializeResult()?.capabilities ?? {}) as Record<string, { listChanged?: boolean }>;
    const filter: Listener['filter'] = {};
    if (asked.toolsListChanged && caps.tools?.listChanged) filter.toolsListChanged = true;
    if (asked.promptsListChanged && caps.prompts?.listChanged) filter.promptsListChanged = true;
    if (asked.resourcesListChanged && caps.resources?.listChanged) filter.resourcesListChanged = true;
    const listener: Listener = { exchange, listenId: request.id, filter };
    this.listeners.add(listener);
    exchange.oncancel = () => this.listeners.delete(listener);
    exchange.stream();
    exchange.notify({
      jsonrpc: '2.0',
      method: 'notifications/subscriptions/acknowledged',
      params: { _meta: { [SUBSCRIPTION_ID]: request.id }, notifications: filter },
    } as Message);
  }

  private resume(state: string, request: Message & { id: RequestId }, exchange: ModernExchange) {
    const parked = this.parked.get(state)!;
    this.parked.delete(state);
    clearTimeout(parked.timer);
    const call = this.calls.get(parked.callId);
    if (!call) return exchange.respond(errorResponse(request.id, ErrorCode.InvalidParams, 'Invalid or expired requestState'));
    const responses = ((request.params as { inputResponses?: Record<string, unknown> })?.inputResponses ?? {}) as Record<string, unknown>;
    call.exchange = exchange;
    call.clientId = request.id;
    this.watchCancel(parked.callId, call);
    for (const [key, serverId] of parked.asks) {
      const answer = responses[key];
      const msg =
        answer === undefined
          ? errorResponse(serverId, ErrorCode.InvalidParams, `the client sent no input response for "${key}"`)
          : { jsonrpc: '2.0', id: serverId, result: answer };
      void this.upstream.send(msg as Message).catch(() => {});
    }
  }

  private fromUpstream(m: Message) {
    if (isResponse(m)) {
      const callId = String(m.id);
      const call = this.calls.get(callId);
      if (!call) return;
      this.calls.delete(callId);
      const answer = { ...m, id: call.clientId } as Message;
      return call.exchange.respond(this.passthrough ? answer : complete(answer, call.method));
    }
    if (isRequest(m)) {
      if (!this.passthrough) return this.askClient(m);
      // 2026-07-28 servers ask through input_required results, never with requests of their own.
      void this.upstream.send(errorResponse(m.id, ErrorCode.MethodNotFound, 'server→client requests do not exist on 2026-07-28')).catch(() => {});
      return;
    }
    const method = (m as { method?: string }).method ?? '';
    const params = ((m as { params?: Record<string, unknown> }).params ?? {}) as Record<string, unknown>;
    const meta = params._meta as Record<string, unknown> | undefined;
    if (meta?.[SUBSCRIPTION_ID] !== undefined) {
      const call = this.calls.get(String(meta[SUBSCRIPTION_ID]));
      if (call) call.exchange.notify({ ...m, params: { ...params, _meta: { ...meta, [SUBSCRIPTION_ID]: call.clientId } } } as Message);
      return;
    }
    if (method === 'notifications/progress') {
      const call = this.calls.get(String(params.progressToken));
      if (call && call.token !== undefined) call.exchange.notify({ ...m, params: { ...params, progressToken: call.token } } as Message);
      return;
    }
    const key = LIST_CHANGED[method];
    if (key) {
      for (const l of this.listeners) {
        if (l.filter[key]) l.exchange.notify({ ...m, params: { ...params, _meta: { ...((params._meta as object) ?? {}), [SUBSCRIPTION_ID]: l.listenId } } } as Message);
      }
      return;
    }
    if (method === 'notifications/message') {
      const call = this.newestCall();
      if (call?.wantsLogs) call.exchange.notify(m);
      return;
    }
    this.log.debug({ method }, 'notification with no 2026 request to carry it; dropped');
  }

  /** The server wants something from the client mid-call: end this leg with input_required and wait for the retry. */
  private askClient(m: Message & { id: RequestId; method: string }) {
    const entry = this.newestCallEntry();
    if (!entry) {
      void this.upstream.send(errorResponse(m.id, ErrorCode.InternalError, 'no client request is waiting for this input')).catch(() => {});
      return;
    }
    const [callId, call] = entry;
    const needs = CAPABILITY_FOR[m.method];
    if (needs && !(needs in call.capabilities)) {
      void this.upstream.send(errorResponse(m.id, ErrorCode.MethodNotFound, `the client did not declare the ${needs} capability`)).catch(() => {});
      return;
    }
    const state = randomBytes(18).toString('base64url');
    const key = m.method.replace(/[^A-Za-z0-9]/g, '_');
    const timer = setTimeout(() => {
      if (!this.parked.delete(state)) return;
      this.calls.delete(callId);
      void this.upstream.send(errorResponse(m.id, ErrorCode.InternalError, 'the client did not retry with input in time')).catch(() => {});
    }, this.parkTimeoutMs);
    timer.unref();
    this.parked.set(state, { callId, asks: new Map([[key, m.id]]), timer });
    const { jsonrpc: _j, id: _i, ...embedded } = m;
    call.exchange.respond({
      jsonrpc: '2.0',
      id: call.clientId,
      result: { resultType: 'input_required', inputRequests: { [key]: embedded }, requestState: state },
    } as Message);
  }

  private newestCallEntry(): [string, Call] | undefined {
    let last: [string, Call] | undefined;
    for (const e of this.calls) if (!e[1].exchange.finished) last = e;
    return last;
  }

  private newestCall(): Call | undefined {
    return this.newestCallEntry()?.[1];
  }

  close(): void {
    for (const l of this.listeners) l.exchange.end();
    this.listeners.clear();
    for (const p of this.parked.values()) clearTimeout(p.timer);
    this.parked.clear();
  }
}
