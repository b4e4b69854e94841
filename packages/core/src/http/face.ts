import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Transport } from '../transport.js';
import { ErrorCode, errorResponse, isJsonRpcMessage, isRequest, type Message } from '../jsonrpc.js';
import { silentLogger, type Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { BodyTooLargeError, readBody } from './body.js';
import { LegacySseSession } from './legacy-sse-session.js';
import { ModernExchange } from './modern-exchange.js';
import {
  apiKeyAccepted,
  applyCors,
  defaultAllowedHosts,
  hashKeys,
  hostAllowed,
  isLoopbackBind,
  originAllowed,
  type SecurityOptions,
} from './security.js';
import { StreamableSession } from './streamable-session.js';

export const LEGACY_PROTOCOL_VERSIONS = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'];
export const MODERN_PROTOCOL_VERSION = '2026-07-28';

export interface SessionInfo {
  kind: 'streamable' | 'sse';
  id: string;
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
  apiKeys?: string[];
  maxBodyBytes?: number;
  sessionIdleTimeoutMs?: number;
  maxSessions?: number;
  keepaliveMs?: number;
  replayMaxEvents?: number;
  replayMaxBytes?: number;
  enableStreamableHttp?: boolean;
  enableSse?: boolean;
  logger?: Logger;
  metrics?: Metrics;
  /** Connects a new client session to its upstream. A rejection refuses the session with 503. */
  onSession(session: Transport, info: SessionInfo): Promise<void>;
  /** A 2026-07-28 (stateless) request. Without it such requests are refused as unsupported. */
  onModernRequest?(request: Message, exchange: ModernExchange, headers: IncomingMessage['headers']): void;
  /** A 2026-07-28 notification (e.g. cancellation) outside any exchange. */
  onModernNotification?(notification: Message): void;
  readiness?(): { ready: boolean; detail?: Record<string, unknown> };
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
    Pick<HttpFaceOptions, 'host' | 'port' | 'mcpPath' | 'ssePath' | 'messagesPath' | 'maxBodyBytes' | 'sessionIdleTimeoutMs' | 'maxSessions' | 'keepaliveMs' | 'replayMaxEvents' | 'replayMaxBytes'>
  > & { basePath: string };
  private readonly security: SecurityOptions;
  private readonly keyDigests: Buffer[];
  private readonly sessions = new Map<string, Session>();
  private readonly log: Logger;
  private reaper?: NodeJS.Timeout;
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
      apiKeys: options.apiKeys ?? [],
    };
    this.keyDigests = hashKeys(this.security.apiKeys);
    this.server = http.createServer({ requestTimeout: 0, headersTimeout: 66_000, keepAliveTimeout: 65_000 }, (req, res) =>
      this.handle(req, res).catch((err: Error) => {
        this.log.error({ err: err.message }, 'request handler failed');
        if (!res.headersSent) this.json(res, 500, errorResponse(null, ErrorCode.InternalError, 'internal error'));
        else res.end();
      }),
    );
    // Load balancers commonly idle-close at 60 s: keep our side open longer so they close first.
    this.server.keepAliveTimeout = 65_000;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  async listen(): Promise<{ url: string; port: number }> {
    if (!isLoopbackBind(this.o.host) && !this.options.allowedHosts?.length && !this.options.publicUrl) {
      this.log.warn({ host: this.o.host }, 'listening beyond loopback without --allowed-host or --public-url: Host header is not checked');
    }
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.o.port, this.o.host, () => resolve());
    });
    const port = (this.server.address() as AddressInfo).port;
    const sweep = Math.max(250, Math.min(30_000, this.o.sessionIdleTimeoutMs / 4));
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
    for (const [id, s] of this.sessions) {
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
    if (!hostAllowed(req, this.security.allowedHosts)) return this.reject(res, 403, 'host', `Host "${req.headers.host}" is not allowed (use --allowed-host)`);
    if (!originAllowed(req, this.security)) return this.reject(res, 403, 'origin', `Origin "${req.headers.origin}" is not allowed (use --cors)`);
    if (applyCors(req, res, this.security)) return;
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    if (path === '/readyz') {
      const r = this.options.readiness?.() ?? { ready: true };
      return this.json(res, r.ready ? 200 : 503, { ready: r.ready, sessions: this.sessions.size, ...r.detail });
    }
    if (!apiKeyAccepted(req, this.keyDigests)) {
      res.setHeader('www-authenticate', 'Bearer realm="switchboard"');
      return this.reject(res, 401, 'auth', 'missing or invalid API key: send Authorization: Bearer <key> or X-API-Key');
    }
    if (path === '/metrics' && this.metrics) {
      const { contentType, body } = await this.metrics.render();
      res.writeHead(200, { 'content-type': contentType }).end(body);
      return;
    }
    if (this.options.enableStreamableHttp !== false && path === this.o.mcpPath) {
      await this.handleMcp(req, res, q >= 0 ? url.slice(q) : '');
      this.metrics?.observe(req.method ?? 'GET', started);
      return;
    }
    if (this.options.enableSse !== false && path === this.o.ssePath) return this.handleSseOpen(req, res);
    if (this.options.enableSse !== false && path === this.o.messagesPath) return this.handleSseMessage(req, res, q >= 0 ? url.slice(q) : '');
    return this.text(res, 404, 'not found\n');
  }

  // ---- Streamable HTTP -------------------------------------------------------------------------

  private async handleMcp(req: IncomingMessage, res: ServerResponse, _query: string): Promise<void> {
    const method = req.method;
    if (method === 'POST') return this.handleMcpPost(req, res);
    if (method === 'GET' || method === 'DELETE') {
      const session = this.sessionFor(req, res);
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

  /** The session named by Mcp-Session-Id; answers 400 (missing) or 404 (unknown) itself. */
  private sessionFor(req: IncomingMessage, res: ServerResponse): StreamableSession | undefined {
    const id = req.headers['mcp-session-id'];
    if (typeof id !== 'string' || !id) {
      this.reject(res, 400, 'session', 'Bad Request: Mcp-Session-Id header is required', ErrorCode.InvalidRequest);
      return undefined;
    }
    const s = this.sessions.get(id);
    if (!(s instanceof StreamableSession)) {
      this.reject(res, 404, 'session', 'Session not found: it expired or the server restarted; initialize a new session', ErrorCode.SessionNotFound);
      return undefined;
    }
    const pv = req.headers['mcp-protocol-version'];
    if (typeof pv === 'string' && !LEGACY_PROTOCOL_VERSIONS.includes(pv)) {
      this.reject(res, 400, 'protocol-version', `Unsupported MCP-Protocol-Version "${pv}" (supported: ${LEGACY_PROTOCOL_VERSIONS.join(', ')})`);
      return undefined;
    }
    return s;
  }

  private async handleMcpPost(req: IncomingMessage, res: ServerResponse): Promise<void> {
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
      const session = this.sessionFor(req, res);
      if (!session) return;
      if (Array.isArray(parsed) && session.protocolVersion !== '2025-03-26') {
        return this.reject(res, 400, 'batch', 'Invalid Request: JSON-RPC batches are only allowed on protocol 2025-03-26', ErrorCode.InvalidRequest);
      }
      if (!acceptsBoth(req)) return this.reject(res, 406, 'accept', 'Not Acceptable: Accept must list application/json and text/event-stream');
      return session.handlePost(res, messages);
    }
    const first = messages[0] as Message & { method?: string; params?: { protocolVersion?: string } };
    if (!Array.isArray(parsed) && isRequest(first) && first.method === 'initialize') {
      if (!acceptsBoth(req)) return this.reject(res, 406, 'accept', 'Not Acceptable: Accept must list application/json and text/event-stream');
      return this.openStreamable(res, first);
    }
    if (Array.isArray(parsed)) return this.reject(res, 400, 'batch', 'Invalid Request: batches are not allowed without a session', ErrorCode.InvalidRequest);
    return this.handleSessionless(req, res, first);
  }

  private async openStreamable(res: ServerResponse, init: Message & { params?: { protocolVersion?: string } }) {
    if (this.draining) return this.unavailable(res, 'shutting down');
    if (this.sessions.size >= this.o.maxSessions) return this.unavailable(res, `session limit ${this.o.maxSessions} reached`);
    const session = new StreamableSession({
      keepaliveMs: this.o.keepaliveMs,
      replayMaxEvents: this.o.replayMaxEvents,
      replayMaxBytes: this.o.replayMaxBytes,
    });
    session.protocolVersion = init.params?.protocolVersion;
    if (!(await this.register(session, { kind: 'streamable', id: session.sessionId }, res))) return;
    res.setHeader('mcp-session-id', session.sessionId);
    session.handlePost(res, [init]);
  }

  private async register(session: Session, info: SessionInfo, res: ServerResponse): Promise<boolean> {
    this.sessions.set(session.sessionId, session);
    const m = this.metrics;
    m?.sessions.inc({ transport: info.kind });
    m?.sessionsOpened.inc({ transport: info.kind });
    const prevClose = session.onclose;
    session.onclose = () => {
      if (this.sessions.delete(session.sessionId)) m?.sessions.dec({ transport: info.kind });
      prevClose?.();
    };
    try {
      await this.options.onSession(session, info);
      // onSession (the pipe) replaces onclose: keep our bookkeeping in front of it.
      const piped = session.onclose;
      session.onclose = () => {
        if (this.sessions.delete(session.sessionId)) m?.sessions.dec({ transport: info.kind });
        piped?.();
      };
      return true;
    } catch (err) {
      this.sessions.delete(session.sessionId);
      m?.sessions.dec({ transport: info.kind });
      this.log.error({ err: (err as Error).message }, 'could not open upstream for new session');
      this.unavailable(res, `upstream unavailable: ${(err as Error).message}`);
      return false;
    }
  }

  /** A POST without a session that is not initialize: a 2026-07-28 request, or a client error. */
  private async handleSessionless(req: IncomingMessage, res: ServerResponse, message: Message) {
    const h = req.headers;
    const classifyInboundRequest = await loadClassifier();
    const outcome = classifyInboundRequest({
      httpMethod: 'POST',
      body: message,
      protocolVersionHeader: str(h['mcp-protocol-version']),
      mcpMethodHeader: str(h['mcp-method']),
      mcpNameHeader: str(h['mcp-name']),
    });
    if (outcome.kind === 'reject') {
      const id = isRequest(message) ? message.id : null;
      this.metrics?.rejections.inc({ reason: 'modern-' + outcome.rung });
      return this.json(res, outcome.httpStatus, errorResponse(id, outcome.code, outcome.message, outcome.data));
    }
    if (outcome.kind === 'legacy') {
      return this.reject(res, 400, 'session', 'Bad Request: Mcp-Session-Id header is required (send initialize first)', ErrorCode.InvalidRequest);
    }
    if (!this.options.onModernRequest) {
      const id = isRequest(message) ? message.id : null;
      return this.json(res, 400, errorResponse(id, ErrorCode.UnsupportedProtocolVersion, `Unsupported protocol version ${MODERN_PROTOCOL_VERSION}`, { supported: LEGACY_PROTOCOL_VERSIONS }));
    }
    if (!isRequest(message)) {
      this.options.onModernNotification?.(message);
      return void res.writeHead(202).end();
    }
    if (!acceptsBoth(req)) return this.reject(res, 406, 'accept', 'Not Acceptable: Accept must list application/json and text/event-stream');
    this.options.onModernRequest(message, new ModernExchange(res, this.o.keepaliveMs), h);
  }

  // ---- legacy HTTP+SSE -------------------------------------------------------------------------

  private async handleSseOpen(req: IncomingMessage, res: ServerResponse) {
    if (req.method !== 'GET') {
      res.setHeader('allow', 'GET');
      return this.reject(res, 405, 'method', `use GET on ${this.o.ssePath}`);
    }
    if (this.draining) return this.unavailable(res, 'shutting down');
    if (this.sessions.size >= this.o.maxSessions) return this.unavailable(res, `session limit ${this.o.maxSessions} reached`);
    const endpoint = this.endpointBase(req) + this.o.messagesPath;
    const session = new LegacySseSession(res, (id) => `${endpoint}?sessionId=${id}`, this.o.keepaliveMs);
    await this.register(session, { kind: 'sse', id: session.sessionId }, res);
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

  private async handleSseMessage(req: IncomingMessage, res: ServerResponse, query: string) {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return this.reject(res, 405, 'method', `use POST on ${this.o.messagesPath}`);
    }
    const id = new URLSearchParams(query).get('sessionId');
    if (!id) return this.reject(res, 400, 'session', 'Bad Request: sessionId query parameter is required', ErrorCode.InvalidRequest);
    const session = this.sessions.get(id);
    if (!(session instanceof LegacySseSession)) return this.reject(res, 404, 'session', 'Session not found: reconnect the SSE stream', ErrorCode.SessionNotFound);
    if (!isJsonContentType(req.headers['content-type'])) return this.reject(res, 415, 'content-type', 'Unsupported Media Type: Content-Type must be application/json');
    const parsed = await this.readJson(req, res);
    if (parsed === undefined) return;
    const messages = Array.isArray(parsed) ? parsed : [parsed];
    if (!messages.length || !messages.every(isJsonRpcMessage)) {
      return this.reject(res, 400, 'invalid', 'Invalid Request: the body must be a JSON-RPC 2.0 message', ErrorCode.InvalidRequest);
    }
    res.writeHead(202).end('Accepted');
    session.receive(messages);
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
    try {
      return JSON.parse(body.toString('utf8'));
    } catch (err) {
      this.reject(res, 400, 'parse', `Parse error: ${(err as Error).message}`, ErrorCode.ParseError);
      return undefined;
    }
  }

  private unavailable(res: ServerResponse, why: string) {
    res.setHeader('retry-after', '5');
    this.reject(res, 503, 'capacity', `Service Unavailable: ${why}`);
  }

  private reject(res: ServerResponse, status: number, reason: string, message: string, code: number = ErrorCode.InvalidRequest) {
    this.metrics?.rejections.inc({ reason });
    this.json(res, status, errorResponse(null, code, message));
  }

  private json(res: ServerResponse, status: number, body: unknown) {
    const text = JSON.stringify(body);
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
