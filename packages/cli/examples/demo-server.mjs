#!/usr/bin/env node
// A tiny stdio MCP server with no dependencies, used by `switchboard bridge --demo`.
// It speaks newline-delimited JSON-RPC on stdin/stdout, like any stdio MCP server.
import { createInterface } from 'node:readline';

const tools = [
  { name: 'echo', description: 'Returns the text it is given.', inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } },
  { name: 'add', description: 'Adds two numbers.', inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] } },
  { name: 'countdown', description: 'Counts down from n, reporting progress each step (100 ms apart).', inputSchema: { type: 'object', properties: { n: { type: 'integer', minimum: 1, maximum: 50 } }, required: ['n'] } },
];

const send = (m) => process.stdout.write(JSON.stringify(m) + '\n');
const text = (t) => ({ content: [{ type: 'text', text: t }] });

async function call(id, params) {
  const args = params.arguments ?? {};
  switch (params.name) {
    case 'echo':
      return text(String(args.text));
    case 'add':
      return text(String(Number(args.a) + Number(args.b)));
    case 'countdown': {
      const token = params._meta?.progressToken;
      const n = Math.min(50, Math.max(1, Number(args.n) || 3));
      for (let i = 1; i <= n; i++) {
        await new Promise((r) => setTimeout(r, 100));
        if (token !== undefined) send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: token, progress: i, total: n } });
      }
      return text('liftoff');
    }
    default:
      throw Object.assign(new Error(`unknown tool ${params.name}`), { code: -32602 });
  }
}

createInterface({ input: process.stdin }).on('line', async (line) => {
  let msg;
  try {
    msg = JSON.parse(line);
  } catch {
    return send({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
  }
  if (msg.id === undefined) return; // notifications need no answer
  try {
    let result;
    switch (msg.method) {
      case 'initialize':
        result = { protocolVersion: msg.params?.protocolVersion ?? '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'switchboard-demo', version: '1.0.0' } };
        break;
      case 'ping':
        result = {};
        break;
      case 'tools/list':
        result = { tools };
        break;
      case 'tools/call':
        result = await call(msg.id, msg.params ?? {});
        break;
      default:
        return send({ jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: `Method not found: ${msg.method}` } });
    }
    send({ jsonrpc: '2.0', id: msg.id, result });
  } catch (err) {
    send({ jsonrpc: '2.0', id: msg.id, error: { code: err.code ?? -32603, message: err.message } });
  }
});
