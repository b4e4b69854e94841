import { HttpFace, type HttpFaceOptions } from '../http/face.js';
import { SupervisedChild, type SupervisorOptions } from '../child/supervisor.js';
import type { ChildSpec } from '../child/spawn-spec.js';
import { describeChild } from '../child/spawn-spec.js';
import type { Transport } from '../transport.js';
import { pipe } from '../pipe.js';
import { Metrics } from '../metrics.js';
import { silentLogger, type Logger } from '../log.js';
import { SharedUpstream } from './shared-upstream.js';
import { ModernFront } from './modern-front.js';

export type Isolation = 'per-session' | 'shared';

export interface StdioBridgeOptions extends Omit<HttpFaceOptions, 'onSession' | 'onModernRequest' | 'onModernNotification' | 'readiness' | 'metrics'> {
  child: ChildSpec;
  isolation?: Isolation;
  /** How long the server may take to answer initialize at start-up (npx may download first). */
  initTimeoutMs?: number;
  supervisor?: Omit<SupervisorOptions, 'logger' | 'onSpawn' | 'onCrash'>;
  metrics?: boolean | Metrics;
}

/**
 * A stdio MCP server served over HTTP: the HTTP face on one side, supervised child processes on the
 * other, one pipe per client session. With `shared` isolation every session is a lane of one child;
 * with `per-session` each session gets its own child. 2026-07-28 requests, which have no session,
 * are served from a shared child through the ModernFront.
 */
export class StdioBridge {
  readonly face: HttpFace;
  readonly metrics?: Metrics;
  private readonly log: Logger;
  private readonly isolation: Isolation;
  private readonly children = new Set<SupervisedChild>();
  private shared?: SharedUpstream;
  private sharedChild?: SupervisedChild;
  private modern?: ModernFront;

  constructor(private readonly options: StdioBridgeOptions) {
    this.log = options.logger ?? silentLogger;
    this.isolation = options.isolation ?? 'per-session';
    this.metrics = options.metrics instanceof Metrics ? options.metrics : options.metrics ? new Metrics() : undefined;
    this.face = new HttpFace({
      ...options,
      metrics: this.metrics,
      onSession: (session) => this.connect(session),
      onModernRequest: (request, exchange, headers) => {
        const front = this.modern;
        if (!front) return exchange.respond({ jsonrpc: '2.0', id: request.id, error: { code: -32603, message: 'server not ready' } } as never, 503);
        front.handle(request as never, exchange, headers);
      },
      readiness: () => {
        const ready = !!this.shared?.initializeResult && !!this.sharedChild?.alive;
        return { ready, detail: { server: describeChild(options.child), isolation: this.isolation, children: this.children.size } };
      },
    });
  }

  private newChild(): SupervisedChild {
    const m = this.metrics;
    const child = new SupervisedChild(this.options.child, {
      ...this.options.supervisor,
      logger: this.log,
      onSpawn: () => m?.children.inc(),
      onCrash: () => {
        m?.children.dec();
        m?.restarts.inc();
      },
    });
    this.children.add(child);
    const prevClose = () => {
      if (this.children.delete(child)) m?.children.dec();
    };
    child.onclose = prevClose;
    return child;
  }

  /** Starts the shared child (every isolation mode has one: it serves 2026 requests and answers /readyz). */
  async start(): Promise<{ url: string; port: number }> {
    this.sharedChild = this.newChild();
    const onChildClose = this.sharedChild.onclose;
    this.shared = new SharedUpstream(this.sharedChild, {
      logger: this.log,
      initTimeoutMs: this.options.initTimeoutMs,
      name: `MCP server "${describeChild(this.options.child)}"`,
    });
    this.shared.onclose = () => onChildClose?.();
    try {
      await this.shared.start();
    } catch (err) {
      await this.sharedChild.close();
      throw err;
    }
    this.modern = new ModernFront(this.shared.lane(), () => this.shared?.initializeResult, { logger: this.log });
    return this.face.listen();
  }

  private async connect(session: Transport): Promise<void> {
    let upstream: Transport;
    if (this.isolation === 'shared') {
      upstream = this.shared!.lane();
    } else {
      const child = this.newChild();
      const onChildClose = child.onclose;
      await child.start();
      upstream = child;
      const p = pipe(session, upstream, { logger: this.log });
      void p.closed.then(() => onChildClose?.());
      return;
    }
    pipe(session, upstream, { logger: this.log });
  }

  get inflight(): number {
    let n = 0;
    for (const c of this.children) n += c.inflightCount;
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
    await Promise.allSettled([...this.children].map((c) => c.close()));
  }
}
