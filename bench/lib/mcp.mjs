// Raw MCP clients for the bench (no SDK): Streamable HTTP sessions and legacy HTTP+SSE sessions over an
// undici Pool (keep-alive, pipelining 1), plus a direct stdio client. Each call is one tools/call "echo".
import { Client } from 'undici';
import { spawn } from 'node:child_process';

export const PROTOCOL = '2025-06-18';
const CALL_ARGS = { text: 'hello', n: 42 };
const INIT_PARAMS = { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'switchboard-bench', version: '1' } };
const TIMEOUTS = { headersTimeout: 10_000, bodyTimeout: 10_000 };

let nextId = 1;
const callBody = (id, tool = 'echo') => `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"${tool}","arguments":${JSON.stringify(CALL_ARGS)}}}`;

/** Pull the JSON-RPC messages out of an SSE or JSON body. */
export function messagesOf(text, contentType = '') {
  if (contentType.includes('application/json')) return [].concat(JSON.parse(text));
  const out = [];
  for (const line of text.split('\n')) if (line.startsWith('data:')) out.push(JSON.parse(line.slice(5).trim()));
  return out;
}

// ---------------------------------------------------------------- Streamable HTTP (2025-era sessions)
export class StreamableSession {
  constructor(pool, path, tool = 'echo') {
    this.pool = pool;
    this.path = path;
    this.tool = tool;
    this.sid = undefined;
    this.headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  }
  async post(body, extra = {}) {
    const res = await this.pool.request({ path: this.path, method: 'POST', headers: { ...this.headers, ...extra }, body, ...TIMEOUTS });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, text };
  }
  async open() {
    const r = await this.post(JSON.stringify({ jsonrpc: '2.0', id: nextId++, method: 'initialize', params: INIT_PARAMS }));
    if (r.status !== 200) throw new Error(`initialize: HTTP ${r.status} ${r.text.slice(0, 200)}`);
    const msg = messagesOf(r.text, r.headers['content-type']).find((m) => m.id !== undefined);
    if (!msg?.result) throw new Error(`initialize: no result: ${r.text.slice(0, 200)}`);
    this.sid = r.headers['mcp-session-id'];
    this.headers = { ...this.headers, 'mcp-protocol-version': msg.result.protocolVersion ?? PROTOCOL };
    if (this.sid) this.headers['mcp-session-id'] = this.sid;
    const n = await this.post('{"jsonrpc":"2.0","method":"notifications/initialized"}');
    if (n.status >= 300) throw new Error(`notifications/initialized: HTTP ${n.status}`);
    return this;
  }
  /** One tools/call echo; resolves true on a JSON-RPC result. Cheap check: no full parse on the hot path. */
  async call() {
    const id = nextId++;
    const r = await this.post(callBody(id, this.tool));
    return r.status === 200 && r.text.includes('"result"') && r.text.includes(`"id":${id}`);
  }
  async request(method, params = {}) {
    const id = nextId++;
    const r = await this.post(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    if (r.status !== 200) throw new Error(`${method}: HTTP ${r.status}`);
    const msg = messagesOf(r.text, r.headers['content-type']).find((m) => m.id === id);
    if (!msg?.result) throw new Error(`${method}: ${r.text.slice(0, 200)}`);
    return msg.result;
  }
  async close() {
    if (!this.sid) return;
    try {
      const res = await this.pool.request({ path: this.path, method: 'DELETE', headers: this.headers, ...TIMEOUTS });
      await res.body.dump();
    } catch {}
  }
}

// ---------------------------------------------------------------- legacy HTTP+SSE (2024-11-05)
export class SseSession {
  constructor(pool, origin, ssePath) {
    this.pool = pool;
    this.origin = origin;
    this.ssePath = ssePath;
    this.pending = new Map();
    this.buf = '';
    this.endpoint = undefined;
  }
  async open() {
    this.client = new Client(this.origin, { ...TIMEOUTS, bodyTimeout: 0 });
    const res = await this.client.request({ path: this.ssePath, method: 'GET', headers: { accept: 'text/event-stream' }, headersTimeout: 10_000, bodyTimeout: 0 });
    if (res.statusCode !== 200) throw new Error(`GET ${this.ssePath}: HTTP ${res.statusCode}`);
    this.stream = res.body;
    this.stream.setEncoding('utf8');
    const gotEndpoint = new Promise((resolve, reject) => {
      this.onEndpoint = resolve;
      const t = setTimeout(() => reject(new Error('no endpoint event within 10 s')), 10_000);
      t.unref();
    });
    this.stream.on('data', (chunk) => this.feed(chunk));
    this.stream.on('error', () => {});
    this.stream.on('end', () => { for (const [, p] of this.pending) p(false); this.pending.clear(); });
    const ep = await gotEndpoint;
    const u = new URL(ep, this.origin + this.ssePath);
    this.postPath = u.pathname + u.search;
    const init = await this.request('initialize', INIT_PARAMS);
    if (!init.result) throw new Error('initialize over SSE failed');
    await this.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
    return this;
  }
  feed(chunk) {
    this.buf += chunk;
    let i;
    while ((i = this.buf.indexOf('\n\n')) !== -1) {
      const block = this.buf.slice(0, i).replace(/\r/g, '');
      this.buf = this.buf.slice(i + 2);
      let event = 'message', data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data += (data ? '\n' : '') + line.slice(5).replace(/^ /, '');
      }
      if (event === 'endpoint') this.onEndpoint?.(data);
      else if (data) {
        let m;
        try { m = JSON.parse(data); } catch { continue; }
        const p = m.id !== undefined && this.pending.get(m.id);
        if (p) { this.pending.delete(m.id); p(m); }
      }
    }
  }
  async send(body) {
    const res = await this.pool.request({ path: this.postPath, method: 'POST', headers: { 'content-type': 'application/json' }, body, ...TIMEOUTS });
    await res.body.dump();
    return res.statusCode;
  }
  request(method, params) {
    const id = nextId++;
    return this.#roundTrip(id, JSON.stringify({ jsonrpc: '2.0', id, method, params }));
  }
  #roundTrip(id, body) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.pending.delete(id); resolve(false); }, 10_000);
      this.pending.set(id, (m) => { clearTimeout(timer); resolve(m); });
      this.send(body).then((s) => { if (s >= 300) { clearTimeout(timer); this.pending.delete(id); resolve(false); } }, () => { clearTimeout(timer); this.pending.delete(id); resolve(false); });
    });
  }
  async call() {
    const id = nextId++;
    const m = await this.#roundTrip(id, callBody(id));
    return !!m && m.result !== undefined;
  }
  async close() {
    try { this.stream?.destroy(); } catch {}
    try { await this.client?.destroy(); } catch {}
  }
}

// ---------------------------------------------------------------- direct stdio
export class StdioSession {
  constructor(cmd, args) {
    this.cmd = cmd;
    this.args = args;
    this.pending = new Map();
    this.buf = '';
  }
  async open() {
    this.child = spawn(this.cmd, this.args, { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    this.pid = this.child.pid;
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk) => {
      this.buf += chunk;
      let i;
      while ((i = this.buf.indexOf('\n')) !== -1) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        let m;
        try { m = JSON.parse(line); } catch { continue; }
        const p = m.id !== undefined && this.pending.get(m.id);
        if (p) { this.pending.delete(m.id); p(m); }
      }
    });
    this.child.stdin.on('error', () => {});
    const init = await this.request('initialize', INIT_PARAMS);
    if (!init) throw new Error('stdio initialize failed');
    this.child.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
    return this;
  }
  #roundTrip(id, line) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.pending.delete(id); resolve(false); }, 10_000);
      this.pending.set(id, (m) => { clearTimeout(timer); resolve(m); });
      this.child.stdin.write(line + '\n');
    });
  }
  request(method, params) {
    const id = nextId++;
    return this.#roundTrip(id, JSON.stringify({ jsonrpc: '2.0', id, method, params }));
  }
  async call() {
    const id = nextId++;
    const m = await this.#roundTrip(id, callBody(id));
    return !!m && m.result !== undefined;
  }
  async close() {
    try { process.kill(-this.child.pid, 'SIGKILL'); } catch {}
  }
}
