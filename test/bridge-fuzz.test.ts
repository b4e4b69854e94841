/**
 * Fuzz of the HTTP face: a seeded generator of malformed requests (methods, paths, headers, Content-Length lies,
 * bodies with bad JSON, huge, nested, batches and bad ids, chunked delivery, early closes) against a real bridge.
 * Each case must get a documented status or a clean close; afterwards the bridge is alive, holds no socket from
 * the fuzzer, and serves a normal SDK client; after it stops, no child is left. FUZZ_SEED and FUZZ_CASES override
 * the seed and the case count; a failure prints the seed and the case that failed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ROOT, processesMatching, startBridge, until, type RunningBridge } from './helpers/bridge.js';
import { openSession } from './helpers/http.js';
import { heldConnections, rawClient } from './helpers/raw-socket.js';

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CASES = Number(process.env.FUZZ_CASES ?? 400);
const KEY = 'fuzz-key-0123456789abcdef';
const MAX_BODY = 64 * 1024;
const REQUEST_TIMEOUT_MS = 1000;
/** A case that has neither an answer nor a close after this long is a hang (5× the request timeout). */
const CASE_LIMIT_MS = 5 * REQUEST_TIMEOUT_MS;
const PARALLEL = 8;

/**
 * Every status the face documents (README, "HTTP per the spec" and "Slow or hostile clients"), plus what Node's
 * parser answers for broken HTTP: 400 and 431 (headers too large). 500 is not in it: no input may reach a crash.
 */
const ALLOWED = new Set([200, 202, 204, 400, 401, 403, 404, 405, 406, 408, 413, 415, 429, 431, 503]);

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
  };
}
type Rng = ReturnType<typeof prng>;

interface Case {
  n: number;
  head: string;
  body: Buffer;
  /** How the bytes leave: all at once, in random pieces, or cut off part-way (then the socket is closed by us). */
  delivery: 'whole' | 'pieces' | 'cut';
  cutAt: number;
  describe: string;
}

interface Known {
  port: number;
  sessionId: string;
  sseSessionId: string;
}

const ID_TEXTS = ['1', '0', '-1', '"a"', '""', '1.5', '1e400', '1e-400', '1152921504606846976', '{}', '[]', 'true', 'null', '-0', '"\\u0000sb#1"'];

function jsonBody(r: Rng): string {
  const id = r.pick(ID_TEXTS);
  const method = r.pick(['initialize', 'tools/call', 'tools/list', 'ping', 'resources/read', 'notifications/initialized', 'notifications/cancelled', 'nope/nope', '']);
  const params = r.pick([
    '{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"fuzz","version":"1"}}',
    '{"name":"echo","arguments":{"x":1}}',
    `{"name":"echo","arguments":{"x":1},"_meta":{"progressToken":${r.pick(ID_TEXTS)}}}`,
    `{"requestId":${r.pick(ID_TEXTS)}}`,
    '[]',
    '"params"',
    'null',
    `{"deep":${'['.repeat(2000)}${']'.repeat(2000)}}`,
    // A 2026-07-28 envelope: the stateless path (classifier, header checks, the era front).
    `{"name":"echo","arguments":{},"_meta":{"io.modelcontextprotocol/protocolVersion":${r.pick(['"2026-07-28"', '"2025-11-25"', '7'])},"io.modelcontextprotocol/clientInfo":{"name":"fuzz","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}}`,
  ]);
  const parts = [`"jsonrpc":${r.pick(['"2.0"', '"2.0"', '"2.0"', '"1.0"', '2'])}`];
  if (r.chance(0.9)) parts.push(`"id":${id}`);
  if (r.chance(0.9)) parts.push(`"method":${JSON.stringify(method)}`);
  if (r.chance(0.7)) parts.push(`"params":${params}`);
  if (r.chance(0.1)) parts.push('"result":{}');
  // Members in random order: servers and clients write the id first or last.
  for (let i = parts.length - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [parts[i], parts[j]] = [parts[j]!, parts[i]!];
  }
  return `{${parts.join(',')}}`;
}

function body(r: Rng): Buffer {
  switch (r.int(9)) {
    case 0:
      return Buffer.alloc(0);
    case 1:
      return Buffer.from(r.pick(['{', '{"jsonrpc":', '}{', 'nul', '[1,', '"\\ud800"', '{"a":1}}', '\u0000\u0001']));
    case 2: {
      const junk = Buffer.alloc(1 + r.int(2000));
      for (let i = 0; i < junk.length; i++) junk[i] = r.int(256);
      return junk;
    }
    case 3:
      // Just over the limit, or far over it.
      return Buffer.from(`{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"${'x'.repeat(r.chance(0.5) ? MAX_BODY : 4 * MAX_BODY)}"}}`);
    case 4:
      return Buffer.from(`${'['.repeat(20_000)}${']'.repeat(20_000)}`);
    case 5: {
      const n = r.pick([0, 1, 2, 100]);
      return Buffer.from(`[${Array.from({ length: n }, () => jsonBody(r)).join(',')}]`);
    }
    case 6:
      return Buffer.from(r.pick(['42', '"text"', 'null', 'true', '[]', '{}']));
    default:
      return Buffer.from(jsonBody(r));
  }
}

function makeCase(r: Rng, n: number, k: Known): Case {
  const method = r.pick(['POST', 'POST', 'POST', 'POST', 'GET', 'GET', 'DELETE', 'PUT', 'OPTIONS', 'HEAD', 'PATCH', 'FOO']);
  const path = r.chance(0.5) ? '/mcp' : r.pick([
    '/mcp',
    '/mcp',
    '/mcp',
    '/mcp?x=1',
    '/sse',
    `/messages?sessionId=${k.sseSessionId}`,
    '/messages?sessionId=nope',
    '/messages',
    '/healthz',
    '/readyz',
    '/metrics',
    '/',
    '/mcp/../sse',
    '/%00',
    `/${'a'.repeat(4000)}`,
    '/.well-known/oauth-protected-resource',
  ]);
  const h: string[] = [];
  // The gate (Host, Origin, key) passes most of the time, so most cases reach the MCP handling behind it.
  const host = r.chance(0.85) ? r.pick([`127.0.0.1:${k.port}`, `localhost:${k.port}`]) : r.pick(['evil.example', '', undefined]);
  if (host !== undefined) h.push(`Host: ${host}`);
  const origin = r.chance(0.85) ? undefined : r.pick(['http://evil.example', `http://127.0.0.1:${k.port}`, 'null']);
  if (origin) h.push(`Origin: ${origin}`);
  const auth = r.chance(0.85) ? `Bearer ${KEY}` : r.pick(['Bearer wrong-key-0123456789', 'Basic Zm9vOmJhcg==', '', undefined]);
  if (auth !== undefined) h.push(`Authorization: ${auth}`);
  const ct = r.pick(['application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/jsonx', '', undefined]);
  if (ct !== undefined) h.push(`Content-Type: ${ct}`);
  const accept = r.pick(['application/json, text/event-stream', 'application/json, text/event-stream', 'text/event-stream', 'application/json', '*/*', 'text/html', undefined]);
  if (accept !== undefined) h.push(`Accept: ${accept}`);
  const sid = r.pick([k.sessionId, k.sessionId, undefined, undefined, randomUUIDFrom(r), '', 'x'.repeat(5000)]);
  if (sid !== undefined) h.push(`Mcp-Session-Id: ${sid}`);
  const pv = r.pick([undefined, undefined, '2025-11-25', '2025-03-26', '2026-07-28', '1999-01-01', 'garbage']);
  if (pv !== undefined) h.push(`Mcp-Protocol-Version: ${pv}`);
  const mm = r.pick([undefined, undefined, 'tools/call', 'ping', 'nope', '']);
  if (mm !== undefined) h.push(`Mcp-Method: ${mm}`);
  if (r.chance(0.1)) h.push(`Last-Event-ID: ${r.pick(['p1.1', 'g.1', 'nope', ''])}`);
  if (r.chance(0.03)) h.push(`X-Huge: ${'h'.repeat(20_000)}`);
  const b = method === 'GET' || method === 'HEAD' ? (r.chance(0.2) ? body(r) : Buffer.alloc(0)) : body(r);
  const lengthMode = r.pick(['true', 'true', 'true', 'short', 'long', 'chunked', 'both', 'invalid', 'none']);
  let payload = b;
  switch (lengthMode) {
    case 'true':
      h.push(`Content-Length: ${b.length}`);
      break;
    case 'short':
      h.push(`Content-Length: ${Math.max(0, b.length - 1 - r.int(10))}`);
      break;
    case 'long':
      h.push(`Content-Length: ${b.length + 1 + r.int(1000)}`);
      break;
    case 'chunked':
    case 'both': {
      h.push('Transfer-Encoding: chunked');
      if (lengthMode === 'both') h.push(`Content-Length: ${b.length}`);
      const chunks: Buffer[] = [];
      for (let i = 0; i < b.length; ) {
        const size = 1 + r.int(4096);
        const c = b.subarray(i, i + size);
        chunks.push(Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n'));
        i += size;
      }
      chunks.push(Buffer.from('0\r\n\r\n'));
      payload = Buffer.concat(chunks);
      break;
    }
    case 'invalid':
      h.push(`Content-Length: ${r.pick(['abc', '-1', '1.5', '99999999999999999999'])}`);
      break;
  }
  // One request per connection: the server closes after its answer, so "answered and closed" is the normal end.
  h.push('Connection: close');
  const head = `${method} ${path} HTTP/1.1\r\n${h.join('\r\n')}\r\n\r\n`;
  const delivery = r.pick(['whole', 'whole', 'whole', 'pieces', 'pieces', 'cut'] as const);
  const total = head.length + payload.length;
  return { n, head, body: payload, delivery, cutAt: r.int(total), describe: `${method} ${path.slice(0, 60)} [${lengthMode}, ${delivery}, ${b.length} B] ${h.map((x) => x.slice(0, 60)).join(' | ')}` };
}

function randomUUIDFrom(r: Rng): string {
  return Array.from({ length: 32 }, () => r.int(16).toString(16)).join('').replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
}

type Outcome = { status?: number; how: 'answered' | 'stream' | 'closed' | 'reset' | 'hung'; ms: number };

async function runCase(port: number, c: Case, r: Rng): Promise<Outcome> {
  const started = Date.now();
  const client = await rawClient(port);
  const bytes = Buffer.concat([Buffer.from(c.head, 'latin1'), c.body]);
  const write = (b: Buffer) => new Promise<void>((res) => (client.isClosed() || client.socket.destroyed ? res() : client.socket.write(b, () => res())));
  if (c.delivery === 'whole') await write(bytes);
  else if (c.delivery === 'cut') {
    await write(bytes.subarray(0, c.cutAt));
    client.socket.destroy();
    return { how: 'closed', ms: Date.now() - started };
  } else {
    for (let i = 0; i < bytes.length && !client.isClosed(); ) {
      const size = 1 + r.int(Math.max(1, bytes.length / 4));
      await write(bytes.subarray(i, i + size));
      i += size;
      await new Promise((res) => setTimeout(res, r.int(3)));
    }
  }
  const end = Date.now() + CASE_LIMIT_MS;
  while (Date.now() < end) {
    if (client.isClosed()) {
      // A server that refuses while we are still sending closes with our bytes unread: the kernel then resets the
      // connection, which may drop its answer before we read it. That is still the server closing cleanly.
      const reset = client.status() === undefined && /ECONNRESET|EPIPE/.test(client.error() ?? '');
      return { status: client.status(), how: reset ? 'reset' : 'answered', ms: Date.now() - started };
    }
    // A long-lived SSE stream (a GET stream, a legacy /sse session) is a valid answer that never closes by itself.
    if (/\r\n\r\n/.test(client.received()) && /content-type: text\/event-stream/i.test(client.received())) {
      client.socket.destroy();
      return { status: client.status(), how: 'stream', ms: Date.now() - started };
    }
    await Promise.race([client.closed, new Promise((res) => setTimeout(res, 20))]);
  }
  client.socket.destroy();
  return { status: client.status(), how: 'hung', ms: Date.now() - started };
}

const marker = randomUUID();
let bridge: RunningBridge;
let sseAbort: AbortController;
let known: Known;

beforeAll(async () => {
  bridge = await startBridge(
    ['--log-level', 'error', '--isolation', 'shared', '--api-key', KEY, '--max-body', String(MAX_BODY), '--request-timeout', `${REQUEST_TIMEOUT_MS}ms`, '--keepalive', '0'],
    [process.execPath, `${ROOT}test/fixtures/echo-server.mjs`, `--marker=${marker}`],
  );
  const auth = { authorization: `Bearer ${KEY}` };
  const sessionId = await openSession(bridge.url, '2025-11-25', auth);
  // A live legacy SSE session, so /messages POSTs can reach a real one.
  sseAbort = new AbortController();
  const sse = await fetch(`${bridge.base}/sse`, { headers: { ...auth, accept: 'text/event-stream' }, signal: sseAbort.signal });
  const reader = sse.body!.getReader();
  let text = '';
  while (!/sessionId=([\w-]+)/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
  known = { port: bridge.port, sessionId, sseSessionId: /sessionId=([\w-]+)/.exec(text)![1]! };
}, 30_000);

afterAll(async () => {
  sseAbort?.abort();
  await bridge?.stop();
});

describe(`HTTP face fuzz (${CASES} cases)`, () => {
  it('every malformed request gets a documented status or a clean close; the bridge carries on', async () => {
    const baseline = await heldConnections(bridge.port);
    const rng = prng(SEED);
    const cases = Array.from({ length: CASES }, (_, n) => makeCase(rng, n, known));
    const failures: string[] = [];
    const counts = new Map<string, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async (_, lane) => {
        // Each lane has its own generator for timing and piece sizes: the cases themselves stay fixed by the seed.
        const r = prng(SEED + lane + 1);
        while (next < cases.length) {
          const c = cases[next++]!;
          const o = await runCase(bridge.port, c, r);
          const key = o.status ? String(o.status) : o.how;
          counts.set(key, (counts.get(key) ?? 0) + 1);
          // Our own cut is a clean end; anything the server ended must carry a documented status.
          const ok = o.how === 'closed' || o.how === 'reset' || ((o.how === 'answered' || o.how === 'stream') && o.status !== undefined && ALLOWED.has(o.status));
          if (!ok) failures.push(`case ${c.n}: ${o.how} status=${o.status} after ${o.ms} ms — ${c.describe}`);
          if (bridge.proc.exitCode !== null || bridge.proc.signalCode !== null) failures.push(`case ${c.n}: the bridge exited — ${c.describe}`);
        }
      }),
    );
    const summary = `seed ${SEED} (FUZZ_SEED=${SEED} reproduces it); outcomes ${JSON.stringify(Object.fromEntries([...counts].sort()))}`;
    console.log(`fuzz: ${CASES} cases, ${summary}`);
    expect(failures, `${summary}\n${failures.slice(0, 20).join('\n')}`).toEqual([]);
    expect(bridge.stderr(), summary).not.toMatch(/request handler failed|uncaught|unhandled/i);

    // Every socket the fuzzer opened is gone on the bridge's side too.
    await until(async () => (await heldConnections(bridge.port)) <= baseline, { timeoutMs: 10_000, stepMs: 100 }).catch(async () => {
      throw new Error(`${summary}: the bridge still holds ${await heldConnections(bridge.port)} connections (${baseline} before the fuzz)`);
    });

    // A normal client is served as before.
    const client = new Client({ name: 'after-fuzz', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(bridge.url), { requestInit: { headers: { authorization: `Bearer ${KEY}` } } }));
    const r = await client.callTool({ name: 'echo', arguments: { after: 'fuzz' } });
    expect(r.structuredContent, summary).toMatchObject({ args: { after: 'fuzz' } });
    await client.close();
    expect(await (await fetch(`${bridge.base}/healthz`)).text()).toBe('ok\n');

    sseAbort.abort();
    expect(await bridge.stop()).toBe(0);
    await until(async () => (await processesMatching(marker)).length === 0, { timeoutMs: 5000 });
  }, 120_000);
});
