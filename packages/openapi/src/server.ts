import { createServer, type Server as HttpServer } from 'node:http';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, fromJsonSchema, McpServer, type CreateMcpHandlerOptions, type jsonSchemaValidator, type McpHttpHandler } from '@modelcontextprotocol/server';
import { serveStdio as sdkServeStdio, type ServeStdioOptions } from '@modelcontextprotocol/server/stdio';
import { listedTool, type ToolTable } from './compile.js';
import { OpenApiRuntime, type RuntimeOptions } from './runtime.js';

export interface ServerInfoOptions {
  /** MCP server name (default: the spec title, sanitised). */
  name?: string;
  version?: string;
}

/** Builds fresh McpServer instances over one shared runtime (pool, auth cache, validators). */
export interface OpenApiServerFactory {
  (): McpServer;
  runtime: OpenApiRuntime;
  /** Closes the shared HTTP pool. Call once when the host stops. */
  close(): Promise<void>;
}

/**
 * The SDK's validator is bypassed on purpose: the runtime validates with Ajv 2020 after undoing
 * JSON-string double encoding, and reports errors as `isError` results naming the argument.
 */
const passThroughValidator: jsonSchemaValidator = {
  getValidator: () => (input: unknown) => ({ valid: true, data: input as never, errorMessage: undefined }),
};

export function createOpenApiServer(table: ToolTable, options: RuntimeOptions & ServerInfoOptions = {}): OpenApiServerFactory {
  const runtime = new OpenApiRuntime(table, options);
  const name = options.name ?? (table.info.title.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase() || 'openapi');
  const version = options.version ?? table.info.version;
  const schemas = table.tools.map((tool) => fromJsonSchema(tool.inputSchema as never, passThroughValidator));
  // The tool table is fixed once compiled, so tools/list is built once: the SDK's own handler re-converts and
  // re-scans every input schema on each call, which costs milliseconds per call on a spec with 1,000+ operations.
  const listed = table.tools.map(listedTool);
  const factory = (() => {
    const server = new McpServer({ name, version }, { capabilities: { tools: {} } });
    table.tools.forEach((tool, index) => {
      server.registerTool(
        tool.name,
        {
          ...(tool.title ? { title: tool.title } : {}),
          description: tool.description,
          inputSchema: schemas[index]!,
          annotations: tool.annotations,
        },
        (async (args: unknown, ctx: { mcpReq?: { signal?: AbortSignal } }) => runtime.call(tool.name, args, ctx?.mcpReq?.signal)) as never,
      );
    });
    // A fresh top-level object per call: the SDK may attach fields to the result it is handed.
    server.server.setRequestHandler('tools/list', () => ({ tools: listed }) as never);
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
