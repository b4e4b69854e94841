import { ErrorCode, Multiplexer, Requester, silentLogger, type Lane, type Logger, type Message, type Upstream, type UpstreamContext } from '@switchboard-mcp/core/serve';

type Item = Record<string, unknown>;

/** A backend's lists as last fetched: served from memory, so a slow backend never delays anyone's list. */
export interface BackendCatalog {
  tools: Item[];
  prompts: Item[];
  resources: Item[];
  templates: Item[];
  capabilities: Record<string, unknown>;
  serverInfo?: Item;
}

export type BackendState = 'starting' | 'up' | 'down' | 'disabled';

export interface BackendOptions {
  /** The server's key in the config. */
  key: string;
  upstream: Upstream;
  /** per-client: each client session gets its own connection (stateful stdio servers). */
  isolation: 'shared' | 'per-client';
  /** A caller with credentials of its own gets its own upstream (one shared connection per such caller); others: undefined. */
  upstreamForCaller?: (callerId: string) => Promise<Upstream> | undefined;
  /** A list fetch slower than this counts as a failure (the last good lists stay). */
  deadlineMs: number;
  /** How often a live backend is pinged, so a dead one is noticed without waiting for a call (default 5 s). */
  healthIntervalMs?: number;
  initTimeoutMs?: number;
  logger?: Logger;
  /** The backend's lists changed (fetched anew, came up, went down). */
  onChange(): void;
}

const MAX_PAGES = 100;

/**
 * One configured server behind the gateway: a shared connection (a Multiplexer) for the catalog and for clients in
 * shared isolation, the last good lists, and a breaker that reconnects with jittered backoff when it fails.
 */
export class Backend {
  state: BackendState = 'starting';
  catalog?: BackendCatalog;
  lastError?: string;
  private shared?: Multiplexer;
  /** Connections of callers with their own credentials, one per caller id, opened on first use. */
  private readonly callers = new Map<string, Promise<Multiplexer>>();
  private catalogLane?: Lane;
  private readonly requests = new Requester('gw-catalog');
  private retryDelayMs = 500;
  private retryTimer?: NodeJS.Timeout;
  private healthTimer?: NodeJS.Timeout;
  private refreshing?: Promise<void>;
  private stopped = false;
  private readonly log: Logger;

  constructor(readonly options: BackendOptions) {
    this.log = (options.logger ?? silentLogger).child({ server: options.key });
  }

  get key(): string {
    return this.options.key;
  }

  /** Connects and fetches the lists; on failure keeps trying in the background. Never throws. */
  async start(): Promise<void> {
    try {
      const shared = new Multiplexer(this.options.upstream.open({ era: '2025' }), {
        logger: this.log,
        initTimeoutMs: this.options.initTimeoutMs ?? 60_000,
        name: `server "${this.key}"`,
      });
      this.shared = shared;
      // Only the current connection's end matters: an old one closing after a reconnect is history.
      shared.onclose = () => {
        if (this.shared === shared) this.fail(new Error('the connection closed'));
      };
      // Internal: while a list fetch or health probe is the newest call on the connection, a server's elicitation or
      // sampling request must still go to the client whose call is running, not to this lane (nobody answers here).
      const lane = shared.lane({ internal: true });
      lane.onmessage = (m) => this.fromCatalogLane(m as Message);
      this.catalogLane = lane;
      await this.shared.start();
      await this.refresh();
    } catch (err) {
      this.fail(err as Error);
    }
  }

  private fail(err: Error): void {
    if (this.stopped || (this.state === 'down' && this.retryTimer)) return;
    const wasUp = this.state === 'up';
    this.state = 'down';
    this.lastError = err.message;
    this.requests.failAll(err);
    if (wasUp || !this.retryTimer) this.log.warn({ err: err.message }, 'backend is down; its last good lists stay served');
    this.options.onChange();
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.stopped) return;
    // Jitter spreads reconnects of many gateways (or many backends) after a shared outage.
    const delay = this.retryDelayMs * (0.75 + Math.random() * 0.5);
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, 30_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.shared?.close().catch(() => {});
      void this.start();
    }, delay);
    this.retryTimer.unref();
  }

  private fromCatalogLane(m: Message): void {
    if (this.requests.settle(m)) return;
    const method = (m as { method?: string }).method ?? '';
    if (method.endsWith('/list_changed')) void this.refresh();
  }

  private call(method: string, params: Item = {}, timeoutMs = this.options.deadlineMs): Promise<Message> {
    const lane = this.catalogLane;
    if (!lane) return Promise.reject(new Error('not connected'));
    return this.requests.request((m) => lane.send(m), method, params, timeoutMs);
  }

  /** Follows a list's pages to the end (loop-guarded). */
  private async listAll(method: string, field: string): Promise<Item[]> {
    const out: Item[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = (await this.call(method, cursor ? { cursor } : {})) as { result?: Record<string, unknown>; error?: { message?: string } };
      if (res.error) throw new Error(`${method}: ${res.error.message ?? 'error'}`);
      out.push(...(((res.result?.[field] as Item[] | undefined) ?? []) as Item[]));
      const next = res.result?.nextCursor;
      if (typeof next !== 'string' || !next || seen.has(next)) return out;
      seen.add(next);
      cursor = next;
    }
    this.log.warn({ method }, `stopped following ${method} after ${MAX_PAGES} pages`);
    return out;
  }

  /** Fetches every list anew; the last good catalog stays if this fails. */
  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      const init = this.shared?.initializeResult ?? {};
      const caps = (init.capabilities ?? {}) as Record<string, unknown>;
      try {
        const [tools, prompts, resources, templates] = await Promise.all([
          caps.tools ? this.listAll('tools/list', 'tools') : [],
          caps.prompts ? this.listAll('prompts/list', 'prompts') : [],
          caps.resources ? this.listAll('resources/list', 'resources') : [],
          caps.resources ? this.listAll('resources/templates/list', 'resourceTemplates').catch(() => []) : [],
        ]);
        this.catalog = { tools, prompts, resources, templates, capabilities: caps, serverInfo: init.serverInfo as Item | undefined };
        const cameUp = this.state !== 'up';
        this.state = 'up';
        this.lastError = undefined;
        this.retryDelayMs = 500;
        if (cameUp) this.log.info({ tools: tools.length, prompts: prompts.length, resources: resources.length }, 'backend is up');
        this.watchHealth();
        this.options.onChange();
      } catch (err) {
        // A slow or failed listing on a live connection keeps the last good lists; a dead connection does not.
        if (this.shared?.isReady && this.catalog) this.log.warn({ err: (err as Error).message }, 'listing failed; the last good lists stay served');
        else this.fail(err as Error);
      }
    })().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /**
   * A remote that died is not a closed connection (the remote transport keeps trying to recover it): a probe that
   * fails within the deadline marks the backend down and reconnects it with backoff; its tools leave the lists.
   *
   * The probe is a one-page tools/list when the server has tools: to a 2026-07-28-only server, `ping` never leaves
   * the gateway (the era translator answers it itself, 2026-07-28 has no ping), so a dead one would stay listed.
   * An error answer counts as alive only when it is the server's own refusal (method not found); a delivery
   * failure the transports turn into an error answer is not.
   */
  private watchHealth(): void {
    if (this.healthTimer) return;
    this.healthTimer = setInterval(() => {
      if (this.state !== 'up') return;
      const probe = this.catalog?.capabilities.tools ? 'tools/list' : 'ping';
      // Generous: a busy server (or a busy machine) answering late is alive; only silence or an error is death.
      this.call(probe, {}, Math.max(10_000, this.options.deadlineMs * 10)).then(
        (r) => {
          const error = (r as { error?: { code?: number; message?: string } }).error;
          if (!error) return;
          if (error.code === ErrorCode.MethodNotFound) return this.log.debug({ err: error.message }, `${probe} refused (server alive)`);
          clearInterval(this.healthTimer);
          this.healthTimer = undefined;
          this.fail(new Error(`health check: ${error.message ?? `error ${error.code}`}`));
        },
        (err: Error) => {
          clearInterval(this.healthTimer);
          this.healthTimer = undefined;
          this.fail(new Error(`health check: ${err.message}`));
        },
      );
    }, this.options.healthIntervalMs ?? 5000);
    this.healthTimer.unref();
  }

  /**
   * A connection for a caller with credentials of its own (see upstreamForCaller): a lane of that caller's shared
   * connection. Undefined for callers without: they use connect().
   */
  async connectAs(callerId: string, ctx: UpstreamContext): Promise<Lane | undefined> {
    const upstream = this.options.upstreamForCaller?.(callerId);
    if (!upstream) return undefined;
    let mux = this.callers.get(callerId);
    if (!mux) {
      const opening = upstream.then(async (u) => {
        const m = new Multiplexer(u.open({ ...ctx, era: '2025' }), { logger: this.log, initTimeoutMs: this.options.initTimeoutMs, name: `server "${this.key}" for caller "${callerId}"` });
        // A connection that ends (or never starts) is forgotten, so the caller's next call opens a fresh one.
        m.onclose = () => {
          if (this.callers.get(callerId) === opening) this.callers.delete(callerId);
        };
        await m.start();
        return m;
      });
      opening.catch(() => {
        if (this.callers.get(callerId) === opening) this.callers.delete(callerId);
      });
      this.callers.set(callerId, opening);
      mux = opening;
    }
    return (await mux).lane();
  }

  /** A connection for one client: a lane of the shared connection, or (per-client) one of its own. */
  connect(ctx: UpstreamContext): Lane {
    if (this.options.isolation === 'per-client') {
      const own = new Multiplexer(this.options.upstream.open(ctx), { logger: this.log, initTimeoutMs: this.options.initTimeoutMs, name: `server "${this.key}"` });
      const lane = own.lane();
      const close = lane.close.bind(lane);
      lane.close = async () => {
        await close();
        await own.close();
      };
      return lane;
    }
    if (!this.shared) throw new Error(`server "${this.key}" is not connected`);
    return this.shared.lane();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.healthTimer);
    await this.shared?.close().catch(() => {});
    await Promise.allSettled([...this.callers.values()].map(async (m) => (await m).close()));
    this.callers.clear();
  }
}
