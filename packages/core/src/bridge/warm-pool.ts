import { LayerTransport } from '../layer.js';
import type { Logger } from '../log.js';
import type { UpstreamTransport } from '../upstream/upstream.js';

export interface WarmPoolOptions {
  /** How many started connections to keep waiting. */
  size: number;
  /**
   * A new, unstarted connection, already counted in the per-session budget; undefined when the budget has no room
   * (a waiting child must never push a session over --max-children).
   */
  open(): UpstreamTransport | undefined;
  logger: Logger;
  /** Delay before replacing a waiting connection that was lost; doubles per consecutive loss, up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** The number waiting changed (for a metrics gauge). */
  onSize?(waiting: number): void;
}

interface Waiting {
  transport: UpstreamTransport;
  started: Promise<void>;
}

/**
 * Per-session connections started ahead of their session (`--prestart`), so a new session's `initialize` does not
 * wait for a launcher such as npx. A session takes one; the pool refills in the background. A waiting stdio child
 * that crashes is restarted by its own supervisor (with its backoff and crash-loop breaker); one that is given up,
 * or never starts, is replaced only after a delay that doubles per consecutive loss, so a broken command cannot
 * turn the pool into a spawn loop.
 */
export class WarmPool {
  private readonly waiting = new Set<Waiting>();
  private losses = 0;
  private retry?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: WarmPoolOptions) {}

  /** Connections started and waiting for a session. */
  get size(): number {
    return this.waiting.size;
  }

  /** Opens connections until `size` wait or the budget is full; does nothing while a replacement is backing off. */
  fill(): void {
    if (this.closed || this.retry) return;
    while (this.waiting.size < this.options.size) {
      const transport = this.options.open();
      if (!transport) return;
      const entry: Waiting = { transport, started: Promise.resolve() };
      this.waiting.add(entry);
      this.options.onSize?.(this.waiting.size);
      transport.onclose = () => this.lost(entry, 'it exited and was given up');
      transport.onerror = (e) => this.options.logger.debug({ err: e.message }, 'waiting server connection error');
      entry.started = transport.start();
      entry.started.catch((e: Error) => {
        this.lost(entry, e.message);
        void transport.close().catch(() => {});
      });
    }
  }

  /** A waiting connection for a session (its start() settles once the child has spawned), or undefined. */
  take(): UpstreamTransport | undefined {
    const entry = this.waiting.values().next().value as Waiting | undefined;
    if (!entry) return undefined;
    this.waiting.delete(entry);
    this.options.onSize?.(this.waiting.size);
    this.losses = 0;
    // Deferred: the session must own its connection (and its budget slot) before the pool opens the next one.
    setImmediate(() => this.fill());
    return new Prestarted(entry);
  }

  private lost(entry: Waiting, why: string) {
    if (!this.waiting.delete(entry) || this.closed) return;
    this.options.onSize?.(this.waiting.size);
    const msg = 'a pre-started MCP server was lost while waiting for a session (--prestart); replacing it after a delay';
    // Several lost at once (a broken command) share one delay, and count as one loss.
    if (this.retry) return void this.options.logger.warn({ err: why }, msg);
    const delay = Math.min((this.options.backoffMs ?? 1000) * 2 ** this.losses++, this.options.maxBackoffMs ?? 60_000);
    this.options.logger.warn({ retryInMs: delay, err: why }, msg);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.fill();
    }, delay);
    this.retry.unref();
  }

  /** Stops the waiting connections and opens no more. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const entries = [...this.waiting];
    this.waiting.clear();
    this.options.onSize?.(0);
    await Promise.allSettled(entries.map((e) => e.transport.close()));
  }
}

/** A waiting connection handed to a session: starting it again would spawn a second child, so start() waits on the first. */
class Prestarted extends LayerTransport implements UpstreamTransport {
  constructor(private readonly entry: Waiting) {
    super(entry.transport);
  }

  override start(): Promise<void> {
    return this.entry.started;
  }
}
