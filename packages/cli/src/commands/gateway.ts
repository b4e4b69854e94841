import { watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { createLogger, type LogLevel } from '@switchboard-mcp/core/serve';
import { httpFaceOptions, runBridge, toFaceOptions, type HttpFaceArgs } from '../http-options.js';
import { entryForServedUrl, printEntry } from '../print-config.js';

export const command = 'gateway';
export const describe = 'Serve many MCP servers (stdio, remote, OpenAPI) behind one endpoint, from one config file';

export function builder(y: Argv) {
  return httpFaceOptions(
    y
      .usage('$0 gateway --config gateway.json [options]\n$0 gateway --example\n$0 gateway check gateway.json')
      .command(
        'check <config>',
        'validate a config offline-ish: connect each server, print the catalog (names, sizes, tokens, collisions, unresolved secrets, suspicious descriptions)',
        (c) => c.positional('config', { type: 'string', demandOption: true, describe: 'the config file (JSON or JSONC)' }).option('log-level', { choices: ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const, default: 'warn' as const }),
        (argv) => check(argv as never),
      )
      .command(
        'pin <config>',
        'record a hash of every exposed tool definition in the lock file beside the config; later changes are withheld (pinning: enforce) or logged (warn)',
        (c) => c.positional('config', { type: 'string', demandOption: true, describe: 'the config file' }).option('log-level', { choices: ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const, default: 'warn' as const }),
        (argv) => pin(argv as never),
      )
      .option('config', { type: 'string', describe: 'the config file: an mcpServers file (Claude Desktop, Cursor, VS Code) works as it is', group: 'Gateway:' })
      .option('example', { type: 'boolean', default: false, describe: 'serve a built-in example, no setup: a stdio server, an OpenAPI spec against a local API, and a bridged server as a remote (port 8080, or any free one)', group: 'Gateway:' })
      .option('watch', { type: 'boolean', default: true, describe: 'apply edits of the config file as they are saved: only changed servers restart, clients stay connected (--no-watch to turn off)', group: 'Gateway:' })
      .option('stdio', { type: 'boolean', default: false, describe: 'serve over stdio instead of HTTP (one entry in Claude Desktop for all your servers)', group: 'Gateway:' })
      .option('log-level', { choices: ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const, default: 'info' as const, describe: 'how much to log (stderr)' }),
  )
    .example('$0 gateway --config gateway.json', 'every server of the file at http://127.0.0.1:8080/mcp, tools named server__tool')
    .example('$0 gateway --example', 'three built-in backends (stdio, OpenAPI, remote) behind one URL, with a Claude Desktop snippet')
    .example('$0 gateway --config ~/Library/Application\\ Support/Claude/claude_desktop_config.json --stdio', 'your Claude Desktop servers behind one stdio entry');
}

interface GatewayArgs extends HttpFaceArgs {
  config?: string;
  example: boolean;
  stdio: boolean;
  watch: boolean;
  logLevel: LogLevel;
}

async function load(path: string, log: ReturnType<typeof createLogger>) {
  const gw = await import('@switchboard-mcp/gateway');
  const { config, warnings } = await gw.loadConfig(path);
  for (const w of warnings) log.warn({ path: w.path }, w.message);
  const { value, unresolved } = gw.resolveConfigSecrets(config);
  return { gw, config: value, unresolved };
}

export async function handler(argv: GatewayArgs): Promise<void> {
  if (argv.example && argv.config) throw new Error('--example serves a built-in config: drop --config, or drop --example');
  if (argv.example && argv.stdio) throw new Error('--example serves over HTTP: drop --stdio (or use --config with --stdio)');
  if (!argv.config && !argv.example) throw new Error('missing --config: switchboard gateway --config gateway.json (or try: switchboard gateway --example)');
  const log = createLogger({ level: argv.logLevel, name: 'switchboard-gateway' });
  if (!argv.example) {
    await serve(argv, argv.config!, log);
    return;
  }
  const { startExample, examplePort } = await import('../example/example.js');
  const example = await startExample(log);
  try {
    const portGiven = process.argv.some((a) => a === '--port' || a.startsWith('--port='));
    const port = portGiven ? argv.port : await examplePort(argv.host);
    const url = await serve({ ...argv, port, watch: false }, example.configPath, log, { port, onStop: example.stop });
    if (url) {
      const listening = new URL(url);
      process.stderr.write(`switchboard: the example gateway — ${url}\n${example.backends.map((b) => `  ${b.name}__*  ${b.what}`).join('\n')}\n`);
      printEntry('switchboard-demo', entryForServedUrl({ host: argv.host, port: Number(listening.port), basePath: argv.basePath, mcpPath: argv.mcpPath, apiKeys: false }));
    }
  } catch (err) {
    await example.stop();
    throw err;
  }
}

/** Serves one config; resolves with the Streamable HTTP URL once listening (undefined for --stdio, which never returns). */
async function serve(argv: GatewayArgs, configPath: string, log: ReturnType<typeof createLogger>, override: { port?: number; onStop?: () => Promise<void> } = {}): Promise<string | undefined> {
  argv = { ...argv, config: configPath };
  const { gw, config, unresolved } = await load(configPath, log);
  if (unresolved.length) {
    throw new Error(`unresolved secrets: ${unresolved.map((u) => `${u.path} (${u.reference}: ${u.reason})`).join('; ')}`);
  }
  const keys = config.gateway.auth?.keys ? await gw.loadKeyFile(config.gateway.auth.keys) : undefined;
  const lock = await gw.readLock(gw.lockPathFor(configPath));
  // One registry for the face's metrics and the router's per server and tool metrics, served at /metrics.
  const metrics = argv.metrics && !argv.stdio ? new (await import('@switchboard-mcp/core')).Metrics() : undefined;
  const router = await gw.createGateway(config, { logger: log, keys, lock, metrics: metrics?.tools });
  if (argv.watch) watchConfig(configPath, config, router, log);
  if (argv.stdio) {
    const { StdioServerTransport } = await import('@modelcontextprotocol/server/stdio');
    const { pipe } = await import('@switchboard-mcp/core/serve');
    void router.start();
    const face = new StdioServerTransport();
    const p = pipe(face, router.open({ era: '2025', session: { id: 'stdio', kind: 'stdio' } }), { logger: log });
    await face.start();
    const stop = () => void router.stop().finally(() => process.exit(0));
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    await p.closed;
    await router.stop();
    process.exit(0);
  }
  const listen = config.gateway.listen;
  const given = (flag: string) => process.argv.includes(`--${flag}`);
  const faceArgs: HttpFaceArgs = {
    ...argv,
    host: given('host') ? argv.host : listen.host,
    port: override.port ?? (given('port') ? argv.port : listen.port),
    basePath: given('base-path') ? argv.basePath : listen.basePath,
    mcpPath: given('mcp-path') ? argv.mcpPath : listen.mcpPath,
    ssePath: given('sse-path') ? argv.ssePath : listen.ssePath,
    messagesPath: given('messages-path') ? argv.messagesPath : listen.messagesPath,
  };
  const { graceMs, ...face } = toFaceOptions(faceArgs, log);
  const { Bridge, jwtAuthenticator } = await import('@switchboard-mcp/core/serve');
  const jwt = config.gateway.auth?.jwt;
  const bridge = new Bridge({
    ...face,
    // The key file's entries are stored hashed: the face compares digests and names the caller by the key's id.
    apiKeys: [...(face.apiKeys ?? []), ...(keys?.entries ?? []).filter((e) => !e.disabled).map((e) => ({ id: e.id, digest: Buffer.from(e.hash.slice('sha256:'.length), 'hex'), scopes: e.scopes ?? [] }))],
    authenticators: [...(face.authenticators ?? []), ...(jwt ? [jwtAuthenticator({ issuer: jwt.issuer, jwksUrl: jwt.jwksUrl, audience: jwt.audience[0]! })] : [])],
    upstream: router,
    // The router is one process-wide object: every session is its own GatewaySession over shared backends.
    isolation: 'per-session',
    metrics: metrics ?? false,
    readinessDetail: () => ({ servers: router.backendStates() }),
  });
  // Backends come up in the background (clients get list_changed as each does); a short wait lets a quick
  // start list everything from the first request.
  await Promise.race([router.start(), new Promise((r) => setTimeout(r, 5000).unref())]);
  const { url } = await runBridge(bridge, log, faceArgs, { servers: config.servers.length }, async () => {
    await bridge.stop(graceMs);
    await router.stop();
    await override.onStop?.();
  });
  return url;
}

/**
 * Hot reload: the directory is watched (editors replace a file rather than write it), saves are debounced, and a
 * config that does not load keeps the running one, with the reason logged.
 */
function watchConfig(path: string, initial: Awaited<ReturnType<typeof load>>['config'], router: Awaited<ReturnType<Awaited<ReturnType<typeof load>>['gw']['createGateway']>>, log: ReturnType<typeof createLogger>): void {
  let current = initial;
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  const apply = () => {
    running = running.then(async () => {
      try {
        const { gw, config, unresolved } = await load(path, log);
        if (unresolved.length) throw new Error(`unresolved secrets: ${unresolved.map((u) => u.path).join(', ')}`);
        const diff = await gw.reloadGateway(router, current, config, { logger: log });
        current = config;
        log.info({ added: diff.added, removed: diff.removed, restarted: diff.changed, reexposed: diff.exposureChanged }, 'config reloaded');
        if (diff.gatewayChanged) log.warn({ sections: diff.gatewaySections }, 'the gateway block changed: restart to apply it (servers were reloaded)');
      } catch (err) {
        log.error({ err: (err as Error).message }, 'config not reloaded: keeping the running one');
      }
    });
  };
  const dir = dirname(resolve(path));
  const name = basename(path);
  try {
    const w = watch(dir, (_event, file) => {
      if (file !== null && file !== name) return;
      clearTimeout(timer);
      timer = setTimeout(apply, 300);
    });
    w.unref();
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'cannot watch the config file: edits need a restart');
  }
}

async function check(argv: { config: string; logLevel: LogLevel }): Promise<void> {
  const log = createLogger({ level: argv.logLevel, name: 'switchboard-gateway' });
  const { gw, config, unresolved } = await load(argv.config, log);
  const broken = gw.serversWithUnresolved(config, unresolved);
  const runnable = { ...config, servers: config.servers.filter((s) => !broken.has(s.key)) };
  const router = await gw.createGateway(runnable, { logger: log });
  await router.start();
  const report = gw.buildCatalogReport({
    backends: config.servers.map((s) => {
      const b = router.backends.get(s.key);
      const state = s.disabled ? 'disabled' : broken.has(s.key) ? 'unresolved-secrets' : b?.state === 'up' ? 'ready' : 'failed';
      return { server: s.key, prefix: s.prefix, state, error: b?.lastError, tools: (b?.catalog?.tools ?? []) as never, rename: s.rename, filter: s.tools };
    }),
    nameBudget: config.gateway.nameBudget,
    unresolvedSecrets: unresolved,
    trustedHosts: config.gateway.trustedHosts,
    pinning: config.gateway.pinning,
  });
  process.stdout.write(gw.renderCatalogReport(report) + '\n');
  await router.stop();
  const failed = report.backends.some((b) => b.state !== 'ready' && b.state !== 'disabled') || unresolved.length > 0;
  process.exit(failed ? 1 : 0);
}

async function pin(argv: { config: string; logLevel: LogLevel }): Promise<void> {
  const log = createLogger({ level: argv.logLevel, name: 'switchboard-gateway' });
  const { gw, config, unresolved } = await load(argv.config, log);
  if (unresolved.length) throw new Error(`unresolved secrets: ${unresolved.map((u) => `${u.path} (${u.reference})`).join('; ')}: pins must cover every server`);
  const router = await gw.createGateway({ ...config, gateway: { ...config.gateway, pinning: 'off' } }, { logger: log });
  await router.start();
  const down = [...router.backends.values()].filter((b) => b.state !== 'up');
  if (down.length) {
    await router.stop();
    throw new Error(`not pinning: ${down.map((b) => `${b.key} (${b.lastError ?? b.state})`).join(', ')} did not come up, and a pin must cover every tool`);
  }
  const defs = router.exposedDefinitions();
  const path = gw.lockPathFor(argv.config);
  const before = await gw.readLock(path);
  const cmp = gw.comparePins(before, defs);
  await gw.writeLock(path, gw.createLock(defs));
  process.stdout.write(`pinned ${defs.length} tools in ${path} (${cmp.unchanged.length} unchanged, ${cmp.changed.length} changed, ${cmp.new.length} new, ${cmp.removed.length} removed)\n`);
  for (const c of cmp.changed) process.stdout.write(`changed ${c.name}:\n${c.diff}\n`);
  await router.stop();
  process.exit(0);
}
