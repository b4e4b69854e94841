// `switchboard openapi <spec>`: compile a REST API's OpenAPI spec into MCP tools and serve them — over stdio, or
// over the same HTTP face as `bridge` (the compiled server is an in-process upstream behind an in-memory pair).
// `switchboard openapi inspect <spec>`: print the tool table and build report without serving anything.
// `switchboard openapi build <spec> -o tools.json`: write the compiled catalog, to review, commit and serve with --catalog.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { webcrypto } from 'node:crypto';
import { homedir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import type { Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
// The serving half only: the full core (remote client SDK, OAuth) would add ~0.25 s to every stdio start.
import { collectHeaders, createLogger, registerSecret, type LogLevel, type Logger } from '@switchboard-mcp/core/serve';
// Types only: the library (and the MCP server SDK under it) is imported when a handler runs, so the spec
// can be read and hashed off the main thread meanwhile (see prefetchSpec).
import type { AuthValue, CompileOptions, LoadOptions, RuntimeOptions, ToolTable } from '@switchboard-mcp/openapi';
import { bytes, duration, keyValues, parseOr } from '../parse.js';
import { installSignalHandlers } from '../signals.js';
import { httpFaceOptions, printServedConfig, runBridge, toFaceOptions, type HttpFaceArgs } from '../http-options.js';
import { entryForThisCommand, entryName, printConfigOption, printEntry } from '../print-config.js';

export const command = 'openapi [spec] [selection..]';

const library = () => import('@switchboard-mcp/openapi');

/**
 * A warm start is dominated by loading modules; the one piece of real work — reading and hashing the
 * spec to find its cached catalog — needs nothing but the file name, so it starts as this module loads
 * and runs in the thread pool while the main thread loads the rest.
 */
function prefetchSpec(): { path: string; read: Promise<{ bytes: Buffer; sha256: string }> } | undefined {
  const args = hideBin(process.argv);
  const at = args.indexOf('openapi');
  const spec = at >= 0 ? args[at + 1] : undefined;
  if (!spec || spec.startsWith('-') || spec === 'inspect' || spec === 'build' || /^https?:\/\//i.test(spec) || args.includes('--no-cache') || args.includes('--catalog')) return undefined;
  const path = resolvePath(spec);
  const read = readFile(path).then(async (bytes) => ({ bytes, sha256: Buffer.from(await webcrypto.subtle.digest('SHA-256', bytes)).toString('hex') }));
  read.catch(() => undefined); // a missing file is reported by the normal load path
  return { path, read };
}
const prefetched = prefetchSpec();
export const describe = 'Serve a REST API as MCP tools, compiled from its OpenAPI 3.x / Swagger 2.0 spec';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const;

/** Flags that decide which tools exist: shared by serving and inspect. */
function compileOptions<T>(y: Argv<T>, specRequired = true) {
  return y
    .positional('spec', { type: 'string', demandOption: specRequired, describe: 'spec file or https:// URL (JSON or YAML)' })
    .positional('selection', {
      type: 'string',
      array: true,
      describe: 'operations to expose, same syntax as --include: tag:pets, "GET /pets/**", operationId glob…',
    })
    .option('include', { type: 'string', array: true, group: 'Selection:', describe: 'admit operations: operationId:GLOB, tag:GLOB, method:GET, path:GLOB, "METHOD /path/glob" (repeatable)' })
    .option('exclude', { type: 'string', array: true, group: 'Selection:', describe: 'drop operations (same syntax; always wins)' })
    .option('include-deprecated', { type: 'boolean', default: false, group: 'Selection:', describe: 'also expose deprecated operations' })
    .option('max-tools', { type: 'number', default: 100, group: 'Selection:', describe: 'refuse to build more tools than this' })
    .option('max-tokens', { type: 'number', group: 'Selection:', describe: 'refuse a tools/list larger than this many (estimated) tokens' })
    .option('name-budget', { type: 'number', group: 'Selection:', describe: 'longest tool name, 8–64 (longer names are shortened with a stable hash)' })
    .option('rename', { type: 'string', array: true, group: 'Selection:', describe: 'operationId=toolName (repeatable)' })
    .option('body-media-type', { type: 'string', array: true, group: 'Selection:', describe: 'tool=media/type: the request body type for an operation that accepts several (default: chosen per call by the argument: an array goes as JSON Patch, an object as merge patch / JSON)' })
    .option('page-bytes', { type: 'string', default: '1mb', group: 'Selection:', describe: 'tools/list page budget; larger catalogs are paginated with cursors (0: one page)' })
    .option('allow-http', { type: 'boolean', default: false, group: 'Loading and egress:', describe: 'permit a plain-http spec URL, $refs and --base-url' })
    .option('allow-private', { type: 'boolean', default: false, group: 'Loading and egress:', describe: 'permit private/loopback addresses for the spec and the API' })
    .option('ref-host', { type: 'string', array: true, group: 'Loading and egress:', describe: 'extra host external $refs may point to (repeatable)' })
    .option('log-level', { choices: LOG_LEVELS, default: 'info' as const, describe: 'least severe log line written (JSON on stderr)' });
}

/**
 * yargs keeps a parent command's options when it descends into a subcommand, so the serving flags are only
 * declared when the subcommand is not `inspect`: `openapi inspect` neither lists nor accepts them.
 */
function invokesSubcommand(): boolean {
  const args = hideBin(process.argv);
  const at = args.indexOf('openapi');
  return at >= 0 && (args[at + 1] === 'inspect' || args[at + 1] === 'build');
}

export function builder(y: Argv) {
  y = y
    .usage('$0 openapi <spec> [selection..] [options]\n$0 openapi --catalog tools.json [options]\n$0 openapi inspect <spec> [selection..] [--json]\n$0 openapi build <spec> [selection..] -o tools.json')
    .command(inspectCommand as never)
    .command(buildCommand as never);
  if (invokesSubcommand()) return y;
  const serve = compileOptions(y, false)
    .option('catalog', { type: 'string', group: 'Start-up:', describe: 'serve a compiled catalog (from `openapi build`) instead of compiling a spec' })
    .option('cache', { type: 'boolean', default: true, group: 'Start-up:', describe: 'reuse the compiled catalog of an unchanged local spec and selection (in <config dir>/openapi-cache); --no-cache compiles every time' })
    .option('config-dir', { type: 'string', group: 'Start-up:', describe: 'where the catalog cache lives (default: $SWITCHBOARD_CONFIG_DIR or ~/.config/switchboard)' })
    .option('serve', { choices: ['stdio', 'http'] as const, default: 'stdio' as const, describe: 'stdio (for a desktop host) or http (the HTTP face below)' })
    .option('base-url', { type: 'string', group: 'Calling the API:', describe: "API base URL, replacing the spec's servers at every level (root, path and operation)" })
    .option('auth-host', { type: 'string', array: true, group: 'Calling the API:', describe: "scheme=host[:port]: another host that scheme's credential may be sent to (credentials go only to the API's own host by default); a bare host grants every credential and --header (repeatable)" })
    .option('strict-formats', { type: 'boolean', default: false, group: 'Calling the API:', describe: 'refuse arguments that do not match their schema format (default: warn and send; types, required and enums are always enforced)' })
    .option('server-var', { type: 'string', array: true, group: 'Calling the API:', describe: 'name=value for a server URL variable (repeatable)' })
    .option('api-host', { type: 'string', array: true, group: 'Calling the API:', describe: 'extra host (host or host:port) the adapter may call, e.g. an OAuth token endpoint' })
    .option('timeout', { type: 'string', default: '30s', group: 'Calling the API:', describe: 'per-request deadline' })
    .option('max-response-bytes', { type: 'string', default: '256kb', group: 'Calling the API:', describe: 'response bytes kept per call (the rest is cut, with a note)' })
    .option('auth', { type: 'string', array: true, group: 'Calling the API:', describe: 'scheme=env:VAR — credential for a securitySchemes entry, read from the environment (repeatable)' })
    .option('auth-file', { type: 'string', group: 'Calling the API:', describe: 'JSON file { scheme: credential } (merged under --auth)' })
    .option('header', { type: 'string', array: true, group: 'Calling the API:', describe: '"Name: value" sent on every API request (repeatable; ${ENV} is expanded; values never logged)' })
    .option('init-timeout', { type: 'string', default: '30s', group: 'HTTP face:', describe: 'with --serve http: bound on starting the in-process server' })
    .options(printConfigOption);
  return httpFaceOptions(serve)
    .example('$0 openapi api.yaml tag:pets --auth bearerAuth=env:API_TOKEN', 'stdio server for a desktop host, only the pets operations')
    .example('$0 openapi specs/petstore-3.0.yaml --serve http --base-url https://petstore.example.com/v1', 'Streamable HTTP + SSE on http://127.0.0.1:8080/mcp')
    .example('$0 openapi inspect api.yaml --exclude "DELETE /**"', 'review the tools before exposing them')
    .example('$0 openapi api.yaml tag:pets --auth bearerAuth=env:API_TOKEN --print-config', 'the Claude Desktop entry for that server, ready to paste');
}

interface CompileArgs {
  spec?: string;
  bodyMediaType?: string[];
  pageBytes: string;
  selection?: string[];
  include?: string[];
  exclude?: string[];
  includeDeprecated: boolean;
  maxTools: number;
  maxTokens?: number;
  nameBudget?: number;
  rename?: string[];
  allowHttp: boolean;
  allowPrivate: boolean;
  refHost?: string[];
  logLevel: LogLevel;
}

interface ServeArgs extends CompileArgs, HttpFaceArgs {
  catalog?: string;
  cache: boolean;
  configDir?: string;
  authHost?: string[];
  strictFormats: boolean;
  serve: 'stdio' | 'http';
  baseUrl?: string;
  serverVar?: string[];
  apiHost?: string[];
  timeout: string;
  maxResponseBytes: string;
  auth?: string[];
  authFile?: string;
  header?: string[];
  initTimeout: string;
  printConfig?: boolean;
}

interface InspectArgs extends CompileArgs {
  json: boolean;
  baseUrl?: string;
  serverVar?: string[];
}

interface BuildArgs extends CompileArgs {
  output: string;
}

const inspectCommand = {
  command: 'inspect <spec> [selection..]',
  describe: 'Print the tools a spec compiles to and the build report; exit 1 when the build fails',
  builder: (y: Argv) =>
    compileOptions(y)
      .option('json', { type: 'boolean', default: false, describe: 'machine-readable output: { tools, report }' })
      .option('base-url', { type: 'string', describe: 'show hosts as `openapi --base-url` would call them' })
      .option('server-var', { type: 'string', array: true, describe: 'name=value for a server URL variable (repeatable)' })
      .example('$0 openapi inspect specs/petstore-3.0.yaml tag:pets', 'tool name, method and path, host, parameters, auth'),
  handler: (argv: InspectArgs) => run(() => inspectHandler(argv)),
};

const buildCommand = {
  command: 'build <spec> [selection..]',
  describe: 'Write the compiled catalog (tools.json) to review, commit and serve with --catalog',
  builder: (y: Argv) =>
    compileOptions(y)
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'where to write the catalog (JSON)' })
      .example('$0 openapi build api.yaml tag:pets -o tools.json', 'then: $0 openapi --catalog tools.json'),
  handler: (argv: BuildArgs) => run(() => buildHandler(argv)),
};

/** The flags, checked, as library options. Throws plain Errors (exit 2) for bad flags. */
function toCompileOptions(argv: CompileArgs): LoadOptions & CompileOptions {
  const positive = (value: number | undefined, flag: string) => {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new Error(`--${flag}: expected a positive whole number`);
    return value;
  };
  const nameBudget = (value: number) => {
    if (!Number.isInteger(value) || value < 8 || value > 64) throw new Error('--name-budget: expected a whole number from 8 to 64 (MCP tool names are at most 64 characters)');
    return value;
  };
  const include = [...(argv.selection ?? []), ...(argv.include ?? [])].map(String);
  return {
    ...(argv.bodyMediaType?.length ? { mediaTypes: keyValues(argv.bodyMediaType, 'body-media-type') } : {}),
    pageBytes: parseOr(bytes, argv.pageBytes, 'page-bytes'),
    ...(include.length ? { include } : {}),
    ...(argv.exclude?.length ? { exclude: argv.exclude.map(String) } : {}),
    includeDeprecated: argv.includeDeprecated,
    maxTools: positive(argv.maxTools, 'max-tools'),
    ...(argv.maxTokens !== undefined ? { maxTokens: positive(argv.maxTokens, 'max-tokens') } : {}),
    ...(argv.nameBudget !== undefined ? { nameBudget: nameBudget(argv.nameBudget) } : {}),
    ...(argv.rename?.length ? { rename: keyValues(argv.rename, 'rename') } : {}),
    allowHttp: argv.allowHttp,
    allowPrivate: argv.allowPrivate,
    ...(argv.refHost?.length ? { allowedRefHosts: argv.refHost } : {}),
  };
}

async function inspectHandler(argv: InspectArgs): Promise<void> {
  const { loadAndCompile, inspect, formatInspect } = await library();
  const table = await loadAndCompile(argv.spec!, toCompileOptions(argv));
  const result = inspect(table, { ...(argv.baseUrl ? { baseUrl: argv.baseUrl } : {}), ...(argv.serverVar?.length ? { serverVars: keyValues(argv.serverVar, 'server-var') } : {}) });
  process.stdout.write(argv.json ? JSON.stringify(result, null, 2) + '\n' : formatInspect(result) + '\n');
}

async function buildHandler(argv: BuildArgs): Promise<void> {
  const options = toCompileOptions(argv);
  const { loadSpec, compile: compileSpec, toCatalog, writeAtomically } = await library();
  const spec = await loadSpec(argv.spec!, options);
  const table = compileSpec(spec, options);
  const catalog = await toCatalog(spec, table, options);
  await writeAtomically(resolvePath(argv.output), JSON.stringify(catalog, null, 1) + '\n');
  const r = table.report;
  process.stderr.write(`switchboard openapi: wrote ${argv.output}: ${r.toolCount} tools from ${r.operationCount} operations, tools/list ≈ ${r.estimatedTokens} tokens in ${r.pages} page${r.pages === 1 ? '' : 's'}.\n`);
}

/** --auth-host scheme=host or host (every credential): scopes beyond the API's own host. */
function parseAuthHosts(list: string[] | undefined, table: ToolTable): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const known = Object.keys(table.securitySchemes);
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    const scheme = eq > 0 ? item.slice(0, eq) : '*';
    const host = eq > 0 ? item.slice(eq + 1) : item;
    if (scheme !== '*' && !known.includes(scheme)) throw new Error(`--auth-host ${scheme}: the spec has no security scheme "${scheme}" (its securitySchemes: ${known.join(', ') || 'none'})`);
    if (!/^(\[[0-9a-f:.]+\]|[A-Za-z0-9.-]+)(:\d+)?$/i.test(host)) throw new Error(`--auth-host "${item}": expected scheme=host or scheme=host:port`);
    (out[scheme] ??= []).push(host);
  }
  return out;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** --auth scheme=env:VAR (or literal:VALUE, with a warning). Secrets are never echoed. */
function parseAuth(list: string[] | undefined, table: ToolTable, log: Logger): Record<string, AuthValue> {
  const out: Record<string, AuthValue> = {};
  const known = Object.keys(table.securitySchemes);
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new Error(`--auth: expected scheme=env:VAR (e.g. --auth ${known[0] ?? 'bearerAuth'}=env:API_TOKEN)`);
    const scheme = item.slice(0, eq);
    const value = item.slice(eq + 1);
    if (!known.includes(scheme)) {
      throw new Error(`--auth ${scheme}: the spec has no security scheme "${scheme}" (its securitySchemes: ${known.join(', ') || 'none'})`);
    }
    if (value.startsWith('env:')) {
      const name = value.slice(4);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`--auth ${scheme}: "${name}" is not an environment variable name`);
      const secret = process.env[name];
      if (secret === undefined || secret === '') throw new Error(`--auth ${scheme}=env:${name}: ${name} is not set in the environment`);
      registerSecret(secret);
      out[scheme] = value;
    } else if (value.startsWith('literal:')) {
      const secret = value.slice('literal:'.length);
      registerSecret(secret);
      log.warn(`--auth ${scheme}=literal:…: a secret on the command line is visible in ps and shell history; prefer env:VAR or --auth-file`);
      out[scheme] = secret;
    } else {
      throw new Error(
        `--auth ${scheme}: refusing a secret on the command line (visible in ps and shell history). ` +
          `Put it in an environment variable and pass --auth ${scheme}=env:VAR, or use --auth-file; prefix the value with literal: to insist`,
      );
    }
  }
  return out;
}


function checkAuthFile(path: string | undefined): void {
  if (!path) return;
  if (!existsSync(path)) throw new Error(`--auth-file ${path}: file not found`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new Error(`--auth-file ${path}: not valid JSON (expected { "scheme": "env:VAR" | credential })`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`--auth-file ${path}: expected a JSON object { "scheme": credential }`);
}

function checkBaseUrl(raw: string | undefined, allowHttp: boolean): void {
  if (raw === undefined) return;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`--base-url "${raw}" is not a URL: give the API root, e.g. https://api.example.com/v1`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`--base-url: ${url.protocol} is not supported; use https://`);
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname) && !allowHttp) {
    throw new Error(`--base-url: refusing plain http to ${url.host}: credentials and data would cross the network unencrypted. Use https, or pass --allow-http`);
  }
}

async function serveHandler(argv: ServeArgs): Promise<void> {
  // Milliseconds since the process started, at each start-up step: the log says where a slow start went.
  const startup: Record<string, number> = { handler: Math.round(performance.now()) };
  if (argv.printConfig) {
    if (!argv.spec) throw new Error('--print-config needs the spec: switchboard openapi <spec> --print-config');
    const remote = /^https?:\/\//i.test(argv.spec);
    if (!remote && !existsSync(argv.spec)) throw new Error(`${argv.spec}: no such spec file`);
    const name = entryName(remote ? new URL(argv.spec).hostname : argv.spec, 'openapi', { file: !remote });
    if (argv.serve === 'http') return printServedConfig(argv, name);
    return printEntry(name, entryForThisCommand([argv.spec, argv.authFile]));
  }
  const log = createLogger({ level: argv.logLevel, name: 'switchboard-openapi' });
  if (!argv.spec && !argv.catalog) throw new Error('give a spec (file or https:// URL), or --catalog tools.json');
  if (argv.spec && argv.catalog) throw new Error('give either a spec or --catalog, not both (a catalog already holds its selection)');
  // Check every flag before the (possibly slow, possibly remote) spec load.
  const compile = toCompileOptions(argv);
  checkBaseUrl(argv.baseUrl, argv.allowHttp);
  checkAuthFile(argv.authFile);
  // The one header parser (CR/LF refused, ${ENV} expanded); every value is registered as a secret.
  const defaultHeaders = collectHeaders(argv.header);
  const runtime: RuntimeOptions = {
    ...(argv.baseUrl ? { baseUrl: argv.baseUrl } : {}),
    ...(argv.serverVar?.length ? { serverVars: keyValues(argv.serverVar, 'server-var') } : {}),
    ...(argv.apiHost?.length ? { allowedHosts: argv.apiHost } : {}),
    allowPrivate: argv.allowPrivate,
    timeoutMs: parseOr(duration, argv.timeout, 'timeout'),
    maxResponseBytes: parseOr(bytes, argv.maxResponseBytes, 'max-response-bytes'),
    ...(argv.authFile ? { authFile: argv.authFile } : {}),
    ...(Object.keys(defaultHeaders).length ? { defaultHeaders } : {}),
    strictFormats: argv.strictFormats,
    log: (line) => log.warn(line),
    onSecret: registerSecret,
    onRequest: (event) => log.trace(event, 'api request'),
  };
  const face = argv.serve === 'http' ? toFaceOptions(argv, log) : undefined;
  const initTimeoutMs = parseOr(duration, argv.initTimeout, 'init-timeout');

  const { readCatalogFile, loadCompiledCached, loadAndCompile, createOpenApiServer, serveStdio } = await library();
  const configDir = argv.configDir ?? process.env.SWITCHBOARD_CONFIG_DIR ?? join(homedir(), '.config', 'switchboard');
  let table: ToolTable;
  let cache: string;
  let cacheWrite: Promise<void> | undefined;
  if (argv.catalog) {
    table = await readCatalogFile(argv.catalog, compile);
    cache = 'catalog';
  } else if (argv.cache) {
    const root = prefetched && prefetched.path === resolvePath(argv.spec!) ? await prefetched.read.catch(() => undefined) : undefined;
    const loaded = await loadCompiledCached(argv.spec!, compile, { dir: join(configDir, 'openapi-cache'), log: (line) => log.warn(line), ...(root ? { root } : {}) });
    ({ table, cache } = loaded);
    cacheWrite = loaded.write;
  } else {
    table = await loadAndCompile(argv.spec!, compile);
    cache = 'off';
  }
  startup.catalog = Math.round(performance.now());
  const auth = parseAuth(argv.auth, table, log);
  if (Object.keys(auth).length) runtime.auth = auth;
  const authHosts = parseAuthHosts(argv.authHost, table);
  if (Object.keys(authHosts).length) runtime.authHosts = authHosts;
  for (const warning of table.report.warnings) log.warn(warning);
  // One line for the whole selection: a big spec would otherwise log a thousand.
  if (table.report.skipped.length) {
    const reasons = new Map<string, number>();
    for (const s of table.report.skipped) reasons.set(s.reason, (reasons.get(s.reason) ?? 0) + 1);
    log.info({ skipped: table.report.skipped.length, reasons: Object.fromEntries(reasons) }, `${table.report.skipped.length} operations not exposed (openapi inspect lists them)`);
  }
  const summary = { spec: argv.spec ?? argv.catalog, api: `${table.info.title} ${table.info.version}`, tools: table.report.toolCount, tokens: table.report.estimatedTokens, pages: table.report.pages, catalog: cache };
  const factory = createOpenApiServer(table, runtime);

  if (!face) {
    const handle = serveStdio(factory, { onerror: (err) => log.warn({ err: err.message }, 'stdio error') });
    let stopping: Promise<void> | undefined;
    // One shutdown, however many triggers (stdin fires both 'end' and 'close'): each waits for the same one,
    // so none exits while a catalog is still being written (atomically) for the next start.
    const stop = () =>
      (stopping ??= (async () => {
        await cacheWrite;
        await handle.close().catch(() => undefined);
        await factory.close().catch(() => undefined);
      })());
    // The host closing our stdin is the end of the session: exit promptly (the HTTP pool would keep us alive).
    const onEnd = () => void stop().finally(() => process.exit(0));
    process.stdin.once('end', onEnd);
    process.stdin.once('close', onEnd);
    installSignalHandlers(log, stop);
    startup.serving = Math.round(performance.now());
    log.info({ ...summary, startupMs: startup }, 'serving on stdio');
    return;
  }

  const { graceMs, ...faceOptions } = face;
  const { Bridge, inProcessUpstream } = await import('@switchboard-mcp/core');
  const bridge = new Bridge({
    ...faceOptions,
    // One compiled table and one HTTP pool; one McpServer per upstream transport.
    upstream: inProcessUpstream({ name: table.info.title || 'openapi', connect: (serverSide) => factory().connect(serverSide) }),
    isolation: 'shared',
    initTimeoutMs,
    metrics: argv.metrics,
  });
  await runBridge(bridge, log, argv, summary, async () => {
    await cacheWrite;
    await bridge.stop(graceMs);
    await factory.close();
  });
}

/** Spec and build failures exit 1 with the library's message; bad flags (plain Errors) go to yargs' fail → exit 2. */
async function run(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    const { OpenApiError, AuthError, BuildError } = await library();
    if (error instanceof OpenApiError && !(error instanceof AuthError)) {
      const kind = error instanceof BuildError ? 'build failed' : 'cannot load the spec';
      process.stderr.write(`switchboard openapi: ${kind}: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

export async function handler(argv: ServeArgs): Promise<void> {
  return run(() => serveHandler(argv));
}
