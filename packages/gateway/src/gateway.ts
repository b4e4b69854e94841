import { isAbsolute, resolve } from 'node:path';
import { callTimeout, compose, inProcessUpstream, silentLogger, stdioUpstream, type Logger, type Upstream } from '@switchboard/core/serve';
import type { GatewayConfig, ServerConfig } from './config/types.js';
import { serverExposes } from './policy/scopes.js';
import { AuditLog } from './audit.js';
import type { KeyRing } from './config/key-file.js';
import { Backend } from './router/backend.js';
import type { PinLock } from './pinning.js';
import { GatewayRouter } from './router/router.js';

export interface GatewayOptions {
  logger?: Logger;
  keys?: KeyRing;
  /** The pins of `switchboard gateway pin` (by default read from the lock file beside the config). */
  lock?: PinLock;
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
      const { remoteUpstream } = await import('@switchboard/core');
      return timed({ ...remoteUpstream({ url: server.url, transport: server.transport, headers: server.headers, logger: log }), name: server.key });
    }
    case 'openapi': {
      const { loadAndCompile, createOpenApiServer } = await import('@switchboard/openapi');
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
export async function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<GatewayRouter> {
  const log = options.logger ?? silentLogger;
  const g = config.gateway;
  const servers = config.servers.filter((s) => !s.disabled);
  const router: { current?: GatewayRouter } = {};
  const backends = await Promise.all(
    servers.map(
      async (s) =>
        new Backend({
          key: s.key,
          upstream: await upstreamFor(s, config.baseDir, log),
          isolation: s.kind === 'stdio' ? s.isolation : 'shared',
          deadlineMs: g.limits.deadlineMs,
          logger: log,
          onChange: () => router.current?.catalogChanged(),
        }),
    ),
  );
  router.current = new GatewayRouter({
    backends,
    prefixes: Object.fromEntries(servers.map((s) => [s.key, s.prefix])),
    renames: Object.fromEntries(servers.map((s) => [s.key, s.rename])),
    exposes: Object.fromEntries(servers.map((s) => [s.key, serverExposes(s)])),
    auth: g.auth,
    keys: options.keys,
    constraints: g.constraints,
    rateLimit: g.limits.rateLimit,
    toolRateLimits: g.limits.toolRateLimits,
    audit: g.audit ? new AuditLog({ path: g.audit.path, maxBytes: g.audit.maxBytes, keep: g.audit.keep }) : undefined,
    nameBudget: g.nameBudget,
    lock: options.lock,
    pinning: g.pinning,
    logger: log,
  });
  return router.current;
}
