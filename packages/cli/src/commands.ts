// Each command loads only what it needs: importing every command would pull in the client SDK,
// the OpenAPI compiler and more, and cost a bridge its cold start. The top-level help lists the commands from
// this table alone (descriptions are checked against the modules' own in commands.test.ts).
export const COMMANDS: Record<string, { command: string; describe: string; load: () => Promise<unknown> }> = {
  bridge: {
    command: 'bridge [command..]',
    describe: 'Serve a stdio MCP server over Streamable HTTP and legacy SSE (both protocol eras)',
    load: () => import('./commands/bridge.js'),
  },
  connect: {
    command: 'connect <url>',
    describe: 'Connect a stdio MCP host (e.g. Claude Desktop) to a remote HTTP MCP server (drop-in for mcp-remote)',
    load: () => import('./commands/connect.js'),
  },
  openapi: {
    command: 'openapi [spec] [selection..]',
    describe: 'Serve a REST API as MCP tools, compiled from its OpenAPI 3.x / Swagger 2.0 spec',
    load: () => import('./commands/openapi.js'),
  },
  gateway: {
    command: 'gateway',
    describe: 'Serve many MCP servers (stdio, remote, OpenAPI) behind one endpoint, from one config file',
    load: () => import('./commands/gateway.js'),
  },
};
