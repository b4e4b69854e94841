import { createServer, type Server as HttpServer } from 'node:http';
import { createMcpHandler, ProtocolError, ProtocolErrorCode, Server, type CreateMcpHandlerOptions, type McpHttpHandler } from '@modelcontextprotocol/server';
import { serveStdio as sdkServeStdio, type ServeStdioOptions } from '@modelcontextprotocol/server/stdio';
import { listedTool, type ToolTable } from './compile.js';
import { decodeCursor, encodeCursor, planPages } from './pages.js';
import { OpenApiRuntime, type RuntimeOptions } from './runtime.js';

export interface ServerInfoOptions {
  /** MCP server name (default: the spec title, sanitised). */
  name?: string;
  version?: string;
}

/** Builds fresh MCP server instances over one shared runtime (pool, auth cache, validators). */
export interface OpenApiServerFactory {
  (): Server;
  runtime: OpenApiRuntime;
  /** Closes the shared HTTP pool. Call once when the host stops. */
  close(): Promise<void>;
}

/**
 * The low-level server, not McpServer: the tool table is fixed once compiled, so tools/list is built
 * once and paged, and tools/call goes straight to the runtime, which validates with Ajv 2020 after
 * undoing JSON-string double encoding and reports errors as `isError` results naming the argument.
 * Registering 1,000+ tools with McpServer converted every input schema at start-up for nothing.
 */
export function createOpenApiServer(table: ToolTable, options: RuntimeOptions & ServerInfoOptions = {}): OpenApiServerFactory {
  const runtime = new OpenApiRuntime(table, options);
  const name = options.name ?? (table.info.title.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase() || 'openapi');
  const version = options.version ?? table.info.version;
  const listed = table.tools.map(listedTool);
  const plan = planPages(table.report.toolBytes, table.report.pageBytes, `${listed.length}.${table.tools[0]?.name ?? ''}.${table.tools.at(-1)?.name ?? ''}`);
  const page = (index: number) => {
    const end = plan.starts[index + 1] ?? listed.length;
    // A fresh top-level object per call: the SDK may attach fields to the result it is handed.
    return { tools: listed.slice(plan.starts[index], end), ...(index + 1 < plan.starts.length ? { nextCursor: encodeCursor(plan, index + 1) } : {}) };
  };
  const factory = (() => {
    const server = new Server({ name, version }, { capabilities: { tools: {} } });
    server.setRequestHandler('tools/list', ((request: { params?: { cursor?: string } }) => {
      const cursor = request.params?.cursor;
      if (cursor === undefined) return page(0);
      const index = decodeCursor(plan, cursor);
      if (index === undefined) throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'Invalid cursor: it was not issued by this server (list again without a cursor).');
      return page(index);
    }) as never);
    server.setRequestHandler('tools/call', (async (request: { params: { name: string; arguments?: unknown } }, ctx: { mcpReq?: { signal?: AbortSignal } }) => {
      if (!runtime.tool(request.params.name)) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Tool ${request.params.name} not found`);
      return runtime.call(request.params.name, request.params.arguments, ctx?.mcpReq?.signal);
    }) as never);
    return server;
  }) as OpenApiServerFactory;
  factory.runtime = runtime;
  factory.close = () => runtime.close();
  return factory;
}

/** Serves over stdio (both protocol eras: the SDK pins one instance per connection). Logs go to stderr. */
export function serveStdio(factory: OpenApiServerFactory, options?: ServeStdioOptions) {
  return sdkServeStdio(factory, options);
}

/** A fetch-shaped Streamable HTTP handler (2026 clients natively, 2025 clients statelessly). */
export function createHttpHandler(factory: OpenApiServerFactory, options?: CreateMcpHandlerOptions): McpHttpHandler {
  return createMcpHandler(factory, options);
}

export interface ListenOptions {
  port?: number;
  /** Defaults to 127.0.0.1: exposing an API adapter beyond the machine is an explicit choice. */
  host?: string;
  /** URL path served (default `/mcp`). */
  path?: string;
}

/** Starts a node HTTP server for the handler. Resolves once listening. */
export async function listenHttp(factory: OpenApiServerFactory, options: ListenOptions = {}): Promise<{ server: HttpServer; url: string; close(): Promise<void> }> {
  const handler = createHttpHandler(factory);
  // Only the HTTP path needs the node adapter: a stdio server never loads it.
  const { toNodeHandler } = await import('@modelcontextprotocol/node');
  const node = toNodeHandler(handler);
  const path = options.path ?? '/mcp';
  const server = createServer((req, res) => {
    if ((req.url ?? '').split('?')[0] !== path) {
      res.writeHead(404).end();
      return;
    }
    void node(req, res);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const address = server.address() as { port: number; address: string };
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${host}:${address.port}${path}`,
    close: async () => {
      await handler.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
