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
}

export interface StdioBridgeOptions extends Omit<BridgeOptions, 'upstream'> {
  child: ChildSpec;
  supervisor?: Omit<SupervisorOptions, 'logger' | 'onSpawn' | 'onCrash'>;
}

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
  private shared?: Multiplexer;
  /** For --server-protocol 2026: a connection opened with server/discover, for the 2026 requests. */
  private modern?: Multiplexer;
  private front?: ModernFront;
  private readonly upstream: Upstream;
  private readonly outer: Layer;

  constructor(private readonly options: BridgeOptions) {
    this.upstream = options.upstream;
    this.log = options.logger ?? silentLogger;
    this.isolation = options.isolation ?? 'per-session';
    const layers = [...(options.layers ?? [])];
    if (options.callTimeoutMs) layers.push(callTimeout({ ms: options.callTimeoutMs }));
    this.outer = compose(...layers);
    this.face = new HttpFace({
      ...options,
      metrics: undefined,
      onSession: (session, info) => this.connect(session, info),
      readiness: () => {
        if (!this.shared) return { ready: false, reason: 'starting' };
        if (!this.shared.isReady) return { ready: false, reason: 'the MCP server is not running (starting, restarting or given up: see the logs)' };
        return { ready: true, detail: { isolation: this.isolation, connections: this.connections.size, ...options.readinessDetail?.() } };
      },
    });
  }

  /** Keeps every connection we open in one set, so drain and shutdown see them all. */
  private open(ctx: UpstreamContext): UpstreamTransport {
    const t = this.upstream.open(ctx);
    const connections = this.connections;
    connections.add(t);
    return new (class extends LayerTransport {
      constructor() {
        super(t);
        const onclose = t.onclose;
        t.onclose = () => {
          connections.delete(t);
          onclose?.();
        };
      }
      override close() {
        connections.delete(t);
        return super.close();
      }
    })() as UpstreamTransport;
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
    try {
      return await this.face.listen();
    } catch (err) {
      await this.ready.catch(() => {});
      await Promise.allSettled([...this.connections].map((u) => u.close()));
      throw err;
    }
  }

  private async startShared(): Promise<void> {
    const name = `MCP server "${this.upstream.name}"`;
    if (this.isolation === 'per-session') {
      this.log.info('2026-07-28 requests have no session: they share one server connection (opened now, so a broken command shows at start)');
    }
    this.shared = new Multiplexer(this.open({ era: '2025' }), { logger: this.log, initTimeoutMs: this.options.initTimeoutMs, name });
    await this.shared.start().catch(async (err) => {
      await this.shared?.close();
      throw err;
    });
    if (this.options.serverProtocol === '2026') {
      // A 2026 server's connection era is fixed by its first message: 2026 traffic gets its own connection.
      this.modern = new Multiplexer(this.open({ era: '2026' }), { logger: this.log, initTimeoutMs: this.options.initTimeoutMs, name, handshake: 'discover' });
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

  private async connect(client: Transport, info: SessionInfo): Promise<void> {
    let server: Transport;
    if (info.kind === 'request') {
      await this.ready;
      server = this.modern ? this.modern.lane() : this.front!.layer()(this.shared!.lane());
    } else if (this.isolation === 'shared') {
      server = this.shared!.lane();
    } else {
      server = this.open({ era: info.era, authInfo: info.authInfo, session: { id: info.id, kind: info.kind } });
      await server.start();
    }
    const up = this.outer(server);
    pipe(client, up, { logger: this.log });
    await client.start();
  }

  get inflight(): number {
    let n = 0;
    for (const u of this.connections) n += u.inflight;
    return n;
  }

  /** Graceful stop: refuse new work, let in-flight calls finish up to graceMs, then stop every child. */
  async stop(graceMs = 10_000): Promise<void> {
    await this.face.stopAccepting();
    const deadline = Date.now() + graceMs;
    while (this.inflight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (this.inflight > 0) this.log.warn({ inflight: this.inflight }, 'grace period over; abandoning in-flight calls');
    this.front?.close();
    await this.face.closeSessions();
    await Promise.allSettled([...this.connections].map((u) => u.close()));
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
