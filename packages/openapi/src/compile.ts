import type { OpenAPIV3 } from 'openapi-types';
import { BuildError } from './errors.js';
import type { LoadedSpec, OpenApiDocument } from './load.js';
import type { CompiledTool, SecurityRequirements, ServerTemplate, SkippedOperation } from './model.js';
import { assignNames, type NamingOptions } from './naming.js';
import { RefResolver } from './refs.js';
import { listOperations, selectOperations, type SelectionOptions } from './select.js';
import { buildTool, toServerTemplate } from './tool.js';
import { DEFAULT_PAGE_BYTES, planPages } from './pages.js';

export interface CompileOptions extends SelectionOptions, NamingOptions {
  /** Fail the build when the estimated tools/list payload exceeds this many tokens. */
  maxTokens?: number;
  /** Characters kept of each tool description (summary + description). Default 600. */
  descriptionBudget?: number;
  /**
   * Request media type per tool (key: tool name or operationId), for operations accepting several;
   * without it the type whose schema matches the argument is taken per call.
   */
  mediaTypes?: Record<string, string>;
  /** Byte budget of one tools/list page (default 1 MiB); 0 lists everything in one page. */
  pageBytes?: number;
}

export interface BuildReport {
  toolCount: number;
  operationCount: number;
  /** Bytes of the tools/list payload (JSON), all pages together. */
  payloadBytes: number;
  /** Bytes of each tool's listed JSON, in order (page planning). */
  toolBytes: number[];
  /** tools/list pages at the build's page budget (1 when not paginated). */
  pages: number;
  /** Byte budget per tools/list page; 0 means one page. */
  pageBytes: number;
  /** Rough token estimate of the tools/list payload (bytes / 4). */
  estimatedTokens: number;
  warnings: string[];
  skipped: SkippedOperation[];
}

export interface ToolTable {
  tools: CompiledTool[];
  /** The spec, for converting response schemas on first need; absent in a table read from a catalog. */
  document?: OpenApiDocument;
  /** Loads the spec document later (a catalog whose spec file is at hand and unchanged). */
  loadDocument?: () => Promise<OpenApiDocument>;
  openapi30: boolean;
  securitySchemes: Record<string, OpenAPIV3.SecuritySchemeObject>;
  rootServers: ServerTemplate[];
  /** Spec URL, for resolving relative server URLs. */
  specUrl?: string;
  info: { title: string; version: string };
  report: BuildReport;
}

/** The listed form of a tool: exactly what tools/list carries. */
export function listedTool(tool: CompiledTool) {
  return {
    name: tool.name,
    ...(tool.title ? { title: tool.title } : {}),
    description: tool.description,
    inputSchema: tool.inputSchema,
    annotations: tool.annotations,
  };
}

function pickMediaType(chosen: Record<string, string> | undefined, name: string, operationId: string | undefined): { mediaType?: string } {
  const value = chosen?.[name] ?? (operationId ? chosen?.[operationId] : undefined);
  return value ? { mediaType: value } : {};
}

export function estimateTokens(bytes: number): number {
  return Math.ceil(bytes / 4);
}

export function compile(spec: LoadedSpec, options: CompileOptions = {}): ToolTable {
  const document = spec.document;
  const resolver = new RefResolver(document);
  const warnings = [...spec.warnings];
  const openapi30 = !String(document.openapi).startsWith('3.1') && !String(document.openapi).startsWith('3.2');

  const securitySchemes: Record<string, OpenAPIV3.SecuritySchemeObject> = {};
  for (const [key, raw] of Object.entries(document.components?.securitySchemes ?? {})) {
    const scheme = resolver.deref<OpenAPIV3.SecuritySchemeObject>(raw).value;
    if (scheme) securitySchemes[key] = scheme;
  }
  const protectedHeaders = new Set<string>();
  const protectedQuery = new Set<string>();
  const protectedCookies = new Set<string>();
  for (const scheme of Object.values(securitySchemes)) {
    if (scheme.type === 'apiKey') {
      if (scheme.in === 'header') protectedHeaders.add(scheme.name.toLowerCase());
      else if (scheme.in === 'query') protectedQuery.add(scheme.name);
      else if (scheme.in === 'cookie') protectedCookies.add(scheme.name);
    } else protectedHeaders.add('authorization');
  }

  const all = listOperations(document, resolver);
  if ((document as { webhooks?: object }).webhooks) warnings.push('Webhooks are ignored: they are requests the API sends, not operations a tool can call.');
  const names = assignNames(all, options);
  const { selected, skipped } = selectOperations(all, options);

  const tools: CompiledTool[] = [];
  for (const entry of selected) {
    const name = names.get(entry)!;
    try {
      tools.push(
        buildTool(entry, name, {
          resolver,
          openapi30,
          protectedHeaders,
          protectedQuery,
          protectedCookies,
          ...(document.security ? { rootSecurity: document.security as SecurityRequirements } : {}),
          descriptionBudget: options.descriptionBudget ?? 600,
          warn: (message) => warnings.push(message),
          ...pickMediaType(options.mediaTypes, name, entry.operationId),
        }),
      );
    } catch (error) {
      if (error instanceof BuildError) throw error;
      skipped.push({ method: entry.method.toUpperCase(), path: entry.path, ...(entry.operationId ? { operationId: entry.operationId } : {}), reason: `cannot build tool: ${(error as Error).message}` });
    }
  }

  for (const key of Object.keys(options.mediaTypes ?? {})) {
    if (!tools.some((t) => t.name === key || t.operationId === key)) throw new BuildError(`A media type was chosen for "${key}", which is no selected tool name or operationId.`, 'MEDIA_TYPE');
  }
  const rootServers = (document.servers ?? []).map(toServerTemplate);
  if (rootServers.length === 0 && tools.some((t) => t.servers.length === 0)) {
    warnings.push('Spec declares no servers: set baseUrl to call the API.');
  }
  const toolBytes = tools.map((t) => Buffer.byteLength(JSON.stringify(listedTool(t))));
  const payloadBytes = toolBytes.reduce((sum, b) => sum + b + 1, 11);
  const pageBytes = options.pageBytes ?? DEFAULT_PAGE_BYTES;
  const report: BuildReport = {
    toolCount: tools.length,
    operationCount: all.length,
    payloadBytes,
    toolBytes,
    pages: planPages(toolBytes, pageBytes, '').starts.length,
    pageBytes,
    estimatedTokens: estimateTokens(payloadBytes),
    warnings,
    skipped,
  };
  if (options.maxTokens !== undefined && report.estimatedTokens > options.maxTokens) {
    const heaviest = tools
      .map((t, i) => ({ name: t.name, tokens: estimateTokens(toolBytes[i]!) }))
      .sort((a, b) => b.tokens - a.tokens)
      .slice(0, 5);
    throw new BuildError(
      `tools/list would cost about ${report.estimatedTokens} tokens, over maxTokens (${options.maxTokens}). ` +
        `Heaviest tools: ${heaviest.map((h) => `${h.name} (~${h.tokens})`).join(', ')}. Exclude some operations or lower descriptionBudget.`,
      'OVER_TOKEN_BUDGET',
    );
  }
  return {
    tools,
    document,
    openapi30,
    securitySchemes,
    rootServers,
    ...(spec.specUrl ? { specUrl: spec.specUrl } : {}),
    info: { title: String(document.info?.title ?? 'OpenAPI'), version: String(document.info?.version ?? '0') },
    report,
  };
}
