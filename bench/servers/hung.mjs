// A stdio "MCP server" that answers initialize and then never answers anything again: the hung backend.
let buf = '';
let initialized = false;
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buf += chunk;
  let i;
  while ((i = buf.indexOf('\n')) >= 0) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    if (!line.trim()) continue;
    const m = JSON.parse(line);
    if (m.method === 'initialize' && !initialized) {
      initialized = true;
      process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id: m.id, result: { protocolVersion: m.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'hung', version: '1' } } }) + '\n');
    }
  }
});
setInterval(() => {}, 1 << 30);
