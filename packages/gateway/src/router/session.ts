import {
  CAPABILITY_FOR_SERVER_REQUEST,
  ErrorCode,
  errorResponse,
  isNotification,
  isRequest,
  isResponse,
  isSessionProtocolVersion,
  LATEST_SESSION_PROTOCOL_VERSION,
  type AuthInfo,
  type Lane,
  type Message,
  type RequestId,
  type SendOptions,
  type Transport,
  type UpstreamContext,
  type UpstreamTransport,
} from '@switchboard-mcp/core/serve';
import { SwitchboardError } from '@switchboard-mcp/core/serve';
import type { GatewayRouter } from './router.js';
import { childContext, metaWithTrace, type TraceContext } from '../trace/trace-context.js';

type Params = Record<string, unknown>;
type Req = Message & { id: RequestId; method: string; params?: Params };

export const GATEWAY_INFO = { name: 'switchboard-gateway', version: '0.1.0' };

/** A call in flight to a backend, for the audit line and for cancellation. */
interface Pending {
  server: string;
  method: string;
  lane: Lane;
  tool?: string;
  args?: unknown;
  started: number;
  callerId: string;
  bytesIn: number;
  trace?: TraceContext;
}

type HeaderTrace = { traceparent?: string; tracestate?: string };

/**
 * One client's view of the gateway. It answers what the gateway owns (initialize, ping, the merged lists) and routes
 * the rest to the one backend it names, over a lane per backend opened on first use. Ids need no rewriting toward a
 * backend (each lane remaps its own); server→client requests do, since two backends may use the same id.
 */
export class GatewaySession implements UpstreamTransport {
  onmessage?: Transport['onmessage'];
  onclose?: () => void;
  onerror?: (e: Error) => void;
  private readonly lanes = new Map<string, Lane>();
  /** Lanes being opened (a caller's own connection starts asynchronously): concurrent calls share one. */
  private readonly opening = new Map<string, Promise<Lane>>();
  private readonly pending = new Map<RequestId, Pending>();
  /** Our id for a backend's request to the client → the lane and the backend's id. */
  private readonly asks = new Map<string, { lane: Lane; id: RequestId }>();
  private askSeq = 0;
  private clientCapabilities: Params = {};
  private closed = false;
  private initialized = false;

  constructor(
    private readonly router: GatewayRouter,
    private readonly ctx: UpstreamContext,
  ) {
    router.sessions.add(this);
  }

  get alive(): boolean {
    return !this.closed;
  }

  get inflight(): number {
    return this.pending.size;
  }

  async start(): Promise<void> {}

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.router.sessions.delete(this);
    // Calls still running when the client leaves are over for the books (their answers have nobody to go to).
    for (const p of this.pending.values()) if (p.tool) this.endCall(p, 'error', { errorCode: 'SB_CLIENT_GONE' });
    this.pending.clear();
    await Promise.allSettled([...this.lanes.values()].map((l) => l.close()));
    this.onclose?.();
  }

  /** Hot reload removed or replaced a backend: this client's connection to it ends. */
  async dropBackend(server: string): Promise<void> {
    const lane = this.lanes.get(server);
    if (!lane) return;
    this.lanes.delete(server);
    for (const [id, p] of this.pending) {
      if (p.lane !== lane) continue;
      this.pending.delete(id);
      if (p.tool) this.endCall(p, 'error', { errorCode: 'SB_BACKEND_RECONFIGURED' });
      this.fail(id, ErrorCode.InternalError, `server "${server}" was reconfigured while this call was in flight; retry it`);
    }
    await lane.close();
  }

  /** A list_changed of the gateway's own (a backend's lists changed). */
  notify(method: string): void {
    if (this.initialized && !this.closed) this.onmessage?.({ jsonrpc: '2.0', method } as Message);
  }

  private reply(m: Message): void {
    if (!this.closed) this.onmessage?.(m);
  }

  private ok(id: RequestId, result: unknown): void {
    this.reply({ jsonrpc: '2.0', id, result } as Message);
  }

  private fail(id: RequestId, code: number, message: string, data?: unknown): void {
    this.reply(errorResponse(id, code, message, data));
  }

  async send(message: Parameters<Transport['send']>[0], options?: SendOptions): Promise<void> {
    if (this.closed) throw new SwitchboardError('SB_TRANSPORT_CLOSED', 'gateway session is closed');
    const m = message as Message;
    const caller = options?.extra?.authInfo ?? this.ctx.authInfo;
    if (isRequest(m)) return this.request(m as Req, caller, options?.extra?.trace);
    if (isNotification(m)) return this.notification(m);
    if (isResponse(m)) {
      // The client's answer to a backend's request: back to that backend under its own id.
      const ask = this.asks.get(String(m.id));
      if (!ask) return;
      this.asks.delete(String(m.id));
      await ask.lane.send({ ...m, id: ask.id } as Message);
    }
  }

  private async request(m: Req, caller: AuthInfo | undefined, header?: HeaderTrace): Promise<void> {
    const p = m.params ?? {};
    try {
      switch (m.method) {
        case 'initialize':
          this.clientCapabilities = (p.capabilities as Params) ?? {};
          return this.ok(m.id, this.initializeResult(p.protocolVersion));
        case 'ping':
          return this.ok(m.id, {});
        case 'logging/setLevel':
          for (const lane of this.lanes.values()) void lane.send({ jsonrpc: '2.0', id: `gw-log-${++this.askSeq}`, method: m.method, params: p } as Message).catch(() => {});
          return this.ok(m.id, {});
        case 'tools/list':
          return this.reply(this.router.toolsFor(this.router.policyFor(caller)).response(m.id));
        case 'prompts/list':
          return this.reply(this.router.promptList().response(m.id));
        case 'resources/list':
          return this.reply(this.router.resourceList('resources').response(m.id));
        case 'resources/templates/list':
          return this.reply(this.router.resourceList('templates').response(m.id));
        case 'tools/call':
          return await this.callTool(m, caller, header);
        case 'prompts/get':
          return await this.forwardNamed(m, this.router.tables.prompts.resolve(String(p.name)), 'name', header);
        case 'resources/read':
        case 'resources/subscribe':
        case 'resources/unsubscribe':
          return await this.forwardUri(m, header);
        case 'completion/complete':
          return await this.complete(m, header);
        default:
          return this.fail(m.id, ErrorCode.MethodNotFound, `Method not found: ${m.method}`);
      }
    } catch (err) {
      const e = err as Error & { code?: unknown; data?: unknown };
      this.fail(m.id, typeof e.code === 'number' ? e.code : ErrorCode.InternalError, e.message, e.data);
    }
  }

  private initializeResult(asked: unknown): Params {
    return {
      protocolVersion: isSessionProtocolVersion(asked) ? asked : LATEST_SESSION_PROTOCOL_VERSION,
      capabilities: { tools: { listChanged: true }, prompts: { listChanged: true }, resources: { listChanged: true, subscribe: true }, logging: {}, completions: {} },
      serverInfo: GATEWAY_INFO,
      instructions: 'Tools, prompts and resources of several MCP servers, each name prefixed with its server’s name (server__tool).',
    };
  }

  /** This client's lane to a backend: opened on first use, over the caller's own connection when it has credentials there. */
  private async lane(server: string): Promise<Lane> {
    const open = this.lanes.get(server);
    if (open) return open;
    const backend = this.router.backends.get(server);
    if (backend?.state !== 'up') {
      throw new SwitchboardError('SB_BACKEND_DOWN', `server "${server}" is unavailable right now${backend?.lastError ? ` (${backend.lastError})` : ''}; the other servers are unaffected — retry later`);
    }
    let opening = this.opening.get(server);
    if (!opening) {
      const callerId = this.router.policyFor(this.ctx.authInfo).callerId;
      opening = backend.connectAs(callerId, { ...this.ctx }).then(
        (own) => own ?? backend.connect({ ...this.ctx }),
        (err: Error) => {
          throw new SwitchboardError('SB_BACKEND_DOWN', `server "${server}" refused the connection made with your credentials (${err.message}); the other servers are unaffected`);
        },
      );
      this.opening.set(server, opening);
      void opening.catch(() => {}).finally(() => this.opening.delete(server));
    }
    const lane = await opening;
    if (this.lanes.get(server) === lane) return lane;
    lane.onmessage = (m) => this.fromBackend(server, lane, m as Message);
    lane.onclose = () => {
      if (this.lanes.get(server) === lane) this.lanes.delete(server);
    };
    this.lanes.set(server, lane);
    return lane;
  }

  private async callTool(m: Req, caller: AuthInfo | undefined, header?: HeaderTrace): Promise<void> {
    const p = m.params ?? {};
    const exposed = String(p.name);
    const entry = this.router.tables.tools.resolve(exposed);
    const policy = this.router.policyFor(caller);
    const audit = this.router.options.audit;
    const metrics = this.router.options.metrics;
    const trace = childContext(p._meta as Params | undefined, header);
    const base = { callerId: policy.callerId, sessionId: this.ctx.session?.id, tool: exposed, arguments: p.arguments, bytesIn: 0, bytesOut: 0, trace };
    if (!entry || this.router.withheld.has(exposed)) {
      // No tool label for a name outside the catalog: clients must not be able to grow the metric set.
      metrics?.refused('', '', 'unknown-tool');
      return this.fail(m.id, ErrorCode.InvalidParams, `Unknown tool: ${exposed}`);
    }
    if (!policy.permits(entry.server, entry.original)) {
      metrics?.refused(entry.server, exposed, 'denied');
      audit?.call({ ...base, server: entry.server, durationMs: 0, outcome: 'denied' });
      // Deny looks like absence: a caller learns nothing about tools outside its scope.
      return this.fail(m.id, ErrorCode.InvalidParams, `Unknown tool: ${exposed}`);
    }
    try {
      this.router.arguments.check(exposed, p.arguments ?? {});
    } catch (err) {
      metrics?.refused(entry.server, exposed, 'denied');
      audit?.call({ ...base, server: entry.server, durationMs: 0, outcome: 'denied' });
      return this.fail(m.id, ErrorCode.InvalidParams, (err as Error).message);
    }
    try {
      await this.router.rateLimiter.enforce(policy.callerId, entry.server, entry.original, exposed, policy.rateLimit);
    } catch (err) {
      const e = err as Error & { retryAfterMs?: number };
      if (e.retryAfterMs === undefined) {
        // The shared store is unreachable: refuse rather than let calls through unlimited.
        this.router.log.error({ err: e.message }, 'rate limits cannot be checked');
        metrics?.refused(entry.server, exposed, 'error');
        audit?.call({ ...base, server: entry.server, durationMs: 0, outcome: 'error', errorCode: 'SB_RATE_LIMIT_STORE' });
        return this.fail(m.id, ErrorCode.InternalError, 'rate limits cannot be checked right now (the shared store is unreachable); retry shortly');
      }
      metrics?.refused(entry.server, exposed, 'rate-limited');
      audit?.call({ ...base, server: entry.server, durationMs: 0, outcome: 'rate-limited' });
      return this.fail(m.id, -32029, e.message, { retryAfterMs: e.retryAfterMs });
    }
    let lane: Lane;
    try {
      lane = this.lanes.get(entry.server) ?? (await this.lane(entry.server));
    } catch (err) {
      metrics?.refused(entry.server, exposed, 'error');
      audit?.call({ ...base, server: entry.server, durationMs: 0, outcome: 'error', errorCode: (err as { code?: string }).code ?? 'SB_BACKEND_DOWN' });
      throw err;
    }
    const call: Pending = { server: entry.server, method: m.method, lane, tool: exposed, args: p.arguments, started: performance.now(), callerId: policy.callerId, bytesIn: JSON.stringify(p).length, trace };
    this.pending.set(m.id, call);
    metrics?.started(entry.server, exposed);
    await lane.send({ ...m, params: withMeta({ ...p, name: entry.original }, trace) } as Message).catch((err: Error) => {
      if (this.pending.delete(m.id)) this.endCall(call, 'error', { errorCode: (err as { code?: string }).code ?? 'SB_SEND_FAILED' });
      throw err;
    });
  }

  /** Sends a request to one backend with its params rewritten to that backend's names; its answer comes back on the lane. */
  private async forward(m: Req, server: string, params: Params, header: HeaderTrace | undefined): Promise<void> {
    const lane = this.lanes.get(server) ?? (await this.lane(server));
    const trace = childContext(m.params?._meta as Params | undefined, header);
    this.pending.set(m.id, { server, method: m.method, lane, started: performance.now(), callerId: '', bytesIn: 0 });
    await lane.send({ ...m, params: withMeta({ ...m.params, ...params }, trace) } as Message);
  }

  private async forwardNamed(m: Req, entry: { server: string; original: string } | undefined, field: string, header: HeaderTrace | undefined): Promise<void> {
    if (!entry) return this.fail(m.id, ErrorCode.InvalidParams, `Unknown ${m.method.split('/')[0]!.replace(/s$/, '')}: ${String(m.params?.[field])}`);
    return this.forward(m, entry.server, { [field]: entry.original }, header);
  }

  private async forwardUri(m: Req, header: HeaderTrace | undefined): Promise<void> {
    const target = this.router.tables.uris.toUpstream(String(m.params?.uri));
    if (!target) return this.fail(m.id, -32002, `Resource not found: ${String(m.params?.uri)}`);
    return this.forward(m, target.server, { uri: target.uri }, header);
  }

  private async complete(m: Req, header: HeaderTrace | undefined): Promise<void> {
    const ref = (m.params?.ref ?? {}) as { type?: string; name?: string; uri?: string };
    if (ref.type === 'ref/prompt') {
      const entry = this.router.tables.prompts.resolve(String(ref.name));
      if (!entry) return this.fail(m.id, ErrorCode.InvalidParams, `Unknown prompt: ${String(ref.name)}`);
      return this.forward(m, entry.server, { ref: { ...ref, name: entry.original } }, header);
    }
    const target = this.router.tables.uris.toUpstream(String(ref.uri));
    if (!target) return this.fail(m.id, ErrorCode.InvalidParams, `Unknown resource template: ${String(ref.uri)}`);
    return this.forward(m, target.server, { ref: { ...ref, uri: target.uri } }, header);
  }

  private async notification(m: Message & { method: string; params?: Params }): Promise<void> {
    if (m.method === 'notifications/initialized') {
      this.initialized = true;
      return;
    }
    if (m.method === 'notifications/cancelled') {
      const id = m.params?.requestId as RequestId;
      const p = this.pending.get(id);
      if (!p) return;
      // No answer follows a cancellation: the call ends here, for the audit log too.
      this.pending.delete(id);
      if (p.tool) this.endCall(p, 'error', { errorCode: 'SB_CANCELLED' });
      await p.lane.send(m).catch(() => {});
      return;
    }
    // roots/list_changed and the like concern every backend this client uses.
    await Promise.allSettled([...this.lanes.values()].map((l) => l.send(m)));
  }

  /**
   * A backend's answer names resources by the backend's own URIs: in read contents, in tool results' resource links
   * and embedded resources, in prompt messages. The client knows only the namespaced ones (and reads through them).
   */
  private exposeUris(server: string, method: string, m: Message): Message {
    const result = (m as { result?: Params }).result;
    if (!result) return m;
    const uris = this.router.tables.uris;
    const expose = (uri: unknown) => (typeof uri === 'string' ? (uris.toExposed(server, uri) ?? uri) : uri);
    const block = (c: unknown): unknown => {
      const item = c as { type?: string; uri?: unknown; resource?: { uri?: unknown } } | null;
      if (item?.type === 'resource_link') return { ...item, uri: expose(item.uri) };
      if (item?.type === 'resource' && item.resource) return { ...item, resource: { ...item.resource, uri: expose(item.resource.uri) } };
      return c;
    };
    const list = (v: unknown, f: (x: unknown) => unknown) => (Array.isArray(v) ? v.map(f) : v);
    switch (method) {
      case 'resources/read':
        return { ...m, result: { ...result, contents: list(result.contents, (c) => ({ ...(c as Params), uri: expose((c as Params).uri) })) } } as Message;
      case 'tools/call':
        return Array.isArray(result.content) ? ({ ...m, result: { ...result, content: result.content.map(block) } } as Message) : m;
      case 'prompts/get':
        return { ...m, result: { ...result, messages: list(result.messages, (x) => ({ ...(x as Params), content: block((x as Params).content) })) } } as Message;
      default:
        return m;
    }
  }

  /** A forwarded tools/call is over: its audit line and its metrics, in one place so neither misses an ending. */
  private endCall(p: Pending, outcome: 'ok' | 'error', detail: { errorCode?: string | number; bytesOut?: number }): void {
    const ms = performance.now() - p.started;
    this.router.options.metrics?.finished(p.server, p.tool!, outcome, ms / 1000);
    this.router.options.audit?.call({
      callerId: p.callerId,
      sessionId: this.ctx.session?.id,
      server: p.server,
      tool: p.tool!,
      arguments: p.args,
      durationMs: ms,
      outcome,
      ...(detail.errorCode !== undefined ? { errorCode: detail.errorCode } : {}),
      bytesIn: p.bytesIn,
      bytesOut: detail.bytesOut ?? 0,
      trace: p.trace,
    });
  }

  private fromBackend(server: string, lane: Lane, m: Message): void {
    if (isResponse(m)) {
      const p = this.pending.get(m.id);
      if (!p || p.lane !== lane) return;
      this.pending.delete(m.id);
      if (p.tool) {
        const error = (m as { error?: { code?: number } }).error;
        const isError = (m as { result?: { isError?: boolean } }).result?.isError === true;
        this.endCall(p, error || isError ? 'error' : 'ok', { ...(error?.code !== undefined ? { errorCode: error.code } : {}), bytesOut: JSON.stringify(m).length });
      }
      this.reply(this.exposeUris(server, p.method, m));
      return;
    }
    if (isRequest(m)) {
      const needs = CAPABILITY_FOR_SERVER_REQUEST[m.method];
      if (needs && !(needs in this.clientCapabilities)) {
        void lane.send(errorResponse(m.id, ErrorCode.MethodNotFound, `the client did not declare the ${needs} capability`)).catch(() => {});
        return;
      }
      const ours = `gw-${server}-${++this.askSeq}`;
      this.asks.set(ours, { lane, id: m.id });
      this.reply({ ...m, id: ours } as Message);
      return;
    }
    const method = (m as { method?: string }).method ?? '';
    const params = ((m as { params?: Params }).params ?? {}) as Params;
    if (method.endsWith('/list_changed')) return; // the router refreshes that backend and announces its own
    if (method === 'notifications/resources/updated') {
      const uri = this.router.tables.uris.toExposed(server, String(params.uri));
      if (uri) this.reply({ ...m, params: { ...params, uri } } as Message);
      return;
    }
    if (method === 'notifications/cancelled') {
      // The backend withdrew its own request to the client: name it by our id.
      for (const [ours, a] of this.asks) {
        if (a.lane === lane && a.id === params.requestId) {
          this.reply({ ...m, params: { ...params, requestId: ours } } as Message);
          return;
        }
      }
      return;
    }
    this.reply(m);
  }
}

/** Params with this hop's trace context in `_meta` (an invalid one the caller sent is removed, not forwarded). */
function withMeta(params: Params, trace: TraceContext | undefined): Params {
  const meta = params._meta as Params | undefined;
  const next = metaWithTrace(meta, trace);
  if (next === meta) return params;
  if (next === undefined) {
    const { _meta: _, ...rest } = params;
    return rest;
  }
  return { ...params, _meta: next };
}
