// A stdio "MCP server" that answers initialize and then never answers anything again: the hung backend.
import { onStdinMessages } from './stdio-lines.mjs';

let initialized = false;
onStdinMessages((m) => {
  if (m.method !== 'initialize' || initialized) return;
  initialized = true;
  process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id: m.id, result: { protocolVersion: m.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'hung', version: '1' } } }) + '\n');
});
setInterval(() => {}, 1 << 30);
