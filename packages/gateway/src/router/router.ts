import { maskSecrets, silentLogger, type ToolMetrics, type AuthInfo, type Logger, type Upstream, type UpstreamContext, type UpstreamTransport } from '@switchboard-mcp/core/serve';
import { NameTable, DEFAULT_NAME_BUDGET } from '../naming.js';
import { ResourceUriMap } from '../resource-uris.js';
import { callerPolicy, type CallerPolicy } from '../policy/scopes.js';
import { ArgumentPolicy } from '../policy/constraints.js';
import { MemoryRateLimitStore, RateLimiter, type RateLimitStore } from '../policy/rate-limit.js';
import type { KeyRing } from '../config/key-file.js';
import type { AuthConfig, ArgumentConstraint, RateRule } from '../config/types.js';
import type { AuditLog } from '../audit.js';
import type { Backend } from './backend.js';
import { comparePins, type PinLock, type ToolDefinition } from '../pinning.js';
import type { PinningMode } from '../config/types.js';
import { GatewaySession } from './session.js';
import { CachedList, ListCache, rulesKey } from './list-cache.js';

type Item = Record<string, unknown>;

export interface RouterOptions {
  backends: Backend[];
  /** server key → exposed prefix. */
  prefixes: Record<string, string>;
  /** server key → upstream tool name → exposed name after the prefix. */
  renames?: Record<string, Record<string, string>>;
  /** server key → does the server's own filter expose this tool? */
  exposes?: Record<string, (tool: string) => boolean>;
  auth?: AuthConfig;
  keys?: KeyRing;
  constraints?: Record<string, Record<string, ArgumentConstraint>>;
  rateLimit?: RateRule;
  toolRateLimits?: Array<{ tools: string; rule: RateRule }>;
  rateLimitStore?: RateLimitStore;
  /** Called last on stop() (e.g. closing the shared store's connection). */
  onStop?: () => Promise<void>;
  audit?: AuditLog;
  /** Per server and tool call metrics (core's, on the face's registry), when the gateway serves /metrics. */
  metrics?: Pick<ToolMetrics, 'started' | 'finished' | 'refused'>;
  nameBudget?: number;
  /** Tool-definition pins (`gateway pin`): a changed or new definition is withheld (enforce) or logged (warn). */
  lock?: PinLock;
  pinning?: PinningMode;
  logger?: Logger;
}

/** What the router knows after each catalog change: exposed names ↔ backends, namespaced resource URIs. */
export interface RoutingTables {
  tools: NameTable;
  prompts: NameTable;
  uris: ResourceUriMap;
}

/**
 * The gateway's router: one more Upstream. Each client (a 2025 session, the shared connection that carries 2026
 * requests, or stdio) opens a GatewaySession, which merges every backend's lists under prefixed names and routes
 * each call to the backend it names. Policies run per message, on the caller the message carries.
 */
export class GatewayRouter implements Upstream {
  readonly name = 'gateway';
  readonly log: Logger;
  readonly sessions = new Set<GatewaySession>();
  readonly backends: Map<string, Backend>;
  readonly arguments: ArgumentPolicy;
  readonly rateLimiter: RateLimiter;
  tables: RoutingTables;
  /** Exposed names withheld because their definition is not the pinned one. */
  withheld = new Set<string>();
  private readonly reported = new Set<string>();
  private readonly policies = new Map<string, CallerPolicy>();
  /** Lists as each scope set sees them, per catalog version: a tools/list is a lookup. */
  private readonly lists = new ListCache<CachedList>();

  constructor(readonly options: RouterOptions) {
    this.log = options.logger ?? silentLogger;
    this.backends = new Map(options.backends.map((b) => [b.key, b]));
    this.arguments = new ArgumentPolicy(options.constraints ?? {});
    this.rateLimiter = new RateLimiter(options.rateLimitStore ?? new MemoryRateLimitStore(), { default: options.rateLimit, tools: options.toolRateLimits });
    this.tables = this.build();
  }

  open(ctx: UpstreamContext): UpstreamTransport {
    return new GatewaySession(this, ctx);
  }

  /** Starts every backend at once; resolves when each is up or has failed its first attempt. */
  async start(): Promise<void> {
    await Promise.all([...this.backends.values()].map((b) => b.start()));
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.sessions].map((s) => s.close()));
    await Promise.allSettled([...this.backends.values()].map((b) => b.stop()));
    await this.options.audit?.close();
    await this.options.onStop?.();
  }

  /**
   * Hot reload: replaces backends and how servers are exposed. Clients stay connected; a client's lanes to a
   * replaced or removed backend close (its calls in flight there fail), and every client gets list_changed.
   */
  async replace(change: { remove: string[]; add: Backend[]; prefixes: Record<string, string>; renames: Record<string, Record<string, string>>; exposes: Record<string, (tool: string) => boolean> }): Promise<void> {
    const gone = [...change.remove, ...change.add.map((b) => b.key)];
    for (const key of gone) {
      const old = this.backends.get(key);
      if (!old) continue;
      this.backends.delete(key);
      for (const s of this.sessions) await s.dropBackend(key);
      await old.stop();
    }
    Object.assign(this.options, { prefixes: change.prefixes, renames: change.renames, exposes: change.exposes });
    for (const b of change.add) this.backends.set(b.key, b);
    this.catalogChanged();
    await Promise.all(change.add.map((b) => b.start()));
  }

  /** Per-backend state for /readyz and `check`: words, never a command line or a URL's credentials. */
  backendStates(): Record<string, { state: string; tools: number; error?: string }> {
    return Object.fromEntries(
      [...this.backends.values()].map((b) => [b.key, { state: b.state, tools: b.catalog?.tools.length ?? 0, ...(b.state === 'down' && b.lastError ? { error: maskSecrets(b.lastError).replace(/\?[^\s)]*/g, '?…') } : {}) }]),
    );
  }

  /** A backend's lists changed: rebuild the tables and tell every client to refresh what changed. */
  catalogChanged(): void {
    this.tables = this.build();
    this.lists.invalidate();
    // A definition may change under the same name: every list is announced as changed.
    for (const s of this.sessions) {
      s.notify('notifications/tools/list_changed');
      s.notify('notifications/prompts/list_changed');
      s.notify('notifications/resources/list_changed');
    }
  }

  private build(): RoutingTables {
    const up = [...this.backends.values()].filter((b) => b.state === 'up' && b.catalog);
    const budget = this.options.nameBudget ?? DEFAULT_NAME_BUDGET;
    const exposes = (key: string) => this.options.exposes?.[key] ?? (() => true);
    const tools = NameTable.build(
      up.map((b) => ({
        server: b.key,
        prefix: this.options.prefixes[b.key]!,
        names: b.catalog!.tools.map((t) => String(t.name)).filter(exposes(b.key)),
        rename: this.options.renames?.[b.key],
      })),
      { budget },
    );
    const prompts = NameTable.build(
      up.map((b) => ({ server: b.key, prefix: this.options.prefixes[b.key]!, names: b.catalog!.prompts.map((p) => String(p.name)) })),
      { budget },
    );
    for (const w of [...tools.warnings, ...prompts.warnings]) this.log.warn({ kind: w.kind }, w.message);
    const tables = { tools, prompts, uris: new ResourceUriMap(this.options.prefixes) };
    this.checkPins(tables);
    return tables;
  }

  /** The tools this caller may see, under their exposed names: computed once per scope set and catalog version. */
  toolsFor(policy: CallerPolicy): CachedList {
    return this.lists.get(`tools\u0000${rulesKey(policy.rules)}`, () => {
      const out: Item[] = [];
      const byName = this.definitionsByName();
      for (const e of this.tables.tools.entries) {
        if (!policy.permits(e.server, e.original) || this.withheld.has(e.exposed)) continue;
        const tool = byName.get(e.server)?.get(e.original);
        // Shared by every session of this scope set: nothing downstream may change it in place.
        if (tool) out.push(Object.freeze({ ...tool, name: e.exposed }));
      }
      return new CachedList('tools', out);
    });
  }

  /** Prompts, resources and templates are the same for every caller: one cached list each. */
  promptList(): CachedList {
    return this.lists.get('prompts', () => {
      const out: Item[] = [];
      for (const e of this.tables.prompts.entries) {
        const prompt = this.backends.get(e.server)?.catalog?.prompts.find((p) => p.name === e.original);
        if (prompt) out.push({ ...prompt, name: e.exposed });
      }
      return new CachedList('prompts', out);
    });
  }

  resourceList(kind: 'resources' | 'templates'): CachedList {
    const field = kind === 'resources' ? 'uri' : 'uriTemplate';
    return this.lists.get(kind, () => {
      const out: Item[] = [];
      for (const b of this.backends.values()) {
        if (b.state !== 'up' || !b.catalog) continue;
        for (const r of b.catalog[kind]) {
          const exposed = this.tables.uris.toExposed(b.key, String(r[field]));
          if (exposed) out.push({ ...r, [field]: exposed });
        }
      }
      return new CachedList(kind === 'resources' ? 'resources' : 'resourceTemplates', out);
    });
  }

  /** The catalog's version: it moves on every list_changed, reload and pin decision. */
  get catalogVersion(): number {
    return this.lists.currentVersion;
  }

  private definitionsByName(): Map<string, Map<unknown, Item>> {
    const out = new Map<string, Map<unknown, Item>>();
    for (const b of this.backends.values()) if (b.catalog) out.set(b.key, new Map(b.catalog.tools.map((t) => [t.name, t])));
    return out;
  }

  /** Every exposed tool's definition as clients see it (what pins are made of). */
  exposedDefinitions(tables: RoutingTables = this.tables): ToolDefinition[] {
    const out: ToolDefinition[] = [];
    const byName = this.definitionsByName();
    for (const e of tables.tools.entries) {
      const tool = byName.get(e.server)?.get(e.original);
      if (tool) out.push({ ...(tool as object), name: e.exposed } as ToolDefinition);
    }
    return out;
  }

  /** Compares the catalog with the lock: drift is logged and audited once per definition, and withheld when enforced. */
  private checkPins(tables: RoutingTables): void {
    const mode = this.options.pinning ?? 'warn';
    if (mode === 'off' || !this.options.lock) {
      this.withheld = new Set();
      return;
    }
    const defs = this.exposedDefinitions(tables);
    const cmp = comparePins(this.options.lock, defs);
    const server = (name: string) => tables.tools.resolve(name)?.server ?? '';
    const drift = [
      ...cmp.changed.map((c) => ({ name: c.name, change: 'changed' as const, pinnedHash: c.pinnedHash, currentHash: c.currentHash, diff: c.diff })),
      ...cmp.new.map((name) => ({ name, change: 'new' as const })),
    ];
    for (const d of drift) {
      const key = `${d.name}\u0000${'currentHash' in d ? d.currentHash : 'new'}`;
      if (this.reported.has(key)) continue;
      this.reported.add(key);
      this.log.warn({ tool: d.name, change: d.change, pinning: mode }, mode === 'enforce' ? 'tool definition differs from its pin: withheld until re-pinned (switchboard gateway pin)' : 'tool definition differs from its pin');
      this.options.audit?.pinDrift({ server: server(d.name), tool: d.name, change: d.change, ...('diff' in d ? { pinnedHash: d.pinnedHash, currentHash: d.currentHash, diff: d.diff } : {}) });
    }
    this.withheld = mode === 'enforce' ? new Set(drift.map((d) => d.name)) : new Set();
  }

  /** What this caller may use (cached per caller id: the key file and scopes map are fixed while it runs). */
  policyFor(authInfo: AuthInfo | undefined): CallerPolicy {
    const id = authInfo ? `${authInfo.clientId}\u0000${authInfo.scopes.join(' ')}` : '';
    let p = this.policies.get(id);
    if (!p) {
      const scheme = (authInfo?.extra as { kind?: string } | undefined)?.kind;
      p = callerPolicy(authInfo ? { clientId: authInfo.clientId, scopes: authInfo.scopes, extra: { scheme } } : undefined, this.options.auth, this.options.keys);
      if (this.policies.size > 10_000) this.policies.clear();
      this.policies.set(id, p);
    }
    return p;
  }
}
