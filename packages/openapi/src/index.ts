/**
 * @switchboard-mcp/openapi — compile selected OpenAPI operations into safe MCP tools.
 *
 *   const spec = await loadSpec('api.yaml');
 *   const table = compile(spec, { include: ['tag:pets'], maxTools: 20 });
 *   console.error(formatInspect(inspect(table)));
 *   const factory = createOpenApiServer(table, { auth: { bearer: 'env:API_TOKEN' } });
 *   serveStdio(factory);             // or listenHttp(factory) / createHttpHandler(factory)
 *   // in-process: factory().connect(serverSideOfAnInMemoryTransportPair)
 */
export { loadSpec, type LoadOptions, type LoadedSpec, type OpenApiDocument } from './load.js';
export { compile, listedTool, type CompileOptions, type BuildReport, type ToolTable } from './compile.js';
export { inspect, formatInspect, type InspectResult, type ToolRow } from './inspect.js';
export type { SelectionOptions } from './select.js';
export { TOOL_NAME_PATTERN, type NamingOptions } from './naming.js';
export { createOpenApiServer, serveStdio, createHttpHandler, listenHttp, type OpenApiServerFactory, type ServerInfoOptions, type ListenOptions } from './server.js';
export { OpenApiRuntime, type RuntimeOptions } from './runtime.js';
export type { AuthOptions, AuthValue } from './auth.js';
export type { ToolResult } from './response.js';
export type { CompiledTool, ParamBinding, BodyBinding, ToolAnnotations, SkippedOperation } from './model.js';
export { OpenApiError, SpecLoadError, BuildError, EgressDeniedError, AuthError, ArgumentError } from './errors.js';
export type { Resolver } from './http/allowlist.js';
export { loadCompiledCached, readCatalogFile, toCatalog, parseCatalog, fromCatalog, writeAtomically, CATALOG_FORMAT, CATALOG_VERSION, type Catalog, type CacheOptions, type CacheOutcome } from './catalog.js';
export { DEFAULT_PAGE_BYTES } from './pages.js';
export type { ServerChoice } from './servers.js';

import { compile, type CompileOptions, type ToolTable } from './compile.js';
import { loadSpec, type LoadOptions } from './load.js';

/** Convenience: load and compile in one step. */
export async function loadAndCompile(source: string | object, options: LoadOptions & CompileOptions = {}): Promise<ToolTable> {
  return compile(await loadSpec(source, options), options);
}
