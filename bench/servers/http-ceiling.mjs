// Ceiling 1: a minimal node:http Streamable HTTP endpoint that answers every call itself (no child).
// It does what the protocol demands and nothing more: session id on initialize, 202 for notifications,
// one SSE event per request. Usage: node http-ceiling.mjs PORT
import http from 'node:http';
import { randomUUID } from 'node:crypto';

const port = Number(process.argv[2]);
const sessions = new Set();
const result = (m) => {
  if (m.method === 'initialize')
    return { protocolVersion: m.params?.protocolVersion ?? '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'http-ceiling', version: '1' } };
  if (m.method === 'tools/list') return { tools: [{ name: 'echo', inputSchema: { type: 'object' } }] };
  if (m.method === 'tools/call') {
    const args = m.params?.arguments ?? {};
    return { content: [{ type: 'text', text: JSON.stringify(args) }], structuredContent: { args, meta: m.params?._meta ?? null } };
  }
  return {};
};

const server = http.createServer((req, res) => {
  if (req.method === 'DELETE') { sessions.delete(req.headers['mcp-session-id']); res.writeHead(200).end(); return; }
  if (req.method !== 'POST') { res.writeHead(405).end(); return; }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let m;
    try { m = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { res.writeHead(400).end(); return; }
    if (m.id === undefined) { res.writeHead(202).end(); return; }
    const headers = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };
    if (m.method === 'initialize') {
      const sid = randomUUID();
      sessions.add(sid);
      headers['mcp-session-id'] = sid;
    } else if (!sessions.has(req.headers['mcp-session-id'])) { res.writeHead(404).end(); return; }
    res.writeHead(200, headers);
    res.end(`event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: m.id, result: result(m) })}\n\n`);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => process.stderr.write(`http-ceiling listening on ${port}\n`));
process.on('SIGTERM', () => process.exit(0));
