import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { AuthInfo, CallExtra, Transport } from '../transport.js';
import { ErrorCode, clientText, errorResponse, isJsonRpcMessage, isRequest, type Message } from '../jsonrpc.js';
import { silentLogger, type Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { META, MODERN_PROTOCOL_VERSION, SESSION_PROTOCOL_VERSIONS, isSessionProtocolVersion } from '../protocol.js';
import type { Era } from '../upstream/upstream.js';
import type { Authenticator } from './auth/authenticator.js';
import { apiKeyAuthenticator } from './auth/api-key.js';
import { apiKeyFromSecret, type ApiKey } from './auth/key-file.js';
import { BodyTooLargeError, readBody } from './body.js';
import { checkIds } from './ids.js';
import { LegacySseSession } from './legacy-sse-session.js';
import { ModernRequestTransport } from './modern-request.js';
import { checkModernRequest } from './modern-headers.js';
import { ParamHeaderRule } from './param-headers.js';
import { authenticate, cors, hostGuard, originGuard, refuseWith, wellKnown, type FaceRequest, type Middleware, type Refuse } from './middleware.js';
import { defaultAllowedHosts, isLoopbackBind, type SecurityOptions } from './security.js';
import { StreamableSession } from './streamable-session.js';
import { evictionCandidate, handshakeExpired, idlest } from './session-expiry.js';

/** What the face hands over for each client: a 2025 session (Streamable HTTP or SSE) or one 2026-07-28 request. */
export interface SessionInfo {
  kind: 'streamable' | 'sse' | 'request';
  /** The session id; for a request, its JSON-RPC id. */
  id: string;
  era: Era;
  /** The caller, when the face authenticates. Every message of the session carries it too. */
  authInfo?: AuthInfo;
}

export interface HttpFaceOptions {
  host?: string;
  port?: number;
  basePath?: string;
  mcpPath?: string;
  ssePath?: string;
  messagesPath?: string;
  /** The URL clients reach us at, when a proxy sits in front (used for the legacy endpoint event). */
  publicUrl?: string;
  /** Honour X-Forwarded-Proto/Host/Prefix (only behind a proxy you run). */
  trustProxy?: boolean;
  allowedHosts?: string[];
  cors?: string[];
  /** API keys: plain secrets (each gets a stable id derived from its hash) or entries of a key file (ids, scopes). */
  apiKeys?: (string | ApiKey)[];
  /**
   * Who may call, in order (API keys first): the first that accepts a request's credential decides. Promises are
   * awaited by listen() (a JWT authenticator loads its library on creation).
   */
  authenticators?: (Authenticator | Promise<Authenticator>)[];
  maxBodyBytes?: number;
  /**
   * Time to receive a whole request, headers and body (default 30 s; headers alone get at most 10 s of it): a client
   * that sends slower gets 408 and its socket closed. Responses are not bounded, so SSE streams live on.
   */
  requestTimeoutMs?: number;
  /** Open connections one client address may hold (default 256, 0 = no cap); beyond it a new one gets 429 and is closed. */
  maxConnectionsPerClient?: number;
  sessionIdleTimeoutMs?: number;
  /**
   * A session that has not completed the MCP handshake (initialize, then notifications/initialized) and waits on
   * nothing is closed after this long idle (default 10 s); when maxSessions is reached, such sessions make room first.
   */
  handshakeTimeoutMs?: number;
  maxSessions?: number;
  /** Starts every session id: a replica's name, so a proxy in front of several replicas can route by it. */
  sessionIdPrefix?: string;
  keepaliveMs?: number;
  replayMaxEvents?: number;
  replayMaxBytes?: number;
  enableStreamableHttp?: boolean;
  enableSse?: boolean;
  logger?: Logger;
  metrics?: Metrics;
  /**
   * Connects a client to its upstream: a 2025 session, or one 2026-07-28 request (started by the callee once
   * piped). A rejection refuses the client with 503.
   */
  onSession(session: Transport, info: SessionInfo): Promise<void>;
  /** Silences the warning for a non-loopback bind with no authentication (a proxy in front authenticates). */
  allowUnauthenticated?: boolean;
  /** Serve 2026-07-28 (stateless) requests (default true); otherwise they are refused as unsupported. */
  serveModern?: boolean;
  /** Readiness in words: never a command line or a secret (it is shown to anyone who may call). */
  readiness?(): { ready: boolean; reason?: string; detail?: Record<string, unknown> };
}

type Session = StreamableSession | LegacySseSession;

function trimSlash(p: string): string {
  return p === '/' ? '' : p.replace(/\/+$/, '');
}

/**
 * The HTTP face: Streamable HTTP (2025 sessions and 2026 stateless requests) and legacy HTTP+SSE on one port,
 * with the status codes the spec names, Host/Origin/CORS/API-key checks, health and metrics.
 */
export class HttpFace {
  readonly server: http.Server;
  private readonly o: Required<
    Pick<
      HttpFaceOptions,
      'host' | 'port' | 'mcpPath' | 'ssePath' | 'messagesPath' | 'maxBodyBytes' | 'sessionIdleTimeoutMs' | 'handshakeTimeoutMs' | 'maxSessions' | 'keepaliveMs' | 'replayMaxEvents' | 'replayMaxBytes'
    >
  > & { basePath: string };
  private readonly security: SecurityOptions;
  private authenticators: Authenticator[] = [];
  private gate: Middleware[] = [];
  private readonly refuse: Refuse;
  private readonly sessions = new Map<string, Session>();
  /** Open sockets per client address. */
  private readonly perClient = new Map<string, number>();
  /** Mcp-Param-* header rules of the tools seen in 2026-07-28 tools/list results. */
  private readonly paramHeaders = new ParamHeaderRule();
  private readonly log: Logger;
  private reaper?: NodeJS.Timeout;
  /**
   * Sessions whose upstream is still being opened (a child starting): not idle whatever their clocks say, and never
   * closed to make room, since the connection being opened would outlive them.
   */
  private readonly opening = new Set<Session>();
  private draining = false;
  /** Set before listen(); loaded lazily by its owner because prom-client is slow to import. */
  metrics?: Metrics;

  constructor(private readonly options: HttpFaceOptions) {
    const host = options.host ?? '127.0.0.1';
    this.o = {
      host,
      port: options.port ?? 8080,
      basePath: trimSlash(options.basePath ?? ''),
      mcpPath: options.mcpPath ?? '/mcp',
      ssePath: options.ssePath ?? '/sse',
      messagesPath: options.messagesPath ?? '/messages',
      maxBodyBytes: options.maxBodyBytes ?? 16 * 1024 * 1024,
      sessionIdleTimeoutMs: options.sessionIdleTimeoutMs ?? 30 * 60_000,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
      maxSessions: options.maxSessions ?? 1000,
      keepaliveMs: options.keepaliveMs ?? 15_000,
      replayMaxEvents: options.replayMaxEvents ?? 1000,
      replayMaxBytes: options.replayMaxBytes ?? 8 * 1024 * 1024,
    };
    this.log = options.logger ?? silentLogger;
    this.metrics = options.metrics;
    const extraHosts = [...(options.allowedHosts ?? [])];
    if (options.publicUrl) extraHosts.push(new URL(options.publicUrl).host.toLowerCase(), new URL(options.publicUrl).hostname.toLowerCase());
    this.security = {
      allowedHosts: defaultAllowedHosts(host, extraHosts.map((h) => h.toLowerCase())),
      corsOrigins: options.cors ?? [],
    };
    this.refuse = refuseWith((reason) => this.metrics?.rejections.inc({ reason }));
    const requestTimeout = options.requestTimeoutMs ?? 30_000;
    const headersTimeout = Math.min(requestTimeout, 10_000);
    this.server = http.createServer(
      {
        // Node's own timers bound only the receipt of a request: a slow sender (slowloris, a body that never comes)
        // gets 408 and loses its socket, also before authentication. A GET's request is complete once its headers
        // are in, so the long-lived SSE streams are never cut by these.
        requestTimeout,
        headersTimeout,
        keepAliveTimeout: 65_000,
        // Node checks the timeouts on this interval, so it also bounds how late a slow sender is cut.
        connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeout / 4))),
      },
      (req, res) =>
      this.handle(req, res).catch((err: Error) => {
        this.log.error({ err: err.message }, 'request handler failed');
        if (!res.headersSent) this.json(res, 500, errorResponse(null, ErrorCode.InternalError, 'internal error'));
        else res.end();
      }),
    );
    const cap = options.maxConnectionsPerClient ?? 256;
    if (cap > 0) this.server.on('connection', (socket) => this.limitPerClient(socket, cap));
    // Load balancers commonly idle-close at 60 s: keep our side open longer so they close first.
    this.server.keepAliveTimeout = 65_000;
  }

  /**
   * One address may hold at most `cap` sockets, so one client (or one attacker) cannot use up the file descriptors
   * every other client needs. The refusal is written raw: no request has been parsed on this socket yet.
   */
  private limitPerClient(socket: Socket, cap: number) {
    const who = socket.remoteAddress ?? '';
    const open = (this.perClient.get(who) ?? 0) + 1;
    if (open > cap) {
      this.metrics?.rejections.inc({ reason: 'connections' });
      this.log.warn({ client: who, limit: cap }, 'connection refused: too many open connections from one address (raise --max-connections-per-client)');
      const body = JSON.stringify(errorResponse(null, ErrorCode.InvalidRequest, `Too Many Requests: this address already holds ${cap} connections (--max-connections-per-client)`));
      socket.on('error', () => {});
      socket.end(
        `HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n${body}`,
      );
      // A client that never reads must not keep the refused socket either.
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    this.perClient.set(who, open);
    socket.once('close', () => {
      const n = (this.perClient.get(who) ?? 1) - 1;
      if (n > 0) this.perClient.set(who, n);
      else this.perClient.delete(who);
    });
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Authentication, then the gate: who may reach us at all, then who is calling. */
  private async buildGate(): Promise<void> {
    const keys = (this.options.apiKeys ?? []).map((k, i) => (typeof k === 'string' ? apiKeyFromSecret(k, { source: 'apiKeys', where: `#${i + 1}` }) : k));
    this.authenticators = [...(keys.length ? [apiKeyAuthenticator(keys)] : []), ...(await Promise.all(this.options.authenticators ?? []))];
    this.gate = [
      hostGuard(this.security.allowedHosts, this.refuse),
      originGuard(this.security, this.refuse),
      cors(this.security),
      (c) => c.path === '/readyz' && this.readyz(c),
      wellKnown(this.authenticators),
      authenticate(this.authenticators, this.refuse),
    ];
  }

  /** True once listen() knows who may call: some authenticator is configured. */
  get authenticated(): boolean {
    return this.authenticators.length > 0;
  }

  async listen(): Promise<{ url: string; port: number }> {
    await this.buildGate();
    if (!isLoopbackBind(this.o.host) && !this.options.allowedHosts?.length && !this.options.publicUrl) {
      this.log.warn({ host: this.o.host }, 'listening beyond loopback without --allowed-host or --public-url: Host header is not checked');
    }
    if (!isLoopbackBind(this.o.host) && !this.authenticated && !this.options.allowUnauthenticated) {
      this.log.warn(
        { host: this.o.host },
        'LISTENING BEYOND LOOPBACK WITH NO AUTHENTICATION: anyone who can reach this address can use the server and its tools. Add --api-key-file (or --jwt-issuer), or pass --allow-unauthenticated if a proxy in front authenticates',
      );
    }
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.o.port, this.o.host, () => resolve());
    });
    const port = (this.server.address() as AddressInfo).port;
    const sweep = Math.max(250, Math.min(30_000, this.o.sessionIdleTimeoutMs / 4, this.o.handshakeTimeoutMs / 4));
    this.reaper = setInterval(() => this.reap(), sweep);
    this.reaper.unref();
    const h = this.o.host.includes(':') ? `[${this.o.host}]` : this.o.host;
    return { url: `http://${h}:${port}${this.o.basePath}${this.o.mcpPath}`, port };
  }

  /** Stop accepting; existing sessions keep running until closeSessions(). */
  async stopAccepting(): Promise<void> {
    this.draining = true;
    clearInterval(this.reaper);
    await new Promise<void>((r) => {
      this.server.close(() => r());
      this.server.closeIdleConnections();
      setTimeout(r, 1000).unref();
    });
  }

  async closeSessions(): Promise<void> {
    await Promise.allSettled([...this.sessions.values()].map((s) => s.close()));
    this.server.closeAllConnections();
  }

  private reap() {
    const now = Date.now();
    const limits = { idleMs: this.o.sessionIdleTimeoutMs, handshakeMs: this.o.handshakeTimeoutMs };
    for (const [id, s] of this.sessions) {
      if (this.opening.has(s)) continue;
      if (handshakeExpired(s, now, limits)) {
        this.log.info({ session: id }, 'session closed: it did not complete the MCP handshake (initialize, notifications/initialized) in time');
        this.metrics?.sessionsExpired.inc();
        void s.close();
        continue;
      }
      const busy = s instanceof StreamableSession ? s.openStreams > 0 : true;
      if (!busy && now - s.lastActivity > this.o.sessionIdleTimeoutMs) {
        this.log.info({ session: id }, 'session expired after idle timeout');
        this.metrics?.sessionsExpired.inc();
        void s.close();
      }
    }
  }

  private route(pathname: string): string {
    const base = this.o.basePath;
    if (base && (pathname === base || pathname.startsWith(base + '/'))) return pathname.slice(base.length) || '/';
    return pathname;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = this.route(q >= 0 ? url.slice(0, q) : url);
    if (path === '/healthz') return this.text(res, 200, 'ok\n');
    const c: FaceRequest = { req, res, path };
    for (const step of this.gate) if (await step(c)) return;
    if (path === '/metrics' && this.metrics) {
      const { contentType, body } = await this.metrics.render();
      res.writeHead(200, { 'content-type': contentType }).end(body);
      return;
    }
    if (this.options.enableStreamableHttp !== false && path === this.o.mcpPath) {
      await this.handleMcp(c);
      this.metrics?.observe(req.method ?? 'GET', started);
      return;
    }
    if (this.options.enableSse !== false && path === this.o.ssePath) return this.handleSseOpen(c);
    if (this.options.enableSse !== false && path === this.o.messagesPath) return this.handleSseMessage(c, q >= 0 ? url.slice(q) : '');
    return this.text(res, 404, 'not found\n');
  }

  /**
   * Readiness: the status code for anyone who may reach us; the reason and detail only for callers who could call
   * us anyway (no authentication configured, or a credential that passes).
   */
  private async readyz(c: FaceRequest): Promise<boolean> {
    const r = this.options.readiness?.() ?? { ready: true };
    let detailed = !this.authenticators.length;
    if (!detailed) {
      for (const a of this.authenticators) {
        try {
          if (await a.authenticate(c.req)) detailed = true;
        } catch {
          // a refused credential sees the status code only
        }
        if (detailed) break;
      }
    }
    const body = detailed ? { ready: r.ready, ...(r.reason ? { reason: r.reason } : {}), sessions: this.sessions.size, ...r.detail } : { ready: r.ready };
    this.json(c.res, r.ready ? 200 : 503, body);
    return true;
  }

  // ---- Streamable HTTP -------------------------------------------------------------------------

  private async handleMcp(c: FaceRequest): Promise<void> {
    const { req, res } = c;
    const method = req.method;
    if (method === 'POST') return this.handleMcpPost(c);
    if (method === 'GET' || method === 'DELETE') {
      const session = this.sessionFor(c);
      if (!session) return;
      if (method === 'DELETE') {
        await session.close();
        return void res.writeHead(200).end();
      }
      if (!accepts(req, 'text/event-stream')) return this.reject(res, 406, 'accept', 'GET needs Accept: text/event-stream');
      return session.handleGet(req, res);
    }
    res.setHeader('allow', 'GET, POST, DELETE');
    return this.reject(res, 405, 'method', `method ${method} is not allowed on ${this.o.mcpPath}`);
  }

  /**
   * The session named by Mcp-Session-Id; answers 400 (missing) or 404 (unknown) itself. A session belongs to the
   * caller that opened it: another caller's credential sees it as unknown.
   */
  private sessionFor(c: FaceRequest): StreamableSession | undefined {
    const { req, res } = c;
    const id = req.headers['mcp-session-id'];
    if (typeof id !== 'string' || !id) {
      this.reject(res, 400, 'session', 'Bad Request: Mcp-Session-Id header is required', ErrorCode.InvalidRequest);
      return undefined;
    }
    const s = this.sessions.get(id);
    if (!(s instanceof StreamableSession) || s.owner !== c.authInfo?.clientId) {
      this.reject(res, 404, 'session', 'Session not found: it expired or the server restarted; initialize a new session', ErrorCode.SessionNotFound);
      return undefined;
    }
    const pv = req.headers['mcp-protocol-version'];
    if (typeof pv === 'string' && !isSessionProtocolVersion(pv)) {
      this.reject(res, 400, 'protocol-version', `Unsupported MCP-Protocol-Version "${pv}" (supported: ${SESSION_PROTOCOL_VERSIONS.join(', ')})`);
      return undefined;
    }
    return s;
  }

  private async handleMcpPost(c: FaceRequest): Promise<void> {
    const { req, res } = c;
    if (!isJsonContentType(req.headers['content-type'])) {
      return this.reject(res, 415, 'content-type', 'Unsupported Media Type: Content-Type must be application/json');
    }
    const parsed = await this.readJson(req, res);
    if (parsed === undefined) return;
    const sessionId = req.headers['mcp-session-id'];
    const messages = Array.isArray(parsed) ? parsed : [parsed];
    if (!messages.length || !messages.every(isJsonRpcMessage)) {
      return this.reject(res, 400, 'invalid', 'Invalid Request: the body must be a JSON-RPC 2.0 message', ErrorCode.InvalidRequest);
    }
    if (typeof sessionId === 'string' && sessionId) {
      const session = this.sessionFor(c);
      if (!session) return;
      if (Array.isArray(parsed) && session.protocolVersion !== '2025-03-26') {
        return this.reject(res, 400, 'batch', 'Invalid Request: JSON-RPC batches are only allowed on protocol 2025-03-26', ErrorCode.InvalidRequest);
      }
      if (!acceptsBoth(req)) return this.reject(res, 406, 'accept', 'Not Acceptable: Accept must list application/json and text/event-stream');
      return session.handlePost(res, messages, this.extraOf(c));
    }
    const first = messages[0] as Message & { method?: string; params?: { protocolVersion?: string } };
    if (!Array.isArray(parsed) && isRequest(first) && first.method === 'initialize' && !carriesEnvelope(first)) {
      if (!acceptsBoth(req)) return this.reject(res, 406, 'accept', 'Not Acceptable: Accept must list application/json and text/event-stream');
      return this.openStreamable(c, first);
    }
    if (Array.isArray(parsed)) return this.reject(res, 400, 'batch', 'Invalid Request: batches are not allowed without a session', ErrorCode.InvalidRequest);
    return this.handleSessionless(c, first);
  }

  private extraOf(c: FaceRequest): CallExtra | undefined {
    const traceparent = c.req.headers.traceparent;
    if (typeof traceparent !== 'string') return c.authInfo ? { authInfo: c.authInfo } : undefined;
    const tracestate = c.req.headers.tracestate;
    const trace = { traceparent, ...(typeof tracestate === 'string' ? { tracestate } : {}) };
    return c.authInfo ? { authInfo: c.authInfo, trace } : { trace };
  }

  /**
   * Room for one more session: when every slot is taken, the longest-idle session that never completed the handshake
   * is closed to make it. False: the limit stands.
   */
  private makeRoom(): boolean {
    if (this.sessions.size < this.o.maxSessions) return true;
    const victim = evictionCandidate(this.settled());
    if (!victim) return false;
    this.log.info({ session: victim.sessionId }, 'session limit reached: closing the longest-idle session that never completed the MCP handshake');
    this.metrics?.sessionsExpired.inc();
    void victim.close();
    return this.sessions.size < this.o.maxSessions;
  }

  /**
   * Closes the longest-idle Streamable HTTP session with no stream open and no request waiting, to free what it holds
   * (a per-session child). False: every session is in use.
   */
  closeIdlest(): boolean {
    const streamable = this.settled().filter((s): s is StreamableSession => s instanceof StreamableSession);
    const victim = idlest(streamable);
    if (!victim) return false;
    this.log.info({ session: victim.sessionId }, 'closing the longest-idle session to free its server for a new one');
    this.metrics?.sessionsExpired.inc();
    void victim.close();
    return true;
  }

  /** Sessions connected to their upstream. */
  private settled(): Session[] {
    return [...this.sessions.values()].filter((s) => !this.opening.has(s));
  }

  private async openStreamable(c: FaceRequest, init: Message & { params?: { protocolVersion?: string } }) {
    const { res } = c;
    if (this.draining) return this.unavailable(res, 'shutting down');
    if (!this.makeRoom()) return this.unavailable(res, `session limit ${this.o.maxSessions} reached`);
    const session = new StreamableSession({
      idPrefix: this.options.sessionIdPrefix,
      keepaliveMs: this.o.keepaliveMs,
      replayMaxEvents: this.o.replayMaxEvents,
      replayMaxBytes: this.o.replayMaxBytes,
    });
    session.protocolVersion = init.params?.protocolVersion;
    session.owner = c.authInfo?.clientId;
    if (!(await this.register(session, { kind: 'streamable', id: session.sessionId, era: '2025', authInfo: c.authInfo }, res))) return;
    res.setHeader('mcp-session-id', session.sessionId);
    session.handlePost(res, [init], this.extraOf(c));
  }

  private async register(session: StreamableSession | LegacySseSession, info: SessionInfo, res: ServerResponse): Promise<boolean> {
    this.sessions.set(session.sessionId, session);
    const kind = info.kind as 'streamable' | 'sse';
    const m = this.metrics;
    m?.sessions.inc({ transport: kind });
    m?.sessionsOpened.inc({ transport: kind });
    const forget = () => {
      if (this.sessions.delete(session.sessionId)) m?.sessions.dec({ transport: kind });
    };
    const prevClose = session.onclose;
    session.onclose = () => {
      forget();
      prevClose?.();
    };
    this.opening.add(session);
    try {
      await this.options.onSession(session, info);
      // onSession (the pipe) replaces onclose: keep our bookkeeping in front of it.
      const piped = session.onclose;
      session.onclose = () => {
        forget();
        piped?.();
      };
      return true;
    } catch (err) {
      forget();
      this.log.error({ err: (err as Error).message }, 'could not open upstream for new session');
      this.unavailable(res, `upstream unavailable: ${(err as Error).message}`);
      return false;
    } finally {
      this.opening.delete(session);
    }
  }

  /** A POST without a session that is not a 2025 initialize: a 2026-07-28 request, or a client error. */
  private async handleSessionless(c: FaceRequest, message: Message) {
    const { req, res } = c;
    const h = req.headers;
    const classifyInboundRequest = await loadClassifier();
    const outcome = classifyInboundRequest({
      httpMethod: 'POST',
      body: message,
      protocolVersionHeader: str(h['mcp-protocol-version']),
      mcpMethodHeader: str(h['mcp-method']),
      mcpNameHeader: str(h['mcp-name']),
    });
    const id = isRequest(message) ? message.id : null;
    if (outcome.kind === 'reject') {
      this.metrics?.rejections.inc({ reason: 'modern-' + outcome.rung });
      return this.json(res, outcome.httpStatus, errorResponse(id, outcome.code, outcome.message, outcome.data));
    }
    if (outcome.kind === 'legacy') {
      return this.reject(res, 400, 'session', 'Bad Request: Mcp-Session-Id header is required (send initialize first)', ErrorCode.InvalidRequest);
    }
    if (this.options.serveModern === false) {
      return this.json(res, 400, errorResponse(id, ErrorCode.UnsupportedProtocolVersion, `Unsupported protocol version ${MODERN_PROTOCOL_VERSION}`, { supported: SESSION_PROTOCOL_VERSIONS }));
    }
    const refusal = checkModernRequest(h, message as never, outcome.classification.revision, isRequest(message)) ?? (isRequest(message) ? this.paramHeaders.check(h, message) : undefined);
    if (refusal) {
      this.metrics?.rejections.inc({ reason: 'modern-headers' });
      return this.json(res, refusal.status, errorResponse(id, refusal.code, refusal.message, refusal.data));
    }
    // 2026-07-28 cancels by closing the request's stream: a notification on its own has nothing to act on.
    if (!isRequest(message)) return void res.writeHead(202).end();
    if (!acceptsBoth(req)) return this.reject(res, 406, 'accept', 'Not Acceptable: Accept must list application/json and text/event-stream');
    if (this.draining) return this.unavailable(res, 'shutting down');
    const request = new ModernRequestTransport(res, message, this.extraOf(c), this.o.keepaliveMs, message.method === 'tools/list' ? (r) => this.paramHeaders.learn(r) : undefined);
    try {
      await this.options.onSession(request, { kind: 'request', id: String(message.id), era: '2026', authInfo: c.authInfo });
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'could not open upstream for a 2026-07-28 request');
      if (!res.headersSent) {
        res.setHeader('retry-after', '5');
        this.json(res, 503, errorResponse(message.id, ErrorCode.InternalError, `server unavailable: ${(err as Error).message}`));
      }
    }
  }

  // ---- legacy HTTP+SSE -------------------------------------------------------------------------

  private async handleSseOpen(c: FaceRequest) {
    const { req, res } = c;
    if (req.method !== 'GET') {
      res.setHeader('allow', 'GET');
      return this.reject(res, 405, 'method', `use GET on ${this.o.ssePath}`);
    }
    if (this.draining) return this.unavailable(res, 'shutting down');
    if (!this.makeRoom()) return this.unavailable(res, `session limit ${this.o.maxSessions} reached`);
    const endpoint = this.endpointBase(req) + this.o.messagesPath;
    const session = new LegacySseSession(res, (id) => `${endpoint}?sessionId=${id}`, this.o.keepaliveMs, this.options.sessionIdPrefix);
    session.owner = c.authInfo?.clientId;
    await this.register(session, { kind: 'sse', id: session.sessionId, era: '2025', authInfo: c.authInfo }, res);
  }

  /** Where clients reach the messages endpoint: --public-url, trusted X-Forwarded-*, or our own base path. */
  private endpointBase(req: IncomingMessage): string {
    if (this.options.publicUrl) return trimSlash(this.options.publicUrl);
    if (this.options.trustProxy) {
      const prefix = trimSlash(str(req.headers['x-forwarded-prefix'])?.split(',')[0]?.trim() ?? '');
      const proto = str(req.headers['x-forwarded-proto'])?.split(',')[0]?.trim();
      const host = str(req.headers['x-forwarded-host'])?.split(',')[0]?.trim();
      const origin = proto && host ? `${proto}://${host}` : '';
      return origin + prefix + this.o.basePath;
    }
    return this.o.basePath;
  }

  private async handleSseMessage(c: FaceRequest, query: string) {
    const { req, res } = c;
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return this.reject(res, 405, 'method', `use POST on ${this.o.messagesPath}`);
    }
    const id = new URLSearchParams(query).get('sessionId');
    if (!id) return this.reject(res, 400, 'session', 'Bad Request: sessionId query parameter is required', ErrorCode.InvalidRequest);
    const session = this.sessions.get(id);
    if (!(session instanceof LegacySseSession) || session.owner !== c.authInfo?.clientId) {
      return this.reject(res, 404, 'session', 'Session not found: reconnect the SSE stream', ErrorCode.SessionNotFound);
    }
    if (!isJsonContentType(req.headers['content-type'])) return this.reject(res, 415, 'content-type', 'Unsupported Media Type: Content-Type must be application/json');
    const parsed = await this.readJson(req, res);
    if (parsed === undefined) return;
    const messages = Array.isArray(parsed) ? parsed : [parsed];
    if (!messages.length || !messages.every(isJsonRpcMessage)) {
      return this.reject(res, 400, 'invalid', 'Invalid Request: the body must be a JSON-RPC 2.0 message', ErrorCode.InvalidRequest);
    }
    res.writeHead(202).end('Accepted');
    session.receive(messages, this.extraOf(c));
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private async readJson(req: IncomingMessage, res: ServerResponse): Promise<unknown | undefined> {
    let body: Buffer;
    try {
      body = await readBody(req, this.o.maxBodyBytes);
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        res.setHeader('connection', 'close');
        this.reject(res, 413, 'body-size', `Payload Too Large: ${err.message}`, ErrorCode.InvalidRequest);
      } else this.reject(res, 400, 'body', 'could not read the request body', ErrorCode.InvalidRequest);
      return undefined;
    }
    const text = body.toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      this.reject(res, 400, 'parse', `Parse error: ${(err as Error).message}`, ErrorCode.ParseError);
      return undefined;
    }
    const badId = checkIds(parsed, text);
    if (badId) {
      this.reject(res, 400, 'id', badId, ErrorCode.InvalidRequest);
      return undefined;
    }
    return parsed;
  }

  private unavailable(res: ServerResponse, why: string) {
    res.setHeader('retry-after', '5');
    this.reject(res, 503, 'capacity', `Service Unavailable: ${why}`);
  }

  private reject(res: ServerResponse, status: number, reason: string, message: string, code: number = ErrorCode.InvalidRequest) {
    this.refuse({ req: res.req, res, path: '' }, status, reason, message, code);
  }

  private json(res: ServerResponse, status: number, body: object) {
    const text = clientText(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
  }

  private text(res: ServerResponse, status: number, body: string) {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
  }
}

/**
 * The SDK's 2026-07-28 request classifier, loaded on the first session-less request: the SDK's server
 * package costs ~150 ms to import, which a bridge serving only 2025-era clients never needs to pay.
 */
let classifier: Promise<typeof import('@modelcontextprotocol/server')['classifyInboundRequest']> | undefined;
function loadClassifier() {
  classifier ??= import('@modelcontextprotocol/server').then((m) => m.classifyInboundRequest);
  return classifier;
}

/** An initialize that carries a 2026 envelope is the classifier's business (it is refused as mixed). */
function carriesEnvelope(m: { params?: unknown }): boolean {
  const meta = (m.params as { _meta?: Record<string, unknown> } | undefined)?._meta;
  return !!meta && typeof meta === 'object' && META.protocolVersion in meta;
}

function str(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function isJsonContentType(ct: string | undefined): boolean {
  return !!ct && /^application\/json\s*(;|$)/i.test(ct.trim());
}

function accepts(req: IncomingMessage, type: string): boolean {
  const a = req.headers.accept;
  return !a || a.includes(type) || a.includes('*/*');
}

function acceptsBoth(req: IncomingMessage): boolean {
  const a = req.headers.accept;
  if (!a) return false;
  return (a.includes('application/json') && a.includes('text/event-stream')) || a.includes('*/*');
}
