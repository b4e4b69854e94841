import {
  SdkHttpError,
  SSEClientTransport,
  SseError,
  StreamableHTTPClientTransport,
  type AuthProvider,
  type OAuthClientProvider,
} from '@modelcontextprotocol/client';
import type { Transport } from '../transport.js';
import { ErrorCode, errorResponse, isNotification, isRequest, isResponse, type Message, type RequestId } from '../jsonrpc.js';
import { silentLogger, type Logger } from '../log.js';
import { SwitchboardError } from '../errors.js';
import { createRemoteFetch, type FetchLike, type ResponseInfo } from './fetch.js';
import {
  NotMcpServerError,
  SessionLostError,
  UpstreamError,
  UpstreamHttpError,
  UpstreamRedirectError,
  UpstreamTimeoutError,
  rpcErrorCodeOf,
} from './errors.js';
import { ParamHeaderCache } from './mcp-param.js';

export type RemoteTransportKind = 'auto' | 'streamable-http' | 'sse';

export interface RemoteTransportOptions {
  url: string | URL;
  /** auto: Streamable HTTP first, legacy SSE when the first request gets 400/404/405 or a non-MCP answer. */
  transport?: RemoteTransportKind;
  /** Headers sent on every request (values are secrets: register them with registerSecret). */
  headers?: Record<string, string>;
  /** Bearer tokens / OAuth (the SDK's AuthProvider: token() before each request, onUnauthorized() on 401). */
  authProvider?: AuthProvider | OAuthClientProvider;
  /** Bound on connecting: response headers, the SSE endpoint event, the initialize answer (default 30 s). */
  connectTimeoutMs?: number;
  /**
   * Per-request cut-off, reset by progress notifications. Default DEFAULT_REQUEST_TIMEOUT_MS (10 min): an established
   * session has no other bound on a call (connectTimeoutMs covers connecting and response headers only, and a
   * remote that wedges after them would hold the call forever). 0 = no cut-off.
   */
  requestTimeoutMs?: number;
  /** Send a ping upstream this often to keep the session alive and notice a lost one early (default: off). */
  pingIntervalMs?: number;
  /** How long to keep trying to re-establish a lost session before failing requests (default 60 s). */
  recoveryWindowMs?: number;
  /** GET-stream reconnection backoff. */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
  logger?: Logger;
  fetch?: FetchLike;
}

type Inner = StreamableHTTPClientTransport | SSEClientTransport;

/** The ceiling on a call when none is configured: generous (long tool calls report progress, which resets it). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10 * 60_000;

/** The cut-off a call gets: the configured one, else the default ceiling; 0 means none. */
export function requestTimeoutOf(options: Pick<RemoteTransportOptions, 'requestTimeoutMs'>): number | undefined {
  const t = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return t > 0 ? t : undefined;
}

interface Pending {
  method: string;
  generation: number;
  /** Accepted by the server (the POST went through): only such requests can be lost with a session. */
  sent?: boolean;
  progressToken?: string | number;
  timer?: NodeJS.Timeout;
  internal?: (m: Message) => void;
}

const INTERNAL_PREFIX = 'switchboard-';

/**
 * An upstream transport for a remote MCP server over HTTP. It is one raw Transport whatever the server speaks:
 * - picks Streamable HTTP or legacy SSE from the answer to the client's own first request (no probe session);
 * - captures the client's initialize and replays it when the session is lost (404, or a restarted server), then
 *   retries the request once, so the client sees a restart only as a delay;
 * - keeps the GET stream open with backoff and Last-Event-ID (SDK), sets the negotiated protocol version;
 * - turns HTTP and network failures into typed errors with actionable messages (the pipe answers with them).
 * Messages cross unchanged: ids, sampling, elicitation, progress, cancellation, logging, list_changed, pagination.
 */
export class RemoteTransport implements Transport {
  onmessage?: (message: Message) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;

  readonly url: URL;
  private readonly log: Logger;
  private readonly fetchFn: FetchLike;
  private inner?: Inner;
  private kindDecided?: 'streamable-http' | 'sse';
  private ready?: Promise<void>;
  private reiniting?: Promise<void>;
  private initRequest?: Message;
  private initialized = false;
  /**
   * Settles once the session's standalone GET stream has answered (or after a bound). Servers route messages with
   * no request of their own (and some SDKs route server→client requests) to that stream and drop them while it is
   * not open: requests wait for it rather than race it.
   */
  private standaloneOpen?: Promise<void>;
  private standaloneOpened?: () => void;
  private connected = false;
  private generation = 0;
  /** The session generation each inner transport's messages belong to. */
  private readonly innerGeneration = new WeakMap<Inner, number>();
  private sseOpens = 0;
  private readonly pending = new Map<RequestId, Pending>();
  private internalSeq = 0;
  private pingTimer?: NodeJS.Timeout;
  private closed = false;
  private lastWarning = '';
  /** x-mcp-header declarations from the tools/list results seen so far (2026-07-28 remotes). */
  private readonly params = new ParamHeaderCache();
  private toolsRefresh?: Promise<void>;

  constructor(private readonly options: RemoteTransportOptions) {
    this.url = new URL(options.url);
    this.log = options.logger ?? silentLogger;
    this.fetchFn = createRemoteFetch({
      headers: options.headers,
      fetch: options.fetch,
      connectTimeoutMs: this.connectTimeoutMs,
      timeoutFor: (method, init) => this.timeoutFor(method, init),
      onResponse: (info) => this.observe(info),
    });
  }

  get kind(): 'streamable-http' | 'sse' | undefined {
    return this.kindDecided;
  }

  get sessionId(): string | undefined {
    return this.inner instanceof StreamableHTTPClientTransport ? this.inner.sessionId : undefined;
  }

  private get connectTimeoutMs(): number {
    return this.options.connectTimeoutMs ?? 30_000;
  }

  /** Response headers must come quickly, except for a request POSTed on an established Streamable HTTP session (a long tool call may answer with plain JSON at the end). */
  private timeoutFor(method: string, init: RequestInit): number | undefined {
    if (method !== 'POST' || this.kindDecided === 'sse' || !this.connected) return this.connectTimeoutMs;
    const body = typeof init.body === 'string' ? init.body : '';
    return /"id"\s*:/.test(body) && /"method"\s*:/.test(body) ? undefined : this.connectTimeoutMs;
  }

  async start(): Promise<void> {
    if (this.options.pingIntervalMs) {
      this.pingTimer = setInterval(() => void this.ping(), this.options.pingIntervalMs);
      this.pingTimer.unref();
    }
  }

  // ---- building inner transports -------------------------------------------------------------------------

  private makeInner(kind: 'streamable-http' | 'sse'): Inner {
    const common = { authProvider: this.options.authProvider, fetch: this.fetchFn };
    const inner: Inner =
      kind === 'streamable-http'
        ? new StreamableHTTPClientTransport(this.url, {
            ...common,
            reconnectionOptions: {
              initialReconnectionDelay: this.options.reconnect?.initialDelayMs ?? 500,
              maxReconnectionDelay: this.options.reconnect?.maxDelayMs ?? 10_000,
              reconnectionDelayGrowFactor: 1.5,
              // Keep the GET stream coming back for as long as we live; a lost session is noticed and re-initialized.
              maxRetries: Number.MAX_SAFE_INTEGER,
            },
          })
        : new SSEClientTransport(this.url, { ...common, eventSourceInit: { fetch: this.fetchFn } });
    this.innerGeneration.set(inner, this.generation);
    inner.onmessage = (m) => {
      if (this.inner === inner) this.fromUpstream(m as Message, this.innerGeneration.get(inner) ?? this.generation);
    };
    inner.onerror = (err) => {
      if (this.inner !== inner) return;
      this.log.debug({ err: err.message }, 'upstream transport error');
      // The event stream broke (the EventSource reconnects by itself, so no onclose comes). On legacy SSE every
      // answer travels on that stream and the session is bound to it: what it still owed will never come.
      if (inner instanceof SSEClientTransport && this.kindDecided === 'sse' && (err instanceof SseError || err?.name === 'SseError')) {
        this.sseStreamLost(this.innerGeneration.get(inner) ?? this.generation);
      }
    };
    inner.onclose = () => {
      if (this.inner === inner && !this.closed) {
        this.log.warn('upstream stream closed; reconnecting');
        void this.recover('stream closed').catch(() => {});
      }
    };
    return inner;
  }

  private async startInner(inner: Inner): Promise<void> {
    if (inner instanceof SSEClientTransport) {
      let timer: NodeJS.Timeout | undefined;
      const limit = this.connectTimeoutMs;
      try {
        await Promise.race([
          inner.start(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new NotMcpServerError(this.url.href, `no SSE endpoint event within ${limit} ms`)), limit);
          }),
        ]);
      } catch (err) {
        this.detach(inner);
        throw this.translate(err);
      } finally {
        clearTimeout(timer);
      }
    } else {
      await inner.start();
    }
  }

  private detach(inner: Inner | undefined): void {
    if (!inner) return;
    inner.onmessage = undefined;
    inner.onerror = undefined;
    inner.onclose = undefined;
    void inner.close().catch(() => {});
  }

  // ---- sending -------------------------------------------------------------------------------------------

  async send(message: Message): Promise<void> {
    if (this.closed) throw new SwitchboardError('SB_TRANSPORT_CLOSED', `connection to ${this.url.href} is closed`);
    const m = message as Message;
    if (isRequest(m) && m.method === 'initialize') {
      this.initRequest = structuredClone(m);
      this.initialized = false;
    }
    if (isNotification(m) && m.method === 'notifications/initialized') this.initialized = true;
    const call = modernToolCall(m);
    if (call && !this.params.knows(call.name) && this.ready) await this.refreshTools(call.meta);
    if (isRequest(m)) this.track(m);
    // Set before initialized goes out, not after: a request arriving while its POST is under way must wait too.
    const opensStream = isNotification(m) && m.method === 'notifications/initialized' && this.kindDecided === 'streamable-http' && !!this.sessionId;
    if (opensStream) this.latchStandalone();
    try {
      if (this.standaloneOpen && isRequest(m)) await this.standaloneOpen;
      try {
        await this.deliver(m);
      } finally {
        // The SDK opens the GET stream once initialized is accepted: from then on, wait for it only so long.
        if (opensStream) this.boundStandalone();
      }
      if (isRequest(m)) {
        const p = this.pending.get(m.id);
        if (p) p.sent = true;
      }
    } catch (err) {
      if (isRequest(m)) this.untrack(m.id);
      const e = this.translate(err);
      this.warn(e.message);
      throw e;
    }
  }

  /** Requests wait on this until the GET stream answers, or boundStandalone()'s timer runs out. */
  private latchStandalone(): void {
    if (this.standaloneOpen) return;
    this.standaloneOpen = new Promise<void>((resolve) => {
      this.standaloneOpened = resolve;
    }).finally(() => {
      clearTimeout(this.standaloneTimer);
      this.standaloneOpen = undefined;
      this.standaloneOpened = undefined;
    });
  }

  private standaloneTimer?: NodeJS.Timeout;
  private boundStandalone(): void {
    if (!this.standaloneOpened) return;
    const open = this.standaloneOpened;
    this.standaloneTimer = setTimeout(open, 1000);
  }

  /** Sends on the current inner transport, deciding the transport on the first message and recovering a lost session once. */
  private async deliver(m: Message): Promise<void> {
    if (this.ready) {
      await this.ready;
      if (this.reiniting) await this.reiniting;
      return this.sendInner(m);
    }
    this.ready = this.decide(m);
    try {
      await this.ready;
    } catch (err) {
      this.ready = undefined; // let the client try again (e.g. a repeated initialize)
      throw err;
    }
  }

  private async sendInner(m: Message, retried = false): Promise<void> {
    const inner = this.inner!;
    try {
      if (isRequest(m)) {
        const p = this.pending.get(m.id);
        if (p) p.generation = this.generation;
      }
      if (inner instanceof StreamableHTTPClientTransport) {
        const call = modernToolCall(m);
        const headers = call ? this.params.headersFor(call.name, call.args) : undefined;
        await inner.send(m as never, isRequest(m) ? { onRequestStreamEnd: () => this.streamEnded(m.id), headers } : undefined);
      } else {
        await inner.send(m as never);
      }
      if (isRequest(m)) {
        const p = this.pending.get(m.id);
        if (p) p.sent = true;
      }
    } catch (err) {
      const stepUp = (this.options.authProvider as { stepUp?: (scope?: string, rm?: URL) => Promise<void> } | undefined)?.stepUp;
      if (!retried && stepUp && (err as Error)?.name === 'InsufficientScopeError') {
        const e = err as { requiredScope?: string; resourceMetadataUrl?: URL };
        await stepUp.call(this.options.authProvider, e.requiredScope, e.resourceMetadataUrl);
        return this.sendInner(m, true);
      }
      if (!retried && this.isSessionLost(err, m)) {
        await this.recover('session not found');
        if (isRequest(m)) return this.sendInner(m, true);
        return; // a stale response or notification for the old session has nowhere to go
      }
      if (!retried && this.inner !== inner) {
        // Recovery (the GET stream found our session gone) replaced the transport while this send was under
        // way and aborted it: it went to a session the server no longer knows, so it goes again on the new one.
        if (this.reiniting) await this.reiniting.catch(() => {});
        if (isRequest(m)) return this.sendInner(m, true);
        return;
      }
      throw err;
    }
  }

  /** First message: Streamable HTTP (unless told SSE), falling back to SSE on the server's answer to this very message. */
  private async decide(first: Message): Promise<void> {
    const mode = this.options.transport ?? 'auto';
    if (mode !== 'sse') {
      const inner = this.makeInner('streamable-http');
      this.inner = inner;
      await this.startInner(inner);
      try {
        await (inner as StreamableHTTPClientTransport).send(first as never, isRequest(first) ? { onRequestStreamEnd: () => this.streamEnded(first.id) } : undefined);
        this.kindDecided = 'streamable-http';
        this.log.info({ url: this.url.href, transport: 'streamable-http' }, 'connected upstream');
        return;
      } catch (err) {
        if (mode === 'streamable-http' || !this.fallbackWorthy(err)) throw err;
        this.detach(inner);
        this.inner = undefined;
        const why = this.translate(err).message;
        this.log.info({ reason: why }, 'Streamable HTTP refused the first request; trying legacy SSE');
        try {
          await this.openSse();
          await (this.inner as unknown as SSEClientTransport).send(first as never);
          return;
        } catch (sseErr) {
          this.detach(this.inner);
          this.inner = undefined;
          const streamable = this.translate(err);
          const sse = this.translate(sseErr);
          if (streamable instanceof UpstreamHttpError && streamable.status >= 500) throw streamable;
          throw new NotMcpServerError(this.url.href, `Streamable HTTP: ${streamable.message}; legacy SSE: ${sse.message}`);
        }
      }
    }
    await this.openSse();
    await (this.inner as unknown as SSEClientTransport).send(first as never);
  }

  private async openSse(): Promise<void> {
    const inner = this.makeInner('sse');
    this.inner = inner;
    await this.startInner(inner);
    // The stream just opened is the first: count it here (the transport was not decided yet when its GET answered),
    // so that the next 200 on GET means the stream reconnected to a fresh session.
    this.sseOpens = 1;
    this.kindDecided = 'sse';
    this.log.info({ url: this.url.href, transport: 'sse' }, 'connected upstream');
  }

  private fallbackWorthy(err: unknown): boolean {
    const status = (err as { status?: number })?.status;
    if (status === 404 || status === 405) return true;
    if (status === 400) {
      // A 2026-only Streamable HTTP server refuses a 2025 initialize with -32022: that is not a reason to try SSE.
      const text = String((err as { data?: { text?: string } })?.data?.text ?? '');
      return rpcErrorCodeOf(text) !== ErrorCode.UnsupportedProtocolVersion;
    }
    const code = (err as { code?: string })?.code;
    return code === 'CLIENT_HTTP_UNEXPECTED_CONTENT' || /Unexpected content type/i.test((err as Error)?.message ?? '');
  }

  private isSessionLost(err: unknown, m: Message): boolean {
    if (!this.initRequest || (isRequest(m) && m.method === 'initialize')) return false;
    const status = (err as { status?: number })?.status;
    if (this.kindDecided === 'streamable-http') {
      if (status === 404) return true;
      // Many servers (server-everything included) answer an unknown session with 400 instead of 404.
      const text = String((err as { data?: { text?: string } })?.data?.text ?? (err as Error)?.message ?? '');
      return status === 400 && /session/i.test(text);
    }
    return status === 404 || /HTTP 404/.test((err as Error)?.message ?? '');
  }

  // ---- session recovery ----------------------------------------------------------------------------------

  /** Sees every upstream response: a GET stream refused for our session, or a second SSE stream (new session), means re-initialize. */
  private observe(info: ResponseInfo): void {
    if (this.closed || !this.initRequest) return;
    if (info.method === 'GET') this.standaloneOpened?.();
    if (this.kindDecided === 'streamable-http' && info.method === 'GET' && info.sessionId && info.sessionId === this.sessionId) {
      if (info.status === 404 || info.status === 400) {
        this.log.warn({ status: info.status }, 'upstream no longer knows our session (restarted?); re-initializing');
        void this.recover('GET stream refused').catch(() => {});
      }
    }
    if (this.kindDecided === 'sse' && info.method === 'GET' && info.status === 200 && info.url === this.url.href) {
      this.sseOpens++;
      if (this.sseOpens > 1) {
        // The event stream reconnected: the server now holds a fresh, uninitialized session.
        this.log.warn('upstream SSE stream reconnected with a new session; re-initializing');
        setTimeout(() => void this.recover('sse reconnected', true).catch(() => {}), 50);
      }
    }
  }

  /** Re-establishes the session (fresh transport + replayed initialize), retrying with backoff within the recovery window. */
  private recover(reason: string, keepInner = false): Promise<void> {
    if (this.reiniting) return this.reiniting;
    const run = async () => {
      const deadline = Date.now() + (this.options.recoveryWindowMs ?? 60_000);
      let delay = 250;
      for (let attempt = 1; ; attempt++) {
        try {
          await this.reinitialize(keepInner && attempt === 1);
          this.log.info({ reason, attempt }, 'upstream session re-established');
          return;
        } catch (err) {
          const e = this.translate(err);
          if (this.closed || Date.now() + delay > deadline || e instanceof UpstreamHttpError && [401, 403].includes(e.status)) {
            this.warn(`could not re-establish the session with ${this.url.href}: ${e.message}`);
            throw e;
          }
          this.log.debug({ err: e.message, attempt }, 're-initialize failed; retrying');
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(delay * 2, 5_000);
        }
      }
    };
    this.reiniting = run().finally(() => {
      this.reiniting = undefined;
    });
    return this.reiniting;
  }

  private async reinitialize(keepInner: boolean): Promise<void> {
    if (!this.initRequest) return;
    this.connected = false;
    const old = this.inner;
    this.generation++;
    // A kept inner transport (legacy SSE stream that reconnected by itself) now carries the new session.
    if (keepInner && old) this.innerGeneration.set(old, this.generation);
    if (!keepInner || !old) {
      this.detach(old);
      const inner = this.makeInner(this.kindDecided ?? 'streamable-http');
      this.inner = inner;
      if (inner instanceof SSEClientTransport) this.sseOpens = 0;
      await this.startInner(inner);
    }
    this.failStale();
    const inner = this.inner!;
    const id = `${INTERNAL_PREFIX}reinit-${++this.internalSeq}`;
    const answer = this.expect(id, this.connectTimeoutMs);
    await inner.send({ ...this.initRequest, id } as never);
    const res = (await answer) as { result?: { protocolVersion?: string }; error?: { message?: string } };
    if (res.error) throw new UpstreamError('SB_REINIT', `re-initialize was refused: ${res.error.message}`);
    if (res.result?.protocolVersion) inner.setProtocolVersion(res.result.protocolVersion);
    this.connected = true;
    if (!this.initialized) return;
    const opensStream = inner instanceof StreamableHTTPClientTransport;
    if (opensStream) this.latchStandalone();
    try {
      await inner.send({ jsonrpc: '2.0', method: 'notifications/initialized' } as never);
    } finally {
      if (opensStream) this.boundStandalone();
    }
  }

  /** Requests sent on a lost session will never be answered: answer them now. */
  private failStale(): void {
    for (const [id, p] of this.pending) {
      if (p.generation >= this.generation || p.internal || !p.sent) continue;
      this.untrack(id);
      this.deliverDown(errorResponse(id, ErrorCode.ConnectionClosed, new SessionLostError(this.url.href).message));
    }
  }

  /** Fails every request the broken SSE stream of this generation still owed an answer. */
  private sseStreamLost(generation: number): void {
    const owed = [...this.pending].filter(([, p]) => !p.internal && p.sent && p.generation === generation);
    if (!owed.length) return;
    this.warn(`upstream ${this.url.href} closed the SSE stream with ${owed.length} request(s) unanswered; failing them`);
    for (const [id, p] of owed) {
      this.untrack(id);
      this.deliverDown(errorResponse(id, ErrorCode.ConnectionClosed, `upstream ${this.url.href} closed the SSE stream before answering ${p.method}; retry the call`));
    }
  }

  /** A POST response stream ended: if its request is still unanswered, it never will be. */
  private streamEnded(id: RequestId): void {
    setImmediate(() => {
      const p = this.pending.get(id);
      if (!p || p.internal || this.reiniting) return;
      this.untrack(id);
      const msg = `upstream ${this.url.href} closed the response stream before answering ${p.method}; retry the call`;
      this.warn(msg);
      this.deliverDown(errorResponse(id, ErrorCode.ConnectionClosed, msg));
    });
  }

  private async ping(): Promise<void> {
    if (!this.connected || this.reiniting || this.closed) return;
    const id = `${INTERNAL_PREFIX}ping-${++this.internalSeq}`;
    const answer = this.expect(id, this.connectTimeoutMs);
    try {
      await this.sendInner({ jsonrpc: '2.0', id, method: 'ping' } as Message);
      await answer;
    } catch (err) {
      this.pending.delete(id);
      this.log.debug({ err: (err as Error).message }, 'keep-alive ping failed');
    }
  }

  /**
   * A 2026 tools/call for a tool whose schema we have not seen: list the tools first (with the call's envelope), so
   * its Mcp-Param-* headers can be sent. Best effort: on failure the call goes out without them.
   */
  private refreshTools(meta: Record<string, unknown>): Promise<void> {
    const run = async () => {
      await this.ready;
      if (this.reiniting) await this.reiniting;
      let cursor: string | undefined;
      for (let page = 0; page < 20; page++) {
        const id = `${INTERNAL_PREFIX}tools-${++this.internalSeq}`;
        const answer = this.expect(id, this.connectTimeoutMs);
        await this.sendInner({ jsonrpc: '2.0', id, method: 'tools/list', params: { ...(cursor ? { cursor } : {}), _meta: meta } } as Message);
        const res = (await answer) as { result?: { nextCursor?: string } };
        this.params.learn(res.result);
        cursor = res.result?.nextCursor;
        if (!cursor) return;
      }
    };
    this.toolsRefresh ??= run()
      .catch((err: Error) => this.log.debug({ err: err.message }, 'listing tools for Mcp-Param headers failed'))
      .finally(() => (this.toolsRefresh = undefined));
    return this.toolsRefresh;
  }

  /** Until close(): recovery keeps the remote session alive underneath. */
  get alive(): boolean {
    return !this.closed;
  }

  /** Client requests sent upstream and not yet answered. */
  get inflight(): number {
    let n = 0;
    for (const p of this.pending.values()) if (!p.internal) n++;
    return n;
  }

  private expect(id: string, timeoutMs: number): Promise<Message> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new UpstreamTimeoutError(this.url.href, timeoutMs, 'answer'));
      }, timeoutMs);
      this.pending.set(id, {
        method: 'internal',
        generation: this.generation,
        internal: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  // ---- requests in flight --------------------------------------------------------------------------------

  private track(m: Message & { id: RequestId; method: string; params?: Record<string, unknown> }): void {
    const progressToken = (m.params?._meta as { progressToken?: string | number } | undefined)?.progressToken;
    const p: Pending = { method: m.method, generation: this.generation, progressToken };
    this.pending.set(m.id, p);
    this.arm(m.id, p);
  }

  private arm(id: RequestId, p: Pending): void {
    // The initialize answer is part of connecting: --connect-timeout bounds its steps (with errors that say which one
    // failed), so a short --timeout, which bounds calls, must not cut it first. A backstop still ends a handshake
    // that never completes.
    const calls = requestTimeoutOf(this.options);
    const limit = p.method === 'initialize' ? Math.max(calls ?? 0, 2 * this.connectTimeoutMs) : calls;
    if (!limit) return;
    if (p.timer) clearTimeout(p.timer);
    p.timer = setTimeout(() => {
      if (this.pending.get(id) !== p) return;
      this.untrack(id);
      const msg = new UpstreamTimeoutError(this.url.href, limit, `answer ${p.method}`).message;
      this.warn(msg);
      this.deliverDown(errorResponse(id, -32001, msg));
      void this.sendInner({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'timed out' } } as Message).catch(() => {});
    }, limit);
  }

  private untrack(id: RequestId): void {
    const p = this.pending.get(id);
    if (p?.timer) clearTimeout(p.timer);
    this.pending.delete(id);
  }

  // ---- receiving -----------------------------------------------------------------------------------------

  private fromUpstream(m: Message, generation: number): void {
    if (isResponse(m)) {
      const p = this.pending.get(m.id);
      if (p?.internal) {
        this.pending.delete(m.id);
        p.internal(m);
        return;
      }
      this.connected = true;
      if (typeof m.id === 'string' && m.id.startsWith(INTERNAL_PREFIX)) return;
      if (p?.method === 'tools/list' && 'result' in m) this.params.learn(m.result);
      if (p && p.generation !== generation && generation < this.generation) return;
      this.untrack(m.id);
      if (this.initRequest && m.id === this.initRequest.id && 'result' in m) {
        const v = (m.result as { protocolVersion?: string } | undefined)?.protocolVersion;
        if (v) this.inner?.setProtocolVersion(v);
        this.connected = true;
      }
    } else if (isNotification(m) && m.method === 'notifications/progress') {
      const token = (m.params as { progressToken?: string | number } | undefined)?.progressToken;
      for (const [id, p] of this.pending) if (p.progressToken !== undefined && p.progressToken === token) this.arm(id, p);
    }
    this.deliverDown(m);
  }

  private deliverDown(m: Message): void {
    try {
      this.onmessage?.(m);
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'delivering an upstream message failed');
    }
  }

  // ---- errors and closing --------------------------------------------------------------------------------

  /** Maps SDK and network errors onto our typed errors. */
  translate(err: unknown): Error {
    if (err instanceof SwitchboardError) return err;
    const e = err as { status?: number; code?: string | number; message?: string; data?: { text?: string }; cause?: unknown };
    if (e?.cause instanceof SwitchboardError) return e.cause;
    const status = err instanceof SdkHttpError ? err.status : typeof e?.status === 'number' ? e.status : typeof e?.code === 'number' && e.code >= 300 ? e.code : undefined;
    const message = e?.message ?? String(err);
    if (/Redirect .*not followed/i.test(message)) return new UpstreamRedirectError(this.url.href, message.replace(/^Error POSTing to endpoint: /, ''));
    if (status) {
      if (status >= 300 && status < 400) return new UpstreamRedirectError(this.url.href, `HTTP ${status}`);
      return new UpstreamHttpError(this.url.href, status, detailOf(e?.data?.text ?? message), e?.data?.text);
    }
    if (e?.code === 'CLIENT_HTTP_UNEXPECTED_CONTENT' || /Unexpected content type/i.test(message)) return new NotMcpServerError(this.url.href, message);
    if (/UnauthorizedError|Unauthorized/.test(`${(err as Error)?.name} ${message}`)) return new UpstreamHttpError(this.url.href, 401, message);
    const http = /\(HTTP (\d{3})\)/.exec(message);
    if (http) return new UpstreamHttpError(this.url.href, Number(http[1]), detailOf(message.replace(/^.*?\(HTTP \d{3}\):\s*/, '')));
    return err instanceof Error ? err : new Error(message);
  }

  private warn(message: string): void {
    if (message === this.lastWarning) return;
    this.lastWarning = message;
    this.log.warn(message);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pingTimer) clearInterval(this.pingTimer);
    for (const p of this.pending.values()) if (p.timer) clearTimeout(p.timer);
    this.pending.clear();
    const inner = this.inner;
    this.inner = undefined;
    if (inner instanceof StreamableHTTPClientTransport && inner.sessionId) {
      await Promise.race([inner.terminateSession().catch(() => {}), new Promise((r) => setTimeout(r, 1_000))]);
    }
    this.detach(inner);
    this.onclose?.();
  }
}

/** A tools/call in the 2026-07-28 envelope (only those carry Mcp-Param-* headers): the tool, its arguments, the envelope. */
function modernToolCall(m: Message): { name: string; args: unknown; meta: Record<string, unknown> } | undefined {
  if (!isRequest(m) || m.method !== 'tools/call') return undefined;
  const params = (m as { params?: { name?: unknown; arguments?: unknown; _meta?: Record<string, unknown> } }).params;
  const meta = params?._meta;
  if (typeof params?.name !== 'string' || typeof meta?.['io.modelcontextprotocol/protocolVersion'] !== 'string') return undefined;
  const { progressToken: _token, ...envelope } = meta;
  void _token;
  return { name: params.name, args: params.arguments, meta: envelope };
}

/** The useful part of an HTTP error body: a JSON-RPC error message, or a short snippet of text. */
function detailOf(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const t = text.replace(/^Error POSTing to endpoint:\s*/, '');
  try {
    const body = JSON.parse(t) as { error?: { message?: string } | string; message?: string };
    const msg = typeof body.error === 'string' ? body.error : body.error?.message ?? body.message;
    if (msg) return msg;
  } catch {
    /* not JSON */
  }
  const plain = t.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
  return plain ? plain.slice(0, 200) : undefined;
}
