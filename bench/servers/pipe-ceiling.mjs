// Ceiling 2: the least work any stdio→HTTP bridge must do. A minimal node:http Streamable HTTP endpoint
// with ONE stdio child shared by all sessions: each call is parsed, given a fresh upstream id, written as
// a line to the child's stdin; each stdout line is parsed, the client's id put back, and written out as one
// SSE event. No validation, no replay buffer, no logging. Usage: node pipe-ceiling.mjs PORT -- CMD ARGS…
import http from 'node:http';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';

const port = Number(process.argv[2]);
const sep = process.argv.indexOf('--');
const [cmd, ...args] = process.argv.slice(sep + 1);
const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
child.on('exit', () => process.exit(1));
process.on('SIGTERM', () => { child.kill('SIGKILL'); process.exit(0); });

let upId = 0;
const waiting = new Map(); // upstream id → { res, id }
let buf = '';
child.stdout.setEncoding('utf8');
child.stdout.on('data', (chunk) => {
  buf += chunk;
  let i;
  while ((i = buf.indexOf('\n')) !== -1) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    let m;
    try { m = JSON.parse(line); } catch { continue; }
    const w = waiting.get(m.id);
    if (!w) continue;
    waiting.delete(m.id);
    m.id = w.id;
    w.resolve(m);
  }
});
const upstream = (m) => new Promise((resolve) => {
  const id = ++upId;
  waiting.set(id, { resolve, id: m.id });
  m.id = id;
  child.stdin.write(JSON.stringify(m) + '\n');
});

// One upstream initialize at start; later sessions get the cached answer (as a shared-child bridge does).
const initResult = upstream({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'pipe-ceiling', version: '1' } } })
  .then((m) => { child.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n'); return m.result; });
const sessions = new Set();

const server = http.createServer((req, res) => {
  if (req.method === 'DELETE') { sessions.delete(req.headers['mcp-session-id']); res.writeHead(200).end(); return; }
  if (req.method !== 'POST') { res.writeHead(405).end(); return; }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    let m;
    try { m = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { res.writeHead(400).end(); return; }
    if (m.id === undefined) { res.writeHead(202).end(); return; }
    const headers = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };
    let out;
    if (m.method === 'initialize') {
      const sid = randomUUID();
      sessions.add(sid);
      headers['mcp-session-id'] = sid;
      out = { jsonrpc: '2.0', id: m.id, result: await initResult };
    } else if (!sessions.has(req.headers['mcp-session-id'])) { res.writeHead(404).end(); return; }
    else out = await upstream(m);
    res.writeHead(200, headers);
    res.end(`event: message\ndata: ${JSON.stringify(out)}\n\n`);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => process.stderr.write(`pipe-ceiling listening on ${port}\n`));
