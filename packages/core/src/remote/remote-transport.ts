import {
  extractWWWAuthenticateParams,
  InsufficientScopeError,
  SdkErrorCode,
  SdkHttpError,
  SSEClientTransport,
  SseError,
  StreamableHTTPClientTransport,
  type AuthProvider,
} from '@modelcontextprotocol/client';
import type { Transport } from '../transport.js';
import { ErrorCode, errorResponse, isNotification, isRequest, isResponse, serialize, type Message, type RequestId } from '../jsonrpc.js';
import { silentLogger, type Logger } from '../log.js';
import { SwitchboardError } from '../errors.js';
import { createRemoteFetch, type FetchLike, type ResponseInfo } from './fetch.js';
import { NotMcpServerError, SessionLostError, UpstreamError, UpstreamHttpError, UpstreamTimeoutError } from './errors.js';
import { fallbackWorthy, sessionLostBy, translateError } from './error-map.js';
import { FastPoster, type Refusal } from './fast-post.js';
import { createInner, detachInner, startInner, type Inner, type InnerKind } from './inner.js';
import { requestTimeoutOf, type RemoteTransportOptions } from './options.js';
import { PendingCalls } from './pending.js';
import { retryWithin } from './recovery.js';
import { StandaloneGate } from './standalone-gate.js';
import { stepUpFor } from './step-up.js';
import { ToolParamHeaders } from './tool-params.js';

export { DEFAULT_REQUEST_TIMEOUT_MS, requestTimeoutOf, type RemoteTransportKind, type RemoteTransportOptions } from './options.js';

const INTERNAL_PREFIX = 'switchboard-';

/**
 * An upstream transport for a remote MCP server over HTTP. It is one raw Transport whatever the server speaks:
 * - picks Streamable HTTP or legacy SSE from the answer to the client's own first request (no probe session);
 * - captures the client's initialize and replays it when the session is lost (404, or a restarted server), then
 *   retries the request once, so the client sees a restart only as a delay;
 * - keeps the GET stream open with backoff and Last-Event-ID (SDK), sets the negotiated protocol version;
 * - turns HTTP and network failures into typed errors with actionable messages (the pipe answers with them).
 * Messages cross unchanged: ids, sampling, elicitation, progress, cancellation, logging, list_changed, pagination.
 *
 * This module is the session's state machine; each concern it leans on has its own module: the SDK transports
 * (inner.ts), requests in flight (pending.ts), the GET stream gate (standalone-gate.ts), the recovery loop
 * (recovery.ts), OAuth step-up (step-up.ts), Mcp-Param-* headers (tool-params.ts) and error mapping (error-map.ts).
 */
export class RemoteTransport implements Transport {
  onmessage?: (message: Message) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;

  readonly url: URL;
  private readonly log: Logger;
  private readonly fetchFn: FetchLike;
  private inner?: Inner;
  private kindDecided?: InnerKind;
  private ready?: Promise<void>;
  private reiniting?: Promise<void>;
  private initRequest?: Message;
  private initialized = false;
  private readonly standalone = new StandaloneGate();
  private connected = false;
  private generation = 0;
  /** The session generation each inner transport's messages belong to. */
  private readonly innerGeneration = new WeakMap<Inner, number>();
  private sseOpens = 0;
  private readonly pending: PendingCalls;
  private internalSeq = 0;
  private pingTimer?: NodeJS.Timeout;
  private closed = false;
  private lastWarning = '';
  /** x-mcp-header declarations from the tools/list results seen so far (2026-07-28 remotes). */
  private readonly params: ToolParamHeaders;
  /** The hot path for POSTs on an established session, once loaded (undefined: not yet, or not usable here). */
  private fast?: FastPoster;
  private fastLoading = false;

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
    this.pending = new PendingCalls({
      // The initialize answer is part of connecting: --connect-timeout bounds its steps (with errors that say which
      // one failed), so a short --timeout, which bounds calls, must not cut it first. A backstop still ends a
      // handshake that never completes.
      limitFor: (method) => {
        const calls = requestTimeoutOf(this.options);
        return method === 'initialize' ? Math.max(calls ?? 0, 2 * this.connectTimeoutMs) : calls;
      },
      onTimeout: (id, p, limit) => {
        const msg = new UpstreamTimeoutError(this.url.href, limit, `answer ${p.method}`).message;
        this.warn(msg);
        this.deliverDown(errorResponse(id, -32001, msg));
        void this.sendInner({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'timed out' } } as Message).catch(() => {});
      },
    });
    this.params = new ToolParamHeaders(
      (params) => this.internalRequest('tools', 'tools/list', params).then((res) => (res as { result?: { nextCursor?: string } }).result),
      (err) => this.log.debug({ err: err.message }, 'listing tools for Mcp-Param headers failed'),
    );
  }

  get kind(): InnerKind | undefined {
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

  // ---- inner transports ----------------------------------------------------------------------------------

  private makeInner(kind: InnerKind): Inner {
    const inner = createInner(kind, this.url, this.options, this.fetchFn);
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
    try {
      await startInner(inner, this.url, this.connectTimeoutMs);
    } catch (err) {
      detachInner(inner);
      throw this.translate(err);
    }
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
    if (this.ready) await this.params.prepare(m);
    if (isRequest(m)) this.pending.track(m, this.generation);
    // Set before initialized goes out, not after: a request arriving while its POST is under way must wait too.
    const opensStream = isNotification(m) && m.method === 'notifications/initialized' && this.kindDecided === 'streamable-http' && !!this.sessionId;
    if (opensStream) this.standalone.latch();
    try {
      const gate = this.standalone.passage;
      if (gate && isRequest(m)) await gate;
      try {
        await this.deliver(m);
      } finally {
        // The SDK opens the GET stream once initialized is accepted: from then on, wait for it only so long.
        if (opensStream) this.standalone.bound();
      }
      if (isRequest(m)) this.markSent(m.id);
    } catch (err) {
      if (isRequest(m)) this.pending.untrack(m.id);
      const e = this.translate(err);
      this.warn(e.message);
      throw e;
    }
  }

  private markSent(id: RequestId): void {
    const p = this.pending.get(id);
    if (p) p.sent = true;
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
    const inner = this.inner;
    // Closed (or the transport choice failed) while this send waited: there is no session to send on.
    if (!inner) throw new SwitchboardError('SB_TRANSPORT_CLOSED', `connection to ${this.url.href} is closed`);
    try {
      if (isRequest(m)) {
        const p = this.pending.get(m.id);
        if (p) p.generation = this.generation;
      }
      if (inner instanceof StreamableHTTPClientTransport) {
        if (!retried && this.fastPathFor(m) && (await this.postFast(this.fast!, inner, m))) {
          if (isRequest(m)) this.markSent(m.id);
          return;
        }
        const headers = this.params.headersFor(m);
        await inner.send(m as never, isRequest(m) ? { onRequestStreamEnd: () => this.streamEnded(m.id), headers } : undefined);
      } else {
        await inner.send(m as never);
      }
      if (isRequest(m)) this.markSent(m.id);
    } catch (err) {
      const stepUp = retried ? undefined : stepUpFor(this.options.authProvider, err);
      if (stepUp) {
        await stepUp();
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

  /**
   * Is this message for the hot path? A 2025-era request, answer or notification on an established Streamable HTTP
   * session, with no custom fetch and a bearer-token (or no) auth provider. The handshake, 2026-07-28 envelopes
   * (body-derived headers, 400 bodies as answers) and everything else keep the SDK's path.
   */
  private fastPathFor(m: Message): boolean {
    if (!this.connected || this.kindDecided !== 'streamable-http' || this.options.fetch || this.closed) return false;
    const auth = this.options.authProvider as { token?: unknown; tokens?: unknown } | undefined;
    if (auth && typeof auth.token !== 'function') return false;
    const method = (m as { method?: string }).method;
    if (method === 'initialize' || method === 'notifications/initialized') return false;
    const meta = (m as { params?: { _meta?: Record<string, unknown> } }).params?._meta;
    if (meta && meta['io.modelcontextprotocol/protocolVersion'] !== undefined) return false;
    if (this.fast) return true;
    if (!this.fastLoading) {
      this.fastLoading = true;
      FastPoster.create(this.url).then(
        (fast) => {
          if (this.closed) fast.close();
          else this.fast = fast;
        },
        (err: Error) => this.log.debug({ err: err.message }, 'the HTTP fast path is unavailable; using the SDK transport'),
      );
    }
    return false;
  }

  /** Sends m on the hot path; false when the server turned it away unprocessed (the SDK's path then handles that). */
  private async postFast(fast: FastPoster, inner: StreamableHTTPClientTransport, m: Message): Promise<boolean> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const token = await (this.options.authProvider as { token?: () => Promise<string | undefined> } | undefined)?.token?.();
    if (token) headers.authorization = `Bearer ${token}`;
    if (inner.sessionId) headers['mcp-session-id'] = inner.sessionId;
    if (inner.protocolVersion) headers['mcp-protocol-version'] = inner.protocolVersion;
    // Configured headers never replace one the transport set itself (as createRemoteFetch does on the SDK's path).
    for (const [k, v] of Object.entries(this.options.headers ?? {})) {
      const key = k.toLowerCase();
      if (!(key in headers)) headers[key] = v;
    }
    const generation = this.innerGeneration.get(inner) ?? this.generation;
    const request = isRequest(m);
    const outcome = await fast.post(serialize(m), headers, request ? 0 : this.connectTimeoutMs, request, {
      message: (answer) => {
        if (this.inner === inner) this.fromUpstream(answer, generation);
      },
      end: (answered, lastEventId, retryMs) => {
        if (answered || !request || this.closed) return;
        if (!lastEventId) return this.streamEnded(m.id); // the answer will never come
        // The stream broke before the answer, and the server gave event ids: resume it with Last-Event-ID through
        // the SDK, after the server's retry (else the first reconnection delay), as the SDK does for its own streams.
        setTimeout(() => {
          if (this.closed || this.inner !== inner || !this.pending.get(m.id)) return;
          inner.send(m as never, { resumptionToken: lastEventId }).catch(() => this.streamEnded(m.id));
        }, retryMs ?? this.options.reconnect?.initialDelayMs ?? 500);
      },
      invalid: (err) => this.log.debug({ err: err.message }, 'upstream sent an invalid message; dropped'),
    });
    if (outcome === 'sent') return true;
    return this.refused(outcome);
  }

  /**
   * A POST the server turned away unprocessed, answered as the SDK's transport would: a redirect or a 401 goes to
   * the SDK's path (which follows same-origin redirects, and re-sends after onUnauthorized() has authorized again);
   * 403 insufficient_scope is the SDK's InsufficientScopeError (step-up follows); anything else its HTTP error.
   */
  private async refused(r: Refusal): Promise<false> {
    const auth = this.options.authProvider as AuthProvider | undefined;
    if (r.status < 400) return false;
    if (r.status === 401 && auth) {
      await auth.onUnauthorized?.({ response: new Response(r.text, { status: r.status, headers: r.headers }), serverUrl: this.url, fetchFn: this.fetchFn });
      return false;
    }
    if (r.status === 403) {
      const { scope, resourceMetadataUrl, error, errorDescription } = extractWWWAuthenticateParams(new Response(null, { status: 403, headers: r.headers }));
      if (error === 'insufficient_scope') throw new InsufficientScopeError({ requiredScope: scope, resourceMetadataUrl, errorDescription });
    }
    throw new SdkHttpError(SdkErrorCode.ClientHttpNotImplemented, `Error POSTing to endpoint: ${r.text}`, { status: r.status, statusText: '', text: r.text });
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
        if (mode === 'streamable-http' || !fallbackWorthy(err)) throw err;
        detachInner(inner);
        this.inner = undefined;
        const why = this.translate(err).message;
        this.log.info({ reason: why }, 'Streamable HTTP refused the first request; trying legacy SSE');
        try {
          await this.openSse();
          await (this.inner as unknown as SSEClientTransport).send(first as never);
          return;
        } catch (sseErr) {
          detachInner(this.inner);
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

  private isSessionLost(err: unknown, m: Message): boolean {
    if (!this.initRequest || (isRequest(m) && m.method === 'initialize')) return false;
    return sessionLostBy(err, this.kindDecided);
  }

  // ---- session recovery ----------------------------------------------------------------------------------

  /** Sees every upstream response: a GET stream refused for our session, or a second SSE stream (new session), means re-initialize. */
  private observe(info: ResponseInfo): void {
    if (this.closed || !this.initRequest) return;
    if (info.method === 'GET') this.standalone.opened();
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
      try {
        const { attempts } = await retryWithin(this.options.recoveryWindowMs ?? 60_000, (n) => this.reinitialize(keepInner && n === 1), {
          translate: (err) => this.translate(err),
          giveUp: (e) => this.closed || (e instanceof UpstreamHttpError && [401, 403].includes(e.status)),
          retry: (e, n) => this.log.debug({ err: e.message, attempt: n }, 're-initialize failed; retrying'),
        });
        this.log.info({ reason, attempt: attempts }, 'upstream session re-established');
      } catch (err) {
        const e = err as Error;
        this.warn(`could not re-establish the session with ${this.url.href}: ${e.message}`);
        throw e;
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
      detachInner(old);
      const inner = this.makeInner(this.kindDecided ?? 'streamable-http');
      this.inner = inner;
      if (inner instanceof SSEClientTransport) this.sseOpens = 0;
      await this.startInner(inner);
    }
    this.failStale();
    const inner = this.inner!;
    const id = `${INTERNAL_PREFIX}reinit-${++this.internalSeq}`;
    const answer = this.expect(id);
    await inner.send({ ...this.initRequest, id } as never);
    const res = (await answer) as { result?: { protocolVersion?: string }; error?: { message?: string } };
    if (res.error) throw new UpstreamError('SB_REINIT', `re-initialize was refused: ${res.error.message}`);
    if (res.result?.protocolVersion) inner.setProtocolVersion(res.result.protocolVersion);
    this.connected = true;
    if (!this.initialized) return;
    const opensStream = inner instanceof StreamableHTTPClientTransport;
    if (opensStream) this.standalone.latch();
    try {
      await inner.send({ jsonrpc: '2.0', method: 'notifications/initialized' } as never);
    } finally {
      if (opensStream) this.standalone.bound();
    }
  }

  /** Requests sent on a lost session will never be answered: answer them now. */
  private failStale(): void {
    for (const [id, p] of [...this.pending.entries()]) {
      if (p.generation >= this.generation || p.internal || !p.sent) continue;
      this.pending.untrack(id);
      this.deliverDown(errorResponse(id, ErrorCode.ConnectionClosed, new SessionLostError(this.url.href).message));
    }
  }

  /** Legacy SSE: fails every request the broken event stream of this generation still owed an answer. */
  private sseStreamLost(generation: number): void {
    const owed = [...this.pending.entries()].filter(([, p]) => !p.internal && p.sent && p.generation === generation);
    if (!owed.length) return;
    this.warn(`upstream ${this.url.href} closed the SSE stream with ${owed.length} request(s) unanswered; failing them`);
    for (const [id, p] of owed) {
      this.pending.untrack(id);
      this.deliverDown(errorResponse(id, ErrorCode.ConnectionClosed, `upstream ${this.url.href} closed the SSE stream before answering ${p.method}; retry the call`));
    }
  }

  /** A POST response stream ended: if its request is still unanswered, it never will be. */
  private streamEnded(id: RequestId): void {
    setImmediate(() => {
      const p = this.pending.get(id);
      if (!p || p.internal || this.reiniting) return;
      this.pending.untrack(id);
      const msg = `upstream ${this.url.href} closed the response stream before answering ${p.method}; retry the call`;
      this.warn(msg);
      this.deliverDown(errorResponse(id, ErrorCode.ConnectionClosed, msg));
    });
  }

  private async ping(): Promise<void> {
    if (!this.connected || this.reiniting || this.closed) return;
    try {
      await this.internalRequest('ping', 'ping');
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'keep-alive ping failed');
    }
  }

  /** One request of our own on the current session (not the client's: its answer comes back here). */
  private async internalRequest(tag: string, method: string, params?: Record<string, unknown>): Promise<Message> {
    if (tag === 'tools') {
      await this.ready;
      if (this.reiniting) await this.reiniting;
    }
    const id = `${INTERNAL_PREFIX}${tag}-${++this.internalSeq}`;
    const answer = this.expect(id);
    try {
      await this.sendInner({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) } as Message);
    } catch (err) {
      this.pending.untrack(id);
      answer.catch(() => {});
      throw err;
    }
    return answer;
  }

  /** Until close(): recovery keeps the remote session alive underneath. */
  get alive(): boolean {
    return !this.closed;
  }

  /** Client requests sent upstream and not yet answered. */
  get inflight(): number {
    return this.pending.inflight;
  }

  private expect(id: string): Promise<Message> {
    const limit = this.connectTimeoutMs;
    return this.pending.expect(id, this.generation, limit, () => new UpstreamTimeoutError(this.url.href, limit, 'answer'));
  }

  // ---- receiving -----------------------------------------------------------------------------------------

  private fromUpstream(m: Message, generation: number): void {
    if (isResponse(m)) {
      const p = this.pending.get(m.id);
      if (p?.internal) {
        this.pending.untrack(m.id);
        p.internal(m);
        return;
      }
      this.connected = true;
      if (typeof m.id === 'string' && m.id.startsWith(INTERNAL_PREFIX)) return;
      if (p?.method === 'tools/list' && 'result' in m) this.params.learn(m.result);
      if (p && p.generation !== generation && generation < this.generation) return;
      this.pending.untrack(m.id);
      if (this.initRequest && m.id === this.initRequest.id && 'result' in m) {
        const v = (m.result as { protocolVersion?: string } | undefined)?.protocolVersion;
        if (v) this.inner?.setProtocolVersion(v);
        this.connected = true;
      }
    } else if (isNotification(m) && m.method === 'notifications/progress') {
      this.pending.progressed((m.params as { progressToken?: string | number } | undefined)?.progressToken);
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
    return translateError(this.url.href, err);
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
    this.pending.clear();
    this.fast?.close();
    const inner = this.inner;
    this.inner = undefined;
    if (inner instanceof StreamableHTTPClientTransport && inner.sessionId) {
      await Promise.race([inner.terminateSession().catch(() => {}), new Promise((r) => setTimeout(r, 1_000))]);
    }
    detachInner(inner);
    this.onclose?.();
  }
}
