import { HttpFace, type HttpFaceOptions, type SessionInfo } from '../http/face.js';
import type { SupervisorOptions } from '../child/supervisor.js';
import type { ChildSpec } from '../child/spawn-spec.js';
import type { Transport } from '../transport.js';
import { pipe } from '../pipe.js';
import type { Metrics } from '../metrics.js';
import { silentLogger, type Logger } from '../log.js';
import { compose, LayerTransport, type Layer } from '../layer.js';
import { Multiplexer } from '../mux/multiplexer.js';
import { ModernFront } from '../era/modern-front.js';
import { stdioUpstream } from '../upstream/stdio.js';
import type { Upstream, UpstreamContext, UpstreamTransport } from '../upstream/upstream.js';
import { callTimeout } from '../layers/call-timeout.js';
import { ChildLimitError, ChildSpawnError, ConfigError, CrashLoopError, ServerGaveUpError, ShutdownError } from '../errors.js';
import { CallLedger } from './call-ledger.js';
import { handshakeTimeout } from './handshake-timeout.js';
import { LazyConnection } from './lazy-connection.js';
import { WarmPool } from './warm-pool.js';

export type Isolation = 'per-session' | 'shared';

export interface BridgeOptions extends Omit<HttpFaceOptions, 'onSession' | 'readiness' | 'metrics' | 'serveModern'> {
  /** The server the clients reach: a stdio child, a remote, an in-process server, a gateway. */
  upstream: Upstream;
  isolation?: Isolation;
  /** How long the server may take to answer initialize at start-up (npx may download first). */
  initTimeoutMs?: number;
  /**
   * The protocol era the upstream speaks. '2025' (default): 2026-07-28 clients are served by translation.
   * '2026': 2026-07-28 requests pass through unchanged to an upstream opened with server/discover.
   */
  serverProtocol?: '2025' | '2026';
  metrics?: boolean | Metrics;
  /**
   * Layers on every client's connection to the server, outermost first: they see each message of both eras with
   * its caller (MessageExtraInfo.authInfo). Policy and observation go here.
   */
  layers?: Layer[];
  /** A ceiling on each call (progress resets it); none by default. */
  callTimeoutMs?: number;
  /** More readiness detail (e.g. a gateway's per-backend state), shown to callers who may see detail. */
  readinessDetail?(): Record<string, unknown>;
  /**
   * Per-session isolation: the most connections of their own open at once (for a stdio server, child processes;
   * the shared connection is not counted). At the limit the longest-idle session with no stream open and nothing in
   * flight is closed to make room; if every session is in use, the new one gets 503. Default: no limit.
   */
  maxChildren?: number;
  /**
   * Per-session isolation: connections started ahead of their session and kept waiting, so a new session's
   * `initialize` does not wait for a slow start (an npx download). They count toward maxChildren. Only for an
   * upstream whose connections do not depend on the session (a stdio child). Default 0.
   */
  prestart?: number;
  /**
   * The shared connection is gone for good (crash-loop breaker, failed restart); not called during stop(). From then
   * on /readyz is 503 with the reason, and sessions that need the shared connection are refused with 503.
   */
  onGiveUp?(error: ServerGaveUpError): void;
}

export interface StdioBridgeOptions extends Omit<BridgeOptions, 'upstream'> {
  child: ChildSpec;
  supervisor?: Omit<SupervisorOptions, 'logger' | 'onSpawn' | 'onCrash'>;
  /**
   * Per-session isolation: a session (and so its child) idle this long is closed, when that is sooner than
   * sessionIdleTimeoutMs. Clients that never send DELETE would otherwise keep a process each for the whole idle timeout.
   */
  childIdleTimeoutMs?: number;
}

/** The default idle timeout of a per-session child: a process per abandoned session is costly, a re-initialize is not. */
export const DEFAULT_CHILD_IDLE_TIMEOUT_MS = 5 * 60_000;

/**
 * An MCP server served over HTTP: the HTTP face on one side, the upstream on the other, one pipe per client
 * (a 2025 session, or a single 2026-07-28 request). With `shared` isolation every session is a lane of one
 * connection to the server; with `per-session` each session gets its own. 2026-07-28 requests have no session:
 * each is a lane of the shared connection, translated by the ModernFront for a 2025 server.
 */
export class Bridge {
  readonly face: HttpFace;
  metrics?: Metrics;
  private readonly log: Logger;
  private readonly isolation: Isolation;
  private readonly connections = new Set<UpstreamTransport>();
  /** Connections opened for one session (per-session isolation): what maxChildren bounds. */
  private readonly sessionConnections = new Set<UpstreamTransport>();
  /** Each client's calls still open, as the client sees them: drained and, past the grace, answered at shutdown. */
  private readonly ledgers = new Set<CallLedger>();
  private gaveUp?: ServerGaveUpError;
  private stopping = false;
  private shared?: Multiplexer;
  /** For --server-protocol 2026: a connection opened with server/discover, for the 2026 requests. */
  private modern?: Multiplexer;
  private front?: ModernFront;
  private readonly upstream: Upstream;
  private readonly outer: Layer;
  private readonly pool?: WarmPool;

  constructor(private readonly options: BridgeOptions) {
    this.upstream = options.upstream;
    this.log = options.logger ?? silentLogger;
    this.isolation = options.isolation ?? 'per-session';
    const prestart = options.prestart ?? 0;
    if (!Number.isInteger(prestart) || prestart < 0) throw new ConfigError(`--prestart ${prestart}: expected a whole number, 0 or more`);
    if (prestart > 0 && this.isolation !== 'per-session') {
      throw new ConfigError('--prestart applies to --isolation per-session only: a shared server is started once, at start-up, already');
    }
    if (prestart > 0 && options.maxChildren !== undefined && prestart > options.maxChildren) {
      throw new ConfigError(`--prestart ${prestart} is more than --max-children ${options.maxChildren}: waiting servers count toward the limit; lower --prestart or raise --max-children`);
    }
    if (prestart > 0) {
      this.pool = new WarmPool({
        size: prestart,
        logger: this.log,
        onSize: (n) => this.metrics?.childrenWaiting.set(n),
        open: () => (this.roomForChild() ? this.open({ era: '2025' }, true) : undefined),
      });
    }
    const layers = [...(options.layers ?? [])];
    if (options.callTimeoutMs) layers.push(callTimeout({ ms: options.callTimeoutMs }));
    this.outer = compose(...layers);
    this.face = new HttpFace({
      ...options,
      metrics: undefined,
      onSession: (session, info) => this.connect(session, info),
      readiness: () => {
        if (this.gaveUp) return { ready: false, reason: this.gaveUp.message };
        if (!this.shared) return { ready: false, reason: 'starting' };
        if (!this.shared.isReady) return { ready: false, reason: 'the MCP server is not running (starting, restarting or given up: see the logs)' };
        const waiting = this.pool ? { prestarted: this.pool.size } : {};
        return { ready: true, detail: { isolation: this.isolation, connections: this.connections.size, ...waiting, ...options.readinessDetail?.() } };
      },
    });
  }

  /**
   * Keeps every connection we open in one set, so drain and shutdown see them all. `counted`: one of a session's own
   * (or waiting for a session), within maxChildren.
   */
  private open(ctx: UpstreamContext, counted = !!ctx.session): UpstreamTransport {
    const t = this.upstream.open(ctx);
    const sets = counted ? [this.connections, this.sessionConnections] : [this.connections];
    for (const s of sets) s.add(t);
    const forget = () => {
      const freed = counted && this.sessionConnections.has(t);
      for (const s of sets) s.delete(t);
      // A slot freed by a session is one the pool may refill (deferred: a session opening now goes first).
      if (freed && this.pool && !this.stopping) setImmediate(() => this.pool?.fill());
    };
    return new (class extends LayerTransport {
      constructor() {
        super(t);
        const onclose = t.onclose;
        t.onclose = () => {
          forget();
          onclose?.();
        };
      }
      override close() {
        forget();
        return super.close();
      }
    })() as UpstreamTransport;
  }

  /** A connection of the session's own (per-session isolation), within maxChildren. */
  private openForSession(info: SessionInfo): UpstreamTransport {
    const warm = this.pool?.take();
    if (warm) return warm;
    const max = this.options.maxChildren;
    // A client gone without DELETE holds its child until the idle timeout: the longest-idle such session makes room.
    if (max !== undefined && this.sessionConnections.size >= max) this.face.closeIdlest();
    if (max !== undefined && this.sessionConnections.size >= max) {
      this.log.warn({ limit: max }, 'refusing a new session: every allowed per-session server is running (--max-children)');
      throw new ChildLimitError(max);
    }
    return this.open({ era: info.era, authInfo: info.authInfo, session: { id: info.id, kind: info.kind as 'streamable' | 'sse' } });
  }

  private roomForChild(): boolean {
    return this.options.maxChildren === undefined || this.sessionConnections.size < this.options.maxChildren;
  }

  /**
   * Settles once the shared connection has answered its handshake (and rejects if it never does). The face opens
   * before that: per-session clients never wait on the shared server, and 2026 requests wait here.
   */
  ready: Promise<void> = Promise.resolve();

  async start(): Promise<{ url: string; port: number }> {
    if (this.options.metrics) {
      // prom-client is slow to import: only a bridge asked for metrics pays for it.
      this.metrics = this.options.metrics === true ? new (await import('../metrics.js')).Metrics() : this.options.metrics;
      this.face.metrics = this.metrics;
    }
    this.ready = this.startShared();
    this.ready.catch(() => {});
    this.pool?.fill();
    try {
      return await this.face.listen();
    } catch (err) {
      await this.ready.catch(() => {});
      await this.pool?.close();
      await Promise.allSettled([...this.connections].map((u) => u.close()));
      throw err;
    }
  }

  private async startShared(): Promise<void> {
    const name = `MCP server "${this.upstream.name}"`;
    if (this.isolation === 'per-session') {
      this.log.info('2026-07-28 requests have no session: they share one server connection (opened now, so a broken command shows at start)');
    }
    const shared = this.watched({ era: '2025' }, (up) => new Multiplexer(up, { logger: this.log, initTimeoutMs: this.options.initTimeoutMs, name }));
    this.shared = shared;
    await shared.start().catch(async (err) => {
      await shared.close();
      throw err;
    });
    if (this.options.serverProtocol === '2026') {
      // A 2026 server's connection era is fixed by its first message: 2026 traffic gets its own connection.
      this.modern = this.watched({ era: '2026' }, (up) => new Multiplexer(up, { logger: this.log, initTimeoutMs: this.options.initTimeoutMs, name, handshake: 'discover' }));
      await this.modern.start();
    } else {
      this.front = new ModernFront(() => this.shared?.initializeResult, {
        logger: this.log,
        // A call that may be asked for input gets a connection of its own: a 2025 server's requests name no call.
        connect: (clientCapabilities) => new Multiplexer(this.open({ era: '2025' }), { logger: this.log, initTimeoutMs: this.options.initTimeoutMs, name, clientCapabilities }),
        sharedBusy: () => this.shared?.busyLanes ?? 0,
      });
    }
  }

  /**
   * A shared connection whose end, once it has served, means the server is gone for good: a supervised child closes
   * only when it stops restarting. Its last error says why.
   */
  private watched(ctx: UpstreamContext, make: (up: UpstreamTransport) => Multiplexer): Multiplexer {
    const up = this.open(ctx);
    let last: Error | undefined;
    up.onerror = (e) => {
      last = e;
      this.log.debug({ err: e.message }, 'shared server connection error');
    };
    const mux = make(up);
    mux.onclose = () => {
      if (this.stopping || this.gaveUp || !(mux.initializeResult ?? mux.discoverResult)) return;
      this.gaveUp = new ServerGaveUpError(this.upstream.name, gaveUpReason(last));
      this.log.error({ server: this.upstream.name }, this.gaveUp.message);
      this.options.onGiveUp?.(this.gaveUp);
    };
    return mux;
  }

  private async connect(client: Transport, info: SessionInfo): Promise<void> {
    let server: Transport;
    if (info.kind === 'request') {
      await this.ready;
      if (this.gaveUp) throw this.gaveUp;
      server = this.modern ? this.modern.lane() : this.front!.layer()(this.shared!.lane());
    } else if (this.isolation === 'shared') {
      if (this.gaveUp) throw this.gaveUp;
      server = this.shared!.lane();
    } else {
      server = this.perSession(info);
      const started = server;
      await started.start().catch(async (err) => {
        await started.close().catch(() => {});
        throw err;
      });
    }
    const ledger = new CallLedger(this.outer(server));
    this.ledgers.add(ledger);
    ledger.onfinish = () => this.ledgers.delete(ledger);
    pipe(client, ledger, { logger: this.log });
    await client.start();
  }

  /**
   * A session's own connection. A legacy SSE session opens with a bare GET: its server starts on its initialize.
   * A server that never answers the client's initialize fails it like a shared server at start-up would.
   */
  private perSession(info: SessionInfo): Transport {
    const server = info.kind === 'sse' ? new LazyConnection(() => this.openForSession(info)) : this.openForSession(info);
    return handshakeTimeout({ ms: this.options.initTimeoutMs ?? 60_000, server: `MCP server "${this.upstream.name}"`, logger: this.log })(server);
  }

  /** Calls the clients still wait on (a cancelled call is not waited on). */
  get inflight(): number {
    let n = 0;
    for (const l of this.ledgers) n += l.waiting;
    return n;
  }

  /**
   * Graceful stop: refuse new work, let in-flight calls finish up to graceMs, answer those still open with an error
   * (so no client waits for its own timeout), then stop every child.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    // Waiting servers have no session to drain: they stop first, and the pool opens no more.
    const pooled = this.pool?.close();
    await this.face.stopAccepting();
    const deadline = Date.now() + graceMs;
    while (this.inflight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (this.inflight > 0) {
      const error = new ShutdownError(graceMs);
      let failed = 0;
      for (const l of this.ledgers) failed += l.failAll(error);
      this.log.warn({ inflight: failed }, 'grace period over; answering the calls still open with an error');
      // The answers are written; closing every connection at once could cut a write the kernel has not taken yet.
      await new Promise((r) => setTimeout(r, 100));
    }
    this.front?.close();
    await this.face.closeSessions();
    await Promise.allSettled([...this.connections].map((u) => u.close()));
    await pooled;
  }
}

function gaveUpReason(err?: Error): string {
  if (err instanceof CrashLoopError) return `crash-loop breaker: it crashed ${err.restarts} times in ${Math.round(err.windowMs / 1000)}s`;
  if (err instanceof ChildSpawnError) return 'a restart failed: the command could not be started';
  return 'its connection closed and is not reopened';
}

/** A stdio MCP server served over HTTP: supervised child processes as the upstream. */
export class StdioBridge extends Bridge {
  /** Child processes running now, shared and per-session (also the switchboard_children gauge). */
  get children(): number {
    return this.live.n;
  }

  private readonly live: { n: number };

  constructor(options: StdioBridgeOptions) {
    const { child, supervisor, childIdleTimeoutMs, ...rest } = options;
    // The hooks fire only after start(), when the bridge and its metrics exist.
    const self: { bridge?: Bridge } = {};
    const metrics = () => self.bridge?.metrics;
    const live = { n: 0 };
    const perSession = (rest.isolation ?? 'per-session') === 'per-session';
    const childIdle = childIdleTimeoutMs ?? DEFAULT_CHILD_IDLE_TIMEOUT_MS;
    super({
      ...rest,
      sessionIdleTimeoutMs: perSession ? Math.min(rest.sessionIdleTimeoutMs ?? Number.POSITIVE_INFINITY, childIdle) : rest.sessionIdleTimeoutMs,
      readinessDetail: () => ({ children: live.n, ...(rest.maxChildren !== undefined ? { maxChildren: rest.maxChildren } : {}), ...rest.readinessDetail?.() }),
      upstream: stdioUpstream(child, {
        ...supervisor,
        logger: rest.logger,
        // The count is kept whether or not --metrics is on (/readyz shows it, --max-children decides by it); an
        // optional call would skip an increment written inside its arguments.
        onSpawn: () => {
          live.n++;
          metrics()?.children.set(live.n);
        },
        onCrash: () => {
          live.n--;
          metrics()?.children.set(live.n);
          metrics()?.restarts.inc();
        },
        onStop: () => {
          live.n--;
          metrics()?.children.set(live.n);
        },
      }),
    });
    this.live = live;
    self.bridge = this;
  }
}
