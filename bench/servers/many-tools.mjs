// A stdio MCP server with N tools (argv[2], default 250) that answers tools/list in one page: the gateway bench's
// catalog-size backend. tools/call answers at once.
import { onStdinMessages } from './stdio-lines.mjs';

const n = Number(process.argv[2] ?? 250);
const tools = Array.from({ length: n }, (_, i) => ({ name: `tool_${i}`, description: `Tool number ${i}, which does one small thing.`, inputSchema: { type: 'object', properties: { text: { type: 'string' } } } }));
onStdinMessages((m) => {
  if (m.id === undefined) return;
  const reply = (result) => process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id: m.id, result }) + '\n');
  if (m.method === 'initialize') reply({ protocolVersion: m.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'many', version: '1' } });
  else if (m.method === 'tools/list') reply({ tools });
  else if (m.method === 'tools/call') reply({ content: [{ type: 'text', text: 'ok' }] });
  else reply({});
});
