import { HttpFace, type HttpFaceOptions } from '../http/face.js';
import type { SupervisorOptions } from '../child/supervisor.js';
import type { ChildSpec } from '../child/spawn-spec.js';
import type { Transport } from '../transport.js';
import { pipe } from '../pipe.js';
import type { Metrics } from '../metrics.js';
import { silentLogger, type Logger } from '../log.js';
import { SharedUpstream } from './shared-upstream.js';
import { ModernFront } from './modern-front.js';
import { stdioUpstream, type UpstreamFactory } from './upstream.js';

export type Isolation = 'per-session' | 'shared';

export interface BridgeOptions extends Omit<HttpFaceOptions, 'onSession' | 'onModernRequest' | 'onModernNotification' | 'readiness' | 'metrics'> {
  /** What each session connects to; see stdioUpstream(). */
  upstream: UpstreamFactory;
  isolation?: Isolation;
  /** How long the server may take to answer initialize at start-up (npx may download first). */
  initTimeoutMs?: number;
  /**
   * The protocol era the upstream speaks. '2025' (default): 2026-07-28 clients are served by translation.
   * '2026': 2026-07-28 requests pass through unchanged to an upstream opened with server/discover.
   */
  serverProtocol?: '2025' | '2026';
  metrics?: boolean | Metrics;
}

export interface StdioBridgeOptions extends Omit<BridgeOptions, 'upstream'> {
  child: ChildSpec;
  supervisor?: Omit<SupervisorOptions, 'logger' | 'onSpawn' | 'onCrash'>;
}

/**
 * An MCP server served over HTTP: the HTTP face on one side, upstream transports on the other, one pipe
 * per client session. With `shared` isolation every session is a lane of one upstream; with
 * `per-session` each session gets its own. 2026-07-28 requests, which have no session, are served from
 * the shared upstream through the ModernFront.
 */
export class Bridge {
  readonly face: HttpFace;
  metrics?: Metrics;
  private readonly log: Logger;
  private readonly isolation: Isolation;
  private readonly upstreams = new Set<Transport>();
  private shared?: SharedUpstream;
  private sharedUpstream?: Transport;
  private modern?: ModernFront;
  private readonly factory: UpstreamFactory;

  constructor(private readonly options: BridgeOptions) {
    this.factory = options.upstream;
    this.log = options.logger ?? silentLogger;
    this.isolation = options.isolation ?? 'per-session';
    this.face = new HttpFace({
      ...options,
      metrics: undefined,
      onSession: (session) => this.connect(session),
      onModernRequest: (request, exchange, headers) => {
        if (this.modern) return this.modern.handle(request as never, exchange, headers);
        this.ready.then(
          () => this.modern!.handle(request as never, exchange, headers),
          (err: Error) => exchange.respond({ jsonrpc: '2.0', id: request.id, error: { code: -32603, message: `server unavailable: ${err.message}` } } as never, 503),
        );
      },
      readiness: () => {
        const u = this.sharedUpstream;
        const ready = !!this.shared?.isReady && !!u && (this.factory.alive?.(u) ?? true);
        return { ready, detail: { server: this.factory.name, isolation: this.isolation, upstreams: this.upstreams.size } };
      },
    });
  }

  private track(t: Transport): Transport {
    this.upstreams.add(t);
    const close = t.close.bind(t);
    t.close = async () => {
      this.upstreams.delete(t);
      await close();
    };
    return t;
  }

  /** Starts the shared upstream (every isolation mode has one: it serves 2026 requests and answers /readyz). */
  /**
   * Settles once the shared upstream has answered its handshake (and rejects if it never does). The face
   * opens before that: per-session clients never wait on the shared server, and 2026 requests wait here.
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
    try {
      return await this.face.listen();
    } catch (err) {
      await this.ready.catch(() => {});
      await Promise.allSettled([...this.upstreams].map((u) => u.close()));
      throw err;
    }
  }

  private async startShared(): Promise<void> {
    this.sharedUpstream = this.track(this.factory.create());
    this.shared = new SharedUpstream(this.sharedUpstream, {
      logger: this.log,
      initTimeoutMs: this.options.initTimeoutMs,
      name: `MCP server "${this.factory.name}"`,
    });
    try {
      await this.shared.start();
    } catch (err) {
      await this.sharedUpstream.close();
      throw err;
    }
    if (this.options.serverProtocol === '2026') {
      // A 2026 server's connection era is fixed by its first message: 2026 traffic gets its own upstream.
      const modernUpstream = this.track(this.factory.create());
      const modernShared = new SharedUpstream(modernUpstream, {
        logger: this.log,
        initTimeoutMs: this.options.initTimeoutMs,
        name: `MCP server "${this.factory.name}"`,
        handshake: 'discover',
      });
      await modernShared.start();
      this.modern = new ModernFront(modernShared.lane(), () => undefined, { logger: this.log, passthrough: true });
    } else {
      this.modern = new ModernFront(this.shared.lane(), () => this.shared?.initializeResult, { logger: this.log });
    }
  }

  private async connect(session: Transport): Promise<void> {
    if (this.isolation === 'shared') {
      pipe(session, this.shared!.lane(), { logger: this.log });
      return;
    }
    const upstream = this.track(this.factory.create());
    await upstream.start();
    pipe(session, upstream, { logger: this.log });
  }

  get inflight(): number {
    let n = 0;
    for (const u of this.upstreams) n += this.factory.inflight?.(u) ?? 0;
    return n;
  }

  /** Graceful stop: refuse new work, let in-flight calls finish up to graceMs, then stop every child. */
  async stop(graceMs = 10_000): Promise<void> {
    await this.face.stopAccepting();
    const deadline = Date.now() + graceMs;
    while (this.inflight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (this.inflight > 0) this.log.warn({ inflight: this.inflight }, 'grace period over; abandoning in-flight calls');
    this.modern?.close();
    await this.face.closeSessions();
    await Promise.allSettled([...this.upstreams].map((u) => u.close()));
  }
}

/** A stdio MCP server served over HTTP: supervised child processes as the upstream. */
export class StdioBridge extends Bridge {
  constructor(options: StdioBridgeOptions) {
    const { child, supervisor, ...rest } = options;
    // The hooks fire only after start(), when the bridge and its metrics exist.
    const self: { bridge?: Bridge } = {};
    const metrics = () => self.bridge?.metrics;
    super({
      ...rest,
      upstream: stdioUpstream(child, {
        ...supervisor,
        logger: rest.logger,
        onSpawn: () => metrics()?.children.inc(),
        onCrash: () => {
          metrics()?.children.dec();
          metrics()?.restarts.inc();
        },
        onStop: () => metrics()?.children.dec(),
      }),
    });
    self.bridge = this;
  }
}
