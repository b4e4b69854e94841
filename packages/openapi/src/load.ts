import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV3, OpenAPIV3_1 } from 'openapi-types';
import { SpecLoadError, EgressDeniedError } from './errors.js';
import { HostAllowlist, normaliseHost, type Resolver } from './http/allowlist.js';
import { convertSwagger2 } from './swagger2.js';

/** An OpenAPI 3.x document after loading (Swagger 2.0 is converted on the way in). */
export type OpenApiDocument = OpenAPIV3.Document | OpenAPIV3_1.Document;

export interface LoadOptions {
  /** Permit plain-http spec and `$ref` URLs. Default false: https only. */
  allowHttp?: boolean;
  /** Permit the spec URL (and ref URLs) to resolve to private/loopback addresses. Default false. */
  allowPrivate?: boolean;
  /** Extra hosts that external `$ref`s may point to. By default only the spec's own host (for a URL spec) is allowed. */
  allowedRefHosts?: string[];
  /** Byte cap per fetched or read file. Default 50 MiB. */
  maxSpecBytes?: number;
  /** Per-fetch deadline. Default 15 s. */
  timeoutMs?: number;
  /** DNS override (tests). */
  resolve?: Resolver;
}

export interface LoadedSpec {
  document: OpenApiDocument;
  /** Version of the input before any conversion. */
  sourceVersion: '2.0' | '3.0' | '3.1';
  /** Where it came from: absolute file path, URL, or `inline`. */
  source: string;
  /** URL relative `servers` resolve against (only for specs loaded from a URL). */
  specUrl?: string;
  /** Local files read (the root and every externally referenced file), so a cache can tell when any changed. */
  files: string[];
  /** True when any part came from the network or the spec was given inline (never cached: no file says when it changed). */
  remote: boolean;
  warnings: string[];
}

const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;

function isHttpUrl(text: string): boolean {
  return /^https?:\/\//i.test(text);
}

/**
 * Loads an OpenAPI 3.0/3.1 or Swagger 2.0 document (JSON or YAML) from a path, URL or object.
 * External `$ref`s are bundled in through a reader that enforces the fetch policy; internal refs
 * are left as refs so huge and circular specs stay cheap.
 */
export async function loadSpec(source: string | object, options: LoadOptions = {}): Promise<LoadedSpec> {
  const maxBytes = options.maxSpecBytes ?? DEFAULT_MAX_BYTES;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const warnings: string[] = [];
  const inline = typeof source !== 'string';
  const rootLocation = inline ? pathToFileURL(resolvePath('inline-spec.json')).href : isHttpUrl(source) ? source : pathToFileURL(resolvePath(source)).href;
  const rootIsRemote = isHttpUrl(rootLocation);
  const refHosts = new HostAllowlist(options.allowedRefHosts ?? []);
  if (rootIsRemote) refHosts.addUrl(new URL(rootLocation));
  // The operator chose the spec URL, so any host may serve it and its redirects; the
  // private-address rule still applies to every connection.
  // Loaded here, not at import: serving a cached catalog never parses a spec or fetches one.
  const [{ default: Parser }, { createGuardedAgent }, { downloadCapped }] = await Promise.all([import('@apidevtools/swagger-parser'), import('./http/agent.js'), import('./http/download.js')]);
  const agent = createGuardedAgent({ allowlist: new HostAllowlist(['*']), allowPrivate: options.allowPrivate ?? false, resolve: options.resolve, connectTimeoutMs: timeoutMs });
  let rootRead = inline;
  const files: string[] = [];
  let remote = false;

  // The ref parser wraps reader errors into "Error reading file"; keep ours to report the real reason.
  let readFailure: Error | undefined;
  const read = async (file: { url: string }): Promise<Buffer> => {
    try {
      return await readGuarded(file.url);
    } catch (error) {
      readFailure ??= error as Error;
      throw error;
    }
  };
  const readGuarded = async (location: string): Promise<Buffer> => {
    const isRoot = !rootRead;
    rootRead = true;
    if (isHttpUrl(location)) {
      const url = new URL(location);
      if (!isRoot && !refHosts.allowsUrl(url)) {
        throw new SpecLoadError(`Refused external $ref to ${url.origin}: only ${refHosts.entries().join(', ') || 'no remote hosts'} may be referenced (add the host to allowedRefHosts).`);
      }
      remote = true;
      const result = await downloadCapped(location, { dispatcher: agent, maxBytes, timeoutMs, allowHttp: options.allowHttp ?? false });
      return result.body;
    }
    if (rootIsRemote) {
      // A remote document must never make us read local files.
      throw new SpecLoadError(`Refused $ref to local file ${location} from a remote spec.`);
    }
    const path = location.startsWith('file:') ? fileURLToPath(location) : isAbsolute(location) ? location : resolvePath(decodeURIComponent(location));
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new SpecLoadError(`Cannot read ${path}: file not found.`);
    if (info.size > maxBytes) throw new SpecLoadError(`Refused ${path}: ${info.size} bytes exceeds the ${maxBytes}-byte limit (raise maxSpecBytes).`);
    files.push(path);
    return readFile(path);
  };

  const parserOptions: SwaggerParser.Options = {
    resolve: {
      file: false,
      http: false,
      guarded: { order: 1, canRead: true, read },
    } as SwaggerParser.Options['resolve'],
    // Validation against the meta-schema costs seconds on big specs and rejects specs that
    // work fine in practice; we report what we cannot use instead.
    validate: { schema: false, spec: false },
  };

  let document: Record<string, unknown>;
  try {
    const parser = new Parser();
    const parsed = inline
      ? ((await parser.parse(rootLocation, structuredClone(source) as never, parserOptions)) as unknown as Record<string, unknown>)
      : ((await parser.parse(rootLocation, parserOptions)) as unknown as Record<string, unknown>);
    document = parsed;
    if (hasExternalRef(parsed)) {
      rootRead = true;
      document = (await new Parser().bundle(rootLocation, parsed as never, parserOptions)) as unknown as Record<string, unknown>;
    }
  } catch (error) {
    if (error instanceof SpecLoadError || error instanceof EgressDeniedError) throw error;
    if (readFailure instanceof SpecLoadError || readFailure instanceof EgressDeniedError) throw readFailure;
    if (readFailure) throw new SpecLoadError(`Cannot load spec ${inline ? '(inline)' : source}: ${readFailure.message}`);
    const inner = findCause(error);
    if (inner) throw inner;
    throw new SpecLoadError(`Cannot load spec ${inline ? '(inline)' : source}: ${(error as Error).message}`);
  } finally {
    void agent.close();
  }

  let sourceVersion: LoadedSpec['sourceVersion'];
  if (typeof document.swagger === 'string') {
    sourceVersion = '2.0';
    document = convertSwagger2(document, warnings) as unknown as Record<string, unknown>;
  } else {
    const version = String(document.openapi ?? '');
    if (version.startsWith('3.1') || version.startsWith('3.2')) sourceVersion = '3.1';
    else if (version.startsWith('3.0')) sourceVersion = '3.0';
    else throw new SpecLoadError(`Unsupported spec version "${version}": expected OpenAPI 3.0, 3.1 or Swagger 2.0.`);
  }
  if (!document.paths || Object.keys(document.paths as object).length === 0) {
    warnings.push('Spec has no paths (webhooks are not callable and are ignored): no tools can be compiled.');
  }
  return {
    document: document as unknown as OpenApiDocument,
    sourceVersion,
    source: inline ? 'inline' : isHttpUrl(source) ? source : resolvePath(source),
    ...(rootIsRemote ? { specUrl: rootLocation } : {}),
    files,
    remote: remote || inline,
    warnings,
  };
}

function findCause(error: unknown): SpecLoadError | EgressDeniedError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current; depth++) {
    if (current instanceof SpecLoadError || current instanceof EgressDeniedError) return current;
    const next = (current as { cause?: unknown; originalError?: unknown }).originalError ?? (current as { cause?: unknown }).cause;
    current = next;
  }
  if (error && typeof error === 'object' && 'message' in error) {
    const message = String((error as Error).message);
    if (/Refused/.test(message)) return new SpecLoadError(message.replace(/^Error (?:reading|resolving).*?:\s*/s, ''));
  }
  return undefined;
}

/** Iterative scan (no recursion: specs can be deep) for any `$ref` that leaves the document. */
export function hasExternalRef(root: unknown): boolean {
  const stack: unknown[] = [root];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const node = stack.pop();
    if (!node || typeof node !== 'object' || seen.has(node)) continue;
    seen.add(node);
    if (Array.isArray(node)) {
      for (const item of node) stack.push(item);
      continue;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && !value.startsWith('#')) return true;
      if (value && typeof value === 'object') stack.push(value);
    }
  }
  return false;
}

export { normaliseHost };
