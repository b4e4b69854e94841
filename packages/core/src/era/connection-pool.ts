import type { Transport } from '../transport.js';
import { SwitchboardError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';

/** A connection to a server that hands out transports on it (a Multiplexer and its lanes). */
export interface PoolConnection {
  start(): Promise<void>;
  lane(): Transport;
  readonly isReady: boolean;
  close(): Promise<void>;
}

/** A connection lent to one call: `release(true)` once the server has finished with the call, `false` to discard it. */
export interface Lease {
  transport: Transport;
  release(reusable: boolean): void;
}

export interface ConnectionPoolOptions {
  /** Connections open at once (default 16); beyond that, callers wait for one to come back. */
  max?: number;
  /** Connections kept open while unused (default 2). */
  maxIdle?: number;
  logger?: Logger;
}

/**
 * Connections that each carry at most one call at a time. A 2025-era server's sampling / elicitation / roots
 * request names neither the call it belongs to nor its input key (over stdio the SDK's `relatedRequestId` does not
 * reach the wire), so on a connection shared by concurrent calls nobody can tell whose it is. A call that may be
 * asked for input therefore borrows a connection of its own, and gives it back when the server has answered it.
 */
export class ConnectionPool {
  private readonly idle: PoolConnection[] = [];
  private readonly waiters: Array<() => void> = [];
  private open = 0;
  private closed = false;
  private readonly max: number;
  private readonly maxIdle: number;
  private readonly log: Logger;

  constructor(
    private readonly connect: () => PoolConnection,
    options: ConnectionPoolOptions = {},
  ) {
    this.max = Math.max(1, options.max ?? 16);
    this.maxIdle = Math.max(0, options.maxIdle ?? 2);
    this.log = options.logger ?? silentLogger;
  }

  /** Connections open now (lent or idle). */
  get size(): number {
    return this.open;
  }

  /** Every connection is lent and no more may open: the next caller waits. */
  get exhausted(): boolean {
    return this.idle.length === 0 && !this.warming && this.open >= this.max;
  }

  /**
   * Opens a spare connection in the background unless one is idle or opening: a server can take seconds to start,
   * and the call that needs a connection should not wait for that.
   */
  warm(): void {
    if (this.closed || this.warming || this.idle.length > 0 || this.open >= this.max) return;
    this.open++;
    const conn = this.connect();
    this.warming = conn.start().then(
      () => {
        this.warming = undefined;
        if (this.closed) return this.discard(conn);
        this.idle.push(conn);
        this.waiters.shift()?.();
      },
      (err: Error) => {
        this.warming = undefined;
        this.log.warn({ err: err.message }, 'could not open a spare connection to the MCP server');
        this.discard(conn);
      },
    );
  }
  private warming?: Promise<void>;

  async acquire(): Promise<Lease> {
    for (;;) {
      if (this.closed) throw new SwitchboardError('SB_CLOSED', 'the bridge is shutting down');
      const reused = this.idle.pop();
      if (reused) {
        if (reused.isReady) return this.lease(reused);
        this.discard(reused);
        continue;
      }
      if (this.warming) {
        // The spare on its way started earlier than a new one would.
        await this.warming;
        continue;
      }
      if (this.open < this.max) {
        this.open++;
        const conn = this.connect();
        try {
          await conn.start();
        } catch (err) {
          this.discard(conn);
          throw err;
        }
        this.log.debug({ open: this.open }, 'opened a connection for a call that may be asked for input');
        return this.lease(conn);
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private lease(conn: PoolConnection): Lease {
    this.warm();
    const transport = conn.lane();
    let released = false;
    return {
      transport,
      release: (reusable) => {
        if (released) return;
        released = true;
        void transport.close();
        if (reusable && !this.closed && conn.isReady && (this.waiters.length > 0 || this.idle.length < this.maxIdle)) {
          this.idle.push(conn);
          this.waiters.shift()?.();
        } else this.discard(conn);
      },
    };
  }

  private discard(conn: PoolConnection): void {
    this.open--;
    void conn.close().catch(() => {});
    this.waiters.shift()?.();
  }

  close(): void {
    this.closed = true;
    for (const conn of this.idle.splice(0)) this.discard(conn);
    for (const wake of this.waiters.splice(0)) wake();
  }
}
