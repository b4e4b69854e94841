// `switchboard openapi <spec>`: compile a REST API's OpenAPI spec into MCP tools and serve them — over stdio, or
// over the same HTTP face as `bridge` (the compiled server is an in-process upstream behind an in-memory pair).
// `switchboard openapi inspect <spec>`: print the tool table and build report without serving anything.
import { existsSync, readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
// The serving half only: the full core (remote client SDK, OAuth) would add ~0.25 s to every stdio start.
import { createLogger, registerSecret, type LogLevel, type Logger } from '@switchboard/core/serve';
import {
  AuthError,
  BuildError,
  OpenApiError,
  createOpenApiServer,
  formatInspect,
  inspect,
  loadAndCompile,
  serveStdio,
  type AuthValue,
  type CompileOptions,
  type LoadOptions,
  type RuntimeOptions,
  type ToolTable,
} from '@switchboard/openapi';
import { bytes, duration, keyValues, parseOr } from '../parse.js';
import { installSignalHandlers } from '../signals.js';
import { httpFaceOptions, printServedConfig, runBridge, toFaceOptions, type HttpFaceArgs } from '../http-options.js';
import { entryForThisCommand, entryName, printConfigOption, printEntry } from '../print-config.js';

export const command = 'openapi <spec> [selection..]';
export const describe = 'Serve a REST API as MCP tools, compiled from its OpenAPI 3.x / Swagger 2.0 spec';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const;

/** Flags that decide which tools exist: shared by serving and inspect. */
function compileOptions<T>(y: Argv<T>) {
  return y
    .positional('spec', { type: 'string', demandOption: true, describe: 'spec file or https:// URL (JSON or YAML)' })
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
    .option('allow-http', { type: 'boolean', default: false, group: 'Loading and egress:', describe: 'permit a plain-http spec URL, $refs and --base-url' })
    .option('allow-private', { type: 'boolean', default: false, group: 'Loading and egress:', describe: 'permit private/loopback addresses for the spec and the API' })
    .option('ref-host', { type: 'string', array: true, group: 'Loading and egress:', describe: 'extra host external $refs may point to (repeatable)' })
    .option('log-level', { choices: LOG_LEVELS, default: 'info' as const, describe: 'least severe log line written (JSON on stderr)' });
}

/**
 * yargs keeps a parent command's options when it descends into a subcommand, so the serving flags are only
 * declared when the subcommand is not `inspect`: `openapi inspect` neither lists nor accepts them.
 */
function invokesInspect(): boolean {
  const args = hideBin(process.argv);
  const at = args.indexOf('openapi');
  return at >= 0 && args[at + 1] === 'inspect';
}

export function builder(y: Argv) {
  y = y.usage('$0 openapi <spec> [selection..] [options]\n$0 openapi inspect <spec> [selection..] [--json]').command(inspectCommand as never);
  if (invokesInspect()) return y;
  const serve = compileOptions(y)
    .option('serve', { choices: ['stdio', 'http'] as const, default: 'stdio' as const, describe: 'stdio (for a desktop host) or http (the HTTP face below)' })
    .option('base-url', { type: 'string', group: 'Calling the API:', describe: "API base URL, replacing the spec's servers" })
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
  spec: string;
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
}

const inspectCommand = {
  command: 'inspect <spec> [selection..]',
  describe: 'Print the tools a spec compiles to and the build report; exit 1 when the build fails',
  builder: (y: Argv) =>
    compileOptions(y)
      .option('json', { type: 'boolean', default: false, describe: 'machine-readable output: { tools, report }' })
      .example('$0 openapi inspect specs/petstore-3.0.yaml tag:pets', 'tool name, method and path, parameters, auth'),
  handler: (argv: InspectArgs) => run(() => inspectHandler(argv)),
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
  const table = await loadAndCompile(argv.spec, toCompileOptions(argv));
  const result = inspect(table);
  process.stdout.write(argv.json ? JSON.stringify(result, null, 2) + '\n' : formatInspect(result) + '\n');
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

/** --header "Name: value" → default headers; ${VAR} is expanded and expanded values are masked in logs. */
function parseHeaders(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of list ?? []) {
    const i = line.indexOf(':');
    if (i <= 0) throw new Error(`--header "${line.split(':')[0]}…": expected "Name: value"`);
    const name = line.slice(0, i).trim();
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new Error(`--header: "${name}" is not a valid header name`);
    let expanded = false;
    const value = line
      .slice(i + 1)
      .trim()
      .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, v: string) => {
        const got = process.env[v];
        if (got === undefined) throw new Error(`--header ${name}: environment variable ${v} is not set`);
        expanded = true;
        return got;
      });
    if (/[\r\n]/.test(value)) throw new Error(`--header ${name}: the value contains a line break`);
    if (expanded) registerSecret(value);
    out[name] = value;
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
  if (argv.printConfig) {
    const remote = /^https?:\/\//i.test(argv.spec);
    if (!remote && !existsSync(argv.spec)) throw new Error(`${argv.spec}: no such spec file`);
    const name = entryName(remote ? new URL(argv.spec).hostname : argv.spec, 'openapi', { file: !remote });
    if (argv.serve === 'http') return printServedConfig(argv, name);
    return printEntry(name, entryForThisCommand([argv.spec, argv.authFile]));
  }
  const log = createLogger({ level: argv.logLevel, name: 'switchboard-openapi' });
  // Check every flag before the (possibly slow, possibly remote) spec load.
  const compile = toCompileOptions(argv);
  checkBaseUrl(argv.baseUrl, argv.allowHttp);
  checkAuthFile(argv.authFile);
  const defaultHeaders = parseHeaders(argv.header);
  const runtime: RuntimeOptions = {
    ...(argv.baseUrl ? { baseUrl: argv.baseUrl } : {}),
    ...(argv.serverVar?.length ? { serverVars: keyValues(argv.serverVar, 'server-var') } : {}),
    ...(argv.apiHost?.length ? { allowedHosts: argv.apiHost } : {}),
    allowPrivate: argv.allowPrivate,
    timeoutMs: parseOr(duration, argv.timeout, 'timeout'),
    maxResponseBytes: parseOr(bytes, argv.maxResponseBytes, 'max-response-bytes'),
    ...(argv.authFile ? { authFile: argv.authFile } : {}),
    ...(Object.keys(defaultHeaders).length ? { defaultHeaders } : {}),
    log: (line) => log.warn(line),
  };
  const face = argv.serve === 'http' ? toFaceOptions(argv, log) : undefined;
  const initTimeoutMs = parseOr(duration, argv.initTimeout, 'init-timeout');

  const table = await loadAndCompile(argv.spec, compile);
  const auth = parseAuth(argv.auth, table, log);
  if (Object.keys(auth).length) runtime.auth = auth;
  for (const warning of table.report.warnings) log.warn(warning);
  for (const s of table.report.skipped) log.info({ operation: `${s.method} ${s.path}`, operationId: s.operationId }, `skipped: ${s.reason}`);
  const summary = { spec: argv.spec, api: `${table.info.title} ${table.info.version}`, tools: table.report.toolCount, tokens: table.report.estimatedTokens };
  const factory = createOpenApiServer(table, runtime);

  if (!face) {
    const handle = serveStdio(factory, { onerror: (err) => log.warn({ err: err.message }, 'stdio error') });
    let done = false;
    const stop = async () => {
      if (done) return;
      done = true;
      await handle.close().catch(() => undefined);
      await factory.close().catch(() => undefined);
    };
    // The host closing our stdin is the end of the session: exit promptly (the HTTP pool would keep us alive).
    const onEnd = () => void stop().finally(() => process.exit(0));
    process.stdin.once('end', onEnd);
    process.stdin.once('close', onEnd);
    installSignalHandlers(log, stop);
    log.info(summary, 'serving on stdio');
    return;
  }

  const { graceMs, ...faceOptions } = face;
  const { Bridge, inProcessUpstream } = await import('@switchboard/core');
  const bridge = new Bridge({
    ...faceOptions,
    // One compiled table and one HTTP pool; one McpServer per upstream transport.
    upstream: inProcessUpstream({ name: table.info.title || 'openapi', connect: (serverSide) => factory().connect(serverSide) }),
    isolation: 'shared',
    initTimeoutMs,
    metrics: argv.metrics,
  });
  await runBridge(bridge, log, argv, summary, async () => {
    await bridge.stop(graceMs);
    await factory.close();
  });
}

/** Spec and build failures exit 1 with the library's message; bad flags (plain Errors) go to yargs' fail → exit 2. */
async function run(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
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
