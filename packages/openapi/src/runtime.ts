import { AuthManager, redact, type AuthOptions } from './auth.js';
import type { ToolTable } from './compile.js';
import { ArgumentError, AuthError, BuildError, EgressDeniedError } from './errors.js';
import { HostAllowlist, type Resolver } from './http/allowlist.js';
import type { HttpSender } from './http/client.js';
import type { Dispatcher } from 'undici';
import type { CompiledTool, JsonSchema } from './model.js';
import { RefResolver } from './refs.js';
import { buildRequest } from './request.js';
import { errorResult, mapResponse, type ToolResult } from './response.js';
import { SchemaConverter } from './schema.js';
import { CredentialScopes } from './scope.js';
import { hostOf, primaryServerUrl, toolServerUrl } from './servers.js';
import type { ArgumentValidator } from './validate.js';

export interface RuntimeOptions extends AuthOptions {
  /** Replaces the spec's servers at every level (root, path and operation): every call goes here. */
  baseUrl?: string;
  /** Values for server URL variables (checked against the spec's enum). */
  serverVars?: Record<string, string>;
  /** Extra hosts the adapter may call (`host` or `host:port`), e.g. an OAuth2 token endpoint. */
  allowedHosts?: string[];
  /** Permit private, loopback and link-local destinations. Default false. */
  allowPrivate?: boolean;
  /** Per-request deadline in ms. Default 30 000. */
  timeoutMs?: number;
  /** Response bytes kept per call. Default 256 KiB. */
  maxResponseBytes?: number;
  /** Retries (idempotent methods only, connect errors and 503). Default 2. */
  retries?: number;
  /** Redirects followed, each re-checked against the allowlist. Default 3; 0 refuses all. */
  maxRedirects?: number;
  /** DNS override (tests, DNS pinning experiments). */
  resolve?: Resolver;
  /** Where diagnostics go (default stderr). Never receives secrets. */
  log?: (line: string) => void;
  /** Told of every API request sent (URL with query credentials masked, never headers or bodies), for trace logs. */
  onRequest?: (event: { tool: string; method: string; url: string; status: number; ms: number }) => void;
  /** Refuse arguments that do not match their schema's `format` (default: warn and send). */
  strictFormats?: boolean;
  /** Told every secret value the runtime learns (resolved env values, fetched tokens), so a host logger can mask it too. */
  onSecret?: (secret: string) => void;
}

interface Machinery {
  sender: HttpSender;
  validator: ArgumentValidator;
  dispatcher: Dispatcher;
  close(): Promise<void>;
}

/**
 * Everything needed to execute compiled tools: base URLs, the allowlisted pooled HTTP client,
 * auth, and cached validators. One per table; shared by every MCP server instance built from it.
 */
export class OpenApiRuntime {
  readonly allowlist: HostAllowlist;
  private readonly auth: AuthManager;
  /** HTTP pool, sender and validators load on the first call: a server that is only listed never pays for them. */
  private machinery?: Promise<Machinery>;
  private readonly baseUrls = new Map<CompiledTool, string | BuildError>();
  private readonly responseSchemas = new Map<CompiledTool, JsonSchema | null>();
  private readonly byName = new Map<string, CompiledTool>();
  private readonly maxResponseBytes: number;
  private readonly log: (line: string) => void;

  constructor(readonly table: ToolTable, readonly options: RuntimeOptions = {}) {
    this.log = options.log ?? ((line) => process.stderr.write(`[switchboard/openapi] ${line}\n`));
    this.maxResponseBytes = options.maxResponseBytes ?? 256 * 1024;
    this.allowlist = new HostAllowlist(options.allowedHosts ?? []);
    for (const tool of table.tools) {
      this.byName.set(tool.name, tool);
      try {
        const url = toolServerUrl(table, tool, options);
        this.allowlist.addUrl(new URL(url));
        this.baseUrls.set(tool, url);
      } catch (error) {
        this.baseUrls.set(tool, error instanceof BuildError ? error : new BuildError((error as Error).message, 'SERVER_URL'));
      }
    }
    const primary = primaryServerUrl(table, options);
    this.scopes = new CredentialScopes(primary, options.authHosts);
    const timeoutMs = options.timeoutMs ?? 30_000;
    this.auth = new AuthManager(table.securitySchemes, options, { dispatcher: () => this.load().then((m) => m.dispatcher), allowlist: this.allowlist, timeoutMs }, this.scopes);
    for (const secret of this.auth.knownSecrets()) this.learnSecret(secret);
    const unsatisfied: string[] = [];
    const offPrimary = new Map<string, string[]>();
    for (const tool of table.tools) {
      if (tool.security && this.auth.choose(tool.security) === undefined) unsatisfied.push(tool.name);
      const base = this.baseUrls.get(tool);
      if (typeof base === 'string' && primary && hostOf(base) !== hostOf(primary)) offPrimary.set(hostOf(base), [...(offPrimary.get(hostOf(base)) ?? []), tool.name]);
    }
    // One line each, not one per tool: a big spec would otherwise flood the log.
    if (unsatisfied.length) this.log(`${unsatisfied.length} tools need credentials that are not configured (e.g. ${unsatisfied.slice(0, 3).join(', ')}); their calls fail until auth is configured.`);
    for (const [host, tools] of offPrimary) {
      this.log(`${tools.length} tools call ${host}, a host only the spec's operation/path servers name (e.g. ${tools.slice(0, 3).join(', ')}): credentials are not sent there unless granted with authHosts (--auth-host SCHEME=${host}).`);
    }
  }

  private readonly scopes: CredentialScopes;
  /** Every secret ever applied or configured: any of them is scrubbed from any result, whichever call echoes it. */
  private readonly secrets = new Set<string>();

  private learnSecret(secret: string): void {
    if (!secret || secret.length < 4 || this.secrets.has(secret)) return;
    this.secrets.add(secret);
    // A query credential appears in URLs percent-encoded (RFC 3986) or form-encoded (URLSearchParams).
    for (const encoded of [encodeURIComponent(secret), new URLSearchParams({ v: secret }).toString().slice(2)]) this.secrets.add(encoded);
    this.options.onSecret?.(secret);
  }

  /** A response URL without query credentials: the key's name stays visible, its value never does. */
  private redactUrl(url: string): string {
    const parsed = new URL(url);
    for (const scheme of Object.values(this.table.securitySchemes)) {
      if (scheme.type === 'apiKey' && scheme.in === 'query' && parsed.searchParams.has(scheme.name)) parsed.searchParams.set(scheme.name, 'REDACTED');
    }
    return this.redact(parsed.href);
  }

  /** Removes every known secret from text shown to the model. */
  redact(text: string): string {
    return redact(text, [...this.secrets]);
  }

  private load() {
    const options = this.options;
    const timeoutMs = options.timeoutMs ?? 30_000;
    this.machinery ??= Promise.all([import('./http/agent.js'), import('./http/client.js'), import('./validate.js')]).then(([{ createGuardedAgent }, { HttpSender }, { ArgumentValidator }]) => {
      const agent = createGuardedAgent({ allowlist: this.allowlist, allowPrivate: options.allowPrivate ?? false, resolve: options.resolve, connectTimeoutMs: Math.min(timeoutMs, 10_000) });
      const sender = new HttpSender({ dispatcher: agent, allowlist: this.allowlist, timeoutMs, maxResponseBytes: this.maxResponseBytes, retries: options.retries ?? 2, maxRedirects: options.maxRedirects ?? 3 });
      const validator = new ArgumentValidator({ strictFormats: options.strictFormats ?? false });
      return { sender, validator, dispatcher: agent, close: () => agent.close() };
    });
    return this.machinery;
  }

  tool(name: string): CompiledTool | undefined {
    return this.byName.get(name);
  }

  /** Validates, builds, authorises, sends and maps one tool call. Never throws: failures are `isError` results. */
  async call(name: string, args: unknown, signal?: AbortSignal): Promise<ToolResult> {
    const tool = this.byName.get(name);
    if (!tool) return errorResult(`Unknown tool ${name}.`);
    let machinery: Machinery;
    try {
      machinery = await this.load();
    } catch (error) {
      return errorResult(`Cannot call ${name}: the HTTP client failed to load (${(error as Error).message}).`);
    }
    const { sender, validator } = machinery;
    const checked = validator.check(tool.inputSchema, args);
    if (!checked.ok) return errorResult(`Invalid arguments for ${name}:\n${checked.message}`);
    if (checked.formatWarnings) this.log(`tool ${name}: arguments do not match their declared format, sent as given (strictFormats refuses them): ${checked.formatWarnings.replace(/\n/g, '; ')}`);
    const base = this.baseUrls.get(tool);
    if (!base || base instanceof BuildError) return errorResult(`Cannot call ${name}: ${base instanceof BuildError ? base.message : 'no server URL'}`);
    try {
      const send = async () => {
        const prepared = buildRequest(tool, checked.value, base);
        const applied = await this.auth.apply(prepared, tool.security, (scheme) => scopesFor(tool, scheme));
        for (const secret of applied.secrets) this.learnSecret(secret);
        const started = performance.now();
        const result = await sender.send(prepared, signal, applied.sensitiveHeaders);
        this.options.onRequest?.({ tool: name, method: prepared.method, url: this.redactUrl(prepared.url), status: result.status, ms: Math.round(performance.now() - started) });
        return { result, applied };
      };
      let { result, applied } = await send();
      if (result.status === 401 && this.auth.invalidate(applied.schemes)) ({ result, applied } = await send());
      return mapResponse(tool, result, {
        maxResponseBytes: this.maxResponseBytes,
        redact: (text) => this.redact(text),
        redactUrl: (url) => this.redactUrl(url),
        ...(tool.responseSchema !== undefined && (await this.responseSchemaFor(tool)) ? { validateStructured: (value: unknown) => this.validateResponse(validator, tool, value) } : {}),
        onDrift: (t) => this.log(`tool ${t.name}: response does not match the spec's schema; returned as text only.`),
      });
    } catch (error) {
      return errorResult(this.redact(describeFailure(name, error)));
    }
  }

  /**
   * The tool's response schema as JSON Schema, converted on first need. It needs the spec document,
   * which a cached catalog loads only then (and a catalog without its spec never has: text results only).
   */
  private async responseSchemaFor(tool: CompiledTool): Promise<JsonSchema | null> {
    let schema = this.responseSchemas.get(tool);
    if (schema !== undefined) return schema;
    try {
      const document = this.table.document ?? (await this.documentOnce());
      if (!document) schema = null;
      else {
        const converter = new SchemaConverter(new RefResolver(document), { openapi30: this.table.openapi30, direction: 'response' });
        const resolved = converter.finish(converter.convert(tool.responseSchema));
        schema = isObjectSchema(resolved) ? resolved : null;
      }
    } catch {
      schema = null;
    }
    this.responseSchemas.set(tool, schema);
    return schema;
  }

  private documentPromise?: Promise<ToolTable['document']>;
  private documentOnce(): Promise<ToolTable['document']> {
    this.documentPromise ??= (this.table.loadDocument?.() ?? Promise.resolve(undefined)).catch((error: Error) => {
      this.log(`structured results are off: the spec document could not be loaded (${error.message}); results are text only.`);
      return undefined;
    });
    return this.documentPromise;
  }

  private validateResponse(validator: ArgumentValidator, tool: CompiledTool, value: unknown): boolean {
    const schema = this.responseSchemas.get(tool);
    if (!schema) return false;
    try {
      return validator.matches(schema, value);
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.machinery) await (await this.machinery).close();
  }
}

function isObjectSchema(schema: JsonSchema): boolean {
  let node = schema;
  if (typeof node.$ref === 'string') node = (schema.$defs as Record<string, JsonSchema>)?.[node.$ref.slice(8)] ?? {};
  return node.type === 'object' || (node.properties !== undefined && node.type === undefined) || (Array.isArray(node.allOf) && node.type === undefined && !node.oneOf && !node.anyOf);
}

function scopesFor(tool: CompiledTool, scheme: string): string[] {
  for (const alt of tool.security ?? []) if (alt[scheme]) return alt[scheme]!;
  return [];
}

function describeFailure(name: string, error: unknown): string {
  if (error instanceof EgressDeniedError) return `Request for ${name} refused: ${error.message}`;
  if (error instanceof ArgumentError) return `Invalid arguments for ${name}: ${error.message}`;
  if (error instanceof AuthError) return `Cannot authenticate ${name}: ${error.message}`;
  const e = error as { name?: string; code?: string; message?: string };
  if (e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT') return `Request for ${name} timed out.`;
  if (e.name === 'AbortError') return `Request for ${name} was cancelled.`;
  return `Request for ${name} failed: ${e.code ? e.code + ' ' : ''}${e.message ?? String(error)}`;
}
