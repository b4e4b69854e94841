import { isAbsolute, resolve } from 'node:path';
import { callTimeout, compose, inProcessUpstream, silentLogger, stdioUpstream, type Logger, type ToolMetrics, type Upstream } from '@switchboard-mcp/core/serve';
import type { GatewayConfig, ServerConfig } from './config/types.js';
import { serverExposes } from './policy/scopes.js';
import { AuditLog } from './audit.js';
import { diffConfigs, type ConfigDiff } from './config/diff.js';
import type { KeyRing } from './config/key-file.js';
import { Backend } from './router/backend.js';
import type { PinLock } from './pinning.js';
import { GatewayRouter } from './router/router.js';

export interface GatewayOptions {
  logger?: Logger;
  keys?: KeyRing;
  /** The pins of `switchboard gateway pin` (by default read from the lock file beside the config). */
  lock?: PinLock;
  /** Where per server and tool call metrics go (core's `Metrics#tools`, on the registry the face serves at /metrics). */
  metrics?: Pick<ToolMetrics, 'started' | 'finished' | 'refused'>;
}

/** The upstream one configured server is reached through; what the library for its kind builds. */
export async function upstreamFor(server: ServerConfig, baseDir: string, log: Logger): Promise<Upstream> {
  const timed = (u: Upstream): Upstream =>
    server.timeoutMs ? { name: u.name, open: (ctx) => compose(callTimeout({ ms: server.timeoutMs! }))(u.open(ctx)) as ReturnType<Upstream['open']> } : u;
  switch (server.kind) {
    case 'stdio':
      return timed(stdioUpstream({ command: server.command, args: server.args, env: server.env, cwd: server.cwd, name: server.key }, { logger: log }));
    case 'remote': {
      // The client SDK loads only when a remote server is configured.
      const { remoteUpstream } = await import('@switchboard-mcp/core');
      return timed({ ...remoteUpstream({ url: server.url, transport: server.transport, headers: server.headers, logger: log }), name: server.key });
    }
    case 'openapi': {
      const { loadAndCompile, createOpenApiServer } = await import('@switchboard-mcp/openapi');
      const o = server.openapi;
      const spec = /^https?:\/\//.test(o.spec) || isAbsolute(o.spec) ? o.spec : resolve(baseDir, o.spec);
      const table = await loadAndCompile(spec, {
        include: o.include,
        exclude: o.exclude,
        includeDeprecated: o.includeDeprecated,
        maxTools: o.maxTools,
        maxTokens: o.maxTokens,
        descriptionBudget: o.descriptionBudget,
      } as never);
      const factory = createOpenApiServer(table, {
        name: server.key,
        baseUrl: o.baseUrl,
        serverVars: o.serverVars,
        auth: o.auth as never,
        authFile: o.authFile ? resolve(baseDir, o.authFile) : undefined,
        defaultHeaders: o.defaultHeaders,
        allowedHosts: o.allowedHosts,
        allowPrivate: o.allowPrivate,
        timeoutMs: o.timeout,
        maxResponseBytes: o.maxResponseBytes,
        retries: o.retries,
        maxRedirects: o.maxRedirects,
        log: (line: string) => log.info({ server: server.key }, line),
      } as never);
      return timed(inProcessUpstream({ name: server.key, connect: (t) => factory().connect(t) }));
    }
  }
}

/**
 * A gateway from a (secrets-resolved) config: one backend per enabled server, the router over them. The caller
 * serves the router like any upstream (`new Bridge({ upstream: router })`, or a stdio pipe) and starts it.
 */
function backendFor(server: ServerConfig, upstream: Upstream, config: GatewayConfig, log: Logger, onChange: () => void): Backend {
  return new Backend({
    key: server.key,
    upstream,
    ...(server.kind === 'remote' && Object.keys(server.callerHeaders).length ? { upstreamForCaller: callerUpstreams(server, config.baseDir, log) } : {}),
    isolation: server.kind === 'stdio' ? server.isolation : 'shared',
    deadlineMs: config.gateway.limits.deadlineMs,
    logger: log,
    onChange,
  });
}

/**
 * A remote server's per-caller upstreams: a caller named in `callerHeaders` gets a connection of its own with those
 * headers merged over the shared ones (a credential is a property of a connection, not of a message); everyone
 * else shares the server's connection. The caller's own token is never among them.
 */
function callerUpstreams(server: Extract<ServerConfig, { kind: 'remote' }>, baseDir: string, log: Logger): (callerId: string) => Promise<Upstream> | undefined {
  const made = new Map<string, Promise<Upstream>>();
  return (callerId) => {
    const headers = Object.hasOwn(server.callerHeaders, callerId) ? server.callerHeaders[callerId] : undefined;
    if (!headers) return undefined;
    let u = made.get(callerId);
    if (!u) made.set(callerId, (u = upstreamFor({ ...server, headers: { ...server.headers, ...headers } }, baseDir, log)));
    return u;
  };
}

function exposure(servers: ServerConfig[]) {
  return {
    prefixes: Object.fromEntries(servers.map((s) => [s.key, s.prefix])),
    renames: Object.fromEntries(servers.map((s) => [s.key, s.rename])),
    exposes: Object.fromEntries(servers.map((s) => [s.key, serverExposes(s)])),
  };
}

/**
 * A gateway from a (secrets-resolved) config: one backend per enabled server, the router over them. The caller
 * serves the router like any upstream (`new Bridge({ upstream: router })`, or a stdio pipe) and starts it.
 */
export async function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<GatewayRouter> {
  const log = options.logger ?? silentLogger;
  const g = config.gateway;
  const servers = config.servers.filter((s) => !s.disabled);
  const router: { current?: GatewayRouter } = {};
  const onChange = () => router.current?.catalogChanged();
  const backends = await Promise.all(servers.map(async (s) => backendFor(s, await upstreamFor(s, config.baseDir, log), config, log, onChange)));
  // Replicas share rate limits through Redis; the client library loads only when a config names Redis.
  const redis = g.redis ? await (await import('./policy/redis-store.js')).connectRedisStore(g.redis.url) : undefined;
  router.current = new GatewayRouter({
    backends,
    ...exposure(servers),
    auth: g.auth,
    keys: options.keys,
    constraints: g.constraints,
    rateLimit: g.limits.rateLimit,
    toolRateLimits: g.limits.toolRateLimits,
    rateLimitStore: redis?.store,
    onStop: redis?.close,
    metrics: options.metrics,
    audit: g.audit ? new AuditLog({ path: g.audit.path, maxBytes: g.audit.maxBytes, keep: g.audit.keep }) : undefined,
    nameBudget: g.nameBudget,
    lock: options.lock,
    pinning: g.pinning,
    logger: log,
  });
  return router.current;
}

/**
 * Applies a changed config as a diff: only added and changed servers (re)start, removed ones stop, exposure
 * changes re-list without a restart. Changes to the gateway block itself (listen, auth, limits …) need a restart
 * and are reported back.
 */
export async function reloadGateway(router: GatewayRouter, previous: GatewayConfig, next: GatewayConfig, options: { logger?: Logger } = {}): Promise<ConfigDiff> {
  const log = options.logger ?? silentLogger;
  const diff = diffConfigs(previous, next);
  const enabled = next.servers.filter((s) => !s.disabled);
  const disabledNow = next.servers.filter((s) => s.disabled).map((s) => s.key);
  const start = [...diff.added, ...diff.changed].filter((k) => !disabledNow.includes(k));
  const add = await Promise.all(
    enabled.filter((s) => start.includes(s.key)).map(async (s) => backendFor(s, await upstreamFor(s, next.baseDir, log), next, log, () => router.catalogChanged())),
  );
  await router.replace({ remove: [...diff.removed, ...disabledNow], add, ...exposure(enabled) });
  return diff;
}
