/**
 * `switchboard openapi` end to end: a real REST API on 127.0.0.1, the built CLI as a real process, and real MCP
 * clients (v1 SDK and v2 SDK) over stdio, Streamable HTTP and legacy SSE. The API records every request so the
 * tests see exactly what a tool call sent; the API key comes from the environment and must never reach stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as StdioV1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as StreamableV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport as SseV1 } from '@modelcontextprotocol/sdk/client/sse.js';
import { Client as ClientV2, StreamableHTTPClientTransport as StreamableV2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as StdioV2 } from '@modelcontextprotocol/client/stdio';
import { CLI, ROOT, freePort } from './helpers/bridge.js';

const SPEC = `${ROOT}test/fixtures/openapi-inventory.yaml`;
// The catalog cache lives in the config dir: never the user's own during tests.
const CONFIG_DIR = mkdtempSync(join(tmpdir(), 'sb-openapi-cli-'));
const SECRET = 'inv-key-3f9c2a7d51e84b06';
const TOOLS = ['createItem', 'deleteItem', 'getItem', 'listItems'];

interface Recorded {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: string;
}

let api: Server;
let apiBase: string;
const recorded: Recorded[] = [];
const spawned = new Set<ChildProcess>();
const stdioPids = new Set<number>();

beforeAll(async () => {
  api = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      recorded.push({ method: req.method ?? '', url, headers: req.headers, body });
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.method === 'GET' && url.pathname === '/v2/items') return json(200, [{ id: 1, name: `match:${url.searchParams.get('q')}`, qty: 2 }]);
      if (req.method === 'POST' && url.pathname === '/v2/items') return json(201, { id: 42, ...JSON.parse(body || '{}') });
      // A careless API that reflects the caller's key in an error: the adapter must not pass it to the model.
      if (req.method === 'GET' && url.pathname === '/v2/items/13') return json(500, { error: `bad key ${String(req.headers['x-api-key'])}` });
      json(404, { error: 'no such item' });
    });
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  apiBase = `http://127.0.0.1:${(api.address() as { port: number }).port}/v2`;
});

afterAll(async () => {
  for (const p of spawned) killGroup(p.pid);
  for (const pid of stdioPids) killGroup(pid, false);
  await new Promise<void>((r) => api.close(() => r()));
  rmSync(CONFIG_DIR, { recursive: true, force: true });
});

function killGroup(pid: number | undefined | null, group = true): void {
  if (!pid) return;
  try {
    process.kill(group ? -pid : pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

const env = (extra: Record<string, string> = {}) => ({ ...(process.env as Record<string, string>), INVENTORY_KEY: SECRET, SWITCHBOARD_CONFIG_DIR: CONFIG_DIR, ...extra });

/** The flags every serving test uses: the local API, loopback allowed, the key from the environment. */
function serveArgs(extra: string[] = []): string[] {
  return [CLI, 'openapi', SPEC, '--base-url', apiBase, '--allow-private', '--auth', 'apiKey=env:INVENTORY_KEY', '--log-level', 'debug', ...extra];
}

/** Runs the CLI to completion (bounded), capturing both streams. */
function run(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: env(extraEnv), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    spawned.add(p);
    let stdout = '';
    let stderr = '';
    p.stdout!.on('data', (d) => (stdout += d));
    p.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      killGroup(p.pid);
      reject(new Error(`switchboard ${args.join(' ')} did not finish in 20s:\n${stderr}`));
    }, 20_000);
    p.once('exit', (code) => {
      clearTimeout(timer);
      spawned.delete(p);
      // Let the pipes drain.
      setImmediate(() => resolve({ code, stdout, stderr }));
    });
  });
}

type AnyClient = {
  listTools(): Promise<{ tools: { name: string; inputSchema: unknown }[] }>;
  callTool(req: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
};

const text = (result: unknown) => JSON.stringify((result as { content: unknown }).content);

/** The same checks for every client and transport: list, call (query + body), exact requests, redaction. */
async function exercise(client: AnyClient, label: string): Promise<void> {
  const { tools } = await client.listTools();
  expect(tools.map((t) => t.name).sort()).toEqual(TOOLS);
  const q = `red car ${label}`;

  const listed = await client.callTool({ name: 'listItems', arguments: { limit: 5, q } });
  expect((listed as { isError?: boolean }).isError).toBeFalsy();
  expect(text(listed)).toContain(`match:${q}`);
  const get = recorded.filter((r) => r.method === 'GET' && r.url.searchParams.get('q') === q);
  expect(get).toHaveLength(1);
  expect(get[0]!.url.pathname).toBe('/v2/items');
  expect([...get[0]!.url.searchParams.entries()].sort()).toEqual([
    ['limit', '5'],
    ['q', q],
  ]);
  expect(get[0]!.headers['x-api-key']).toBe(SECRET);

  const created = await client.callTool({ name: 'createItem', arguments: { name: `widget ${label}`, qty: 3 } });
  expect(text(created)).toContain(`widget ${label}`);
  const post = recorded.filter((r) => r.method === 'POST' && r.body.includes(`widget ${label}`));
  expect(post).toHaveLength(1);
  expect(post[0]!.url.pathname).toBe('/v2/items');
  expect(post[0]!.url.search).toBe('');
  expect(post[0]!.headers['content-type']).toMatch(/^application\/json/);
  expect(post[0]!.headers['x-api-key']).toBe(SECRET);
  expect(JSON.parse(post[0]!.body)).toEqual({ name: `widget ${label}`, qty: 3 });

  const leaky = await client.callTool({ name: 'getItem', arguments: { id: 13 } });
  expect((leaky as { isError?: boolean }).isError).toBe(true);
  expect(text(leaky)).toContain('500');
  expect(text(leaky)).not.toContain(SECRET);

  const bad = await client.callTool({ name: 'listItems', arguments: { limit: 'lots' } });
  expect((bad as { isError?: boolean }).isError).toBe(true);
  expect(text(bad)).toMatch(/limit/);
}

function collect(stream: NodeJS.ReadableStream | null | undefined): () => string {
  let out = '';
  stream?.on('data', (d) => (out += d));
  return () => out;
}

describe('openapi --serve stdio', () => {
  it('v1 SDK client: tools, exact requests, key from env never on stderr', async () => {
    const transport = new StdioV1({ command: process.execPath, args: serveArgs(), env: env(), cwd: ROOT, stderr: 'pipe' });
    const stderr = collect(transport.stderr as NodeJS.ReadableStream);
    const client = new ClientV1({ name: 'v1-stdio', version: '1.0.0' });
    await client.connect(transport);
    if (transport.pid) stdioPids.add(transport.pid);
    try {
      expect(client.getServerVersion()?.name).toBe('inventory');
      await exercise(client as unknown as AnyClient, 'v1-stdio');
    } finally {
      await client.close();
    }
    expect(stderr()).toContain('serving on stdio');
    expect(stderr()).not.toContain(SECRET);
  });

  it('v2 SDK client in auto mode negotiates 2026-07-28', async () => {
    const transport = new StdioV2({ command: process.execPath, args: serveArgs(), env: env(), cwd: ROOT, stderr: 'pipe' });
    const stderr = collect(transport.stderr as NodeJS.ReadableStream);
    const client = new ClientV2({ name: 'v2-stdio', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(transport);
    if (transport.pid) stdioPids.add(transport.pid);
    try {
      expect(client.getServerVersion()?.name).toBe('inventory');
      expect(client.getProtocolEra()).toBe('modern');
      expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
      await exercise(client as unknown as AnyClient, 'v2-stdio');
    } finally {
      await client.close();
    }
    expect(stderr()).not.toContain(SECRET);
  });

  it('without --allow-private the loopback API is refused when the call connects', async () => {
    const args = serveArgs().filter((a) => a !== '--allow-private');
    const transport = new StdioV1({ command: process.execPath, args, env: env(), cwd: ROOT, stderr: 'pipe' });
    const client = new ClientV1({ name: 'v1-private', version: '1.0.0' });
    await client.connect(transport);
    if (transport.pid) stdioPids.add(transport.pid);
    const before = recorded.length;
    try {
      const r = await client.callTool({ name: 'listItems', arguments: { q: 'blocked' } });
      expect(r.isError).toBe(true);
      expect(text(r)).toMatch(/private|loopback|refused|denied/i);
      expect(recorded.length).toBe(before);
    } finally {
      await client.close();
    }
  });
});

describe('openapi --serve http', () => {
  let proc: ChildProcess;
  let url: string;
  let stderr = () => '';

  beforeAll(async () => {
    const port = await freePort();
    proc = spawn(process.execPath, serveArgs(['--serve', 'http', '--port', String(port)]), { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    spawned.add(proc);
    let err = '';
    let out = '';
    proc.stderr!.on('data', (d) => (err += d));
    proc.stdout!.on('data', (d) => (out += d));
    stderr = () => err + out;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`openapi --serve http did not start in 20s:\n${err}`)), 20_000);
      proc.stderr!.on('data', () => {
        if (err.includes('switchboard: listening')) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`openapi --serve http exited with ${code}:\n${err}`));
      });
    });
    url = `http://127.0.0.1:${port}/mcp`;
  });

  afterAll(async () => {
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    killGroup(proc.pid, true);
    await exited;
  });

  it('announces the endpoints like bridge does', () => {
    expect(stderr()).toContain(`Streamable HTTP ${url}`);
    expect(stderr()).toContain('SSE http://127.0.0.1:');
  });

  it('v1 SDK client over Streamable HTTP', async () => {
    const client = new ClientV1({ name: 'v1-http', version: '1.0.0' });
    await client.connect(new StreamableV1(new URL(url)));
    try {
      await exercise(client as unknown as AnyClient, 'v1-http');
    } finally {
      await client.close();
    }
  });

  it('v1 SDK client over legacy SSE', async () => {
    const client = new ClientV1({ name: 'v1-sse', version: '1.0.0' });
    await client.connect(new SseV1(new URL(url.replace(/\/mcp$/, '/sse'))));
    try {
      await exercise(client as unknown as AnyClient, 'v1-sse');
    } finally {
      await client.close();
    }
  });

  it('v2 SDK client negotiates 2026-07-28 and calls statelessly', async () => {
    const client = new ClientV2({ name: 'v2-http', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new StreamableV2(new URL(url)));
    try {
      expect(client.getProtocolEra()).toBe('modern');
      expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
      await exercise(client as unknown as AnyClient, 'v2-http');
    } finally {
      await client.close();
    }
  });

  it('is ready on /readyz and never logs the key', async () => {
    const res = await fetch(url.replace(/\/mcp$/, '/readyz'));
    expect(res.status).toBe(200);
    expect(stderr()).not.toContain(SECRET);
  });

  it('drains and exits 0 on SIGTERM', async () => {
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    process.kill(proc.pid!, 'SIGTERM');
    expect(await exited).toBe(0);
  });
});

describe('openapi inspect', () => {
  it('prints the tool table and the build report', async () => {
    const r = await run(['openapi', 'inspect', SPEC]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^listItems\tGET \/items\tinventory\.example\.invalid:443\tlimit \(query\), q \(query\)\tapiKey$/m);
    expect(r.stdout).toMatch(/^createItem\tPOST \/items\tinventory\.example\.invalid:443\t\*name \(body\), qty \(body\)\tapiKey$/m);
    expect(r.stdout).toMatch(/4 tools from 4 operations; .* in 1 page of ≤ 1048576 bytes/);
    const moved = await run(['openapi', 'inspect', SPEC, '--base-url', 'https://api.example.com:8443/v2']);
    expect(moved.stdout).toMatch(/^listItems\tGET \/items\tapi\.example\.com:8443\t/m);
  });

  it('--json gives { tools, report }; a selection narrows it', async () => {
    const r = await run(['openapi', 'inspect', SPEC, 'tag:items', '--exclude', 'method:POST', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { tools: { name: string; auth: string }[]; report: { toolCount: number } };
    expect(out.tools.map((t) => t.name).sort()).toEqual(['getItem', 'listItems']);
    expect(out.report.toolCount).toBe(2);
  });

  it('takes only selection and loading flags', async () => {
    const r = await run(['openapi', 'inspect', SPEC, '--timeout', '5s']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Unknown argument: timeout');
    const help = await run(['openapi', 'inspect', '--help']);
    expect(help.stdout).toContain('--max-tools');
    expect(help.stdout).not.toContain('--port');
  });

  it('--rename renames a tool', async () => {
    const r = await run(['openapi', 'inspect', SPEC, '--rename', 'listItems=search_inventory', '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { tools: { name: string }[] }).tools.map((t) => t.name)).toContain('search_inventory');
  });

  it('exits 1 with the actionable message when there are too many tools', async () => {
    const r = await run(['openapi', 'inspect', SPEC, '--max-tools', '2']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('build failed: 4 operations selected, more than maxTools (2)');
    expect(r.stderr).toMatch(/tag:items/);
  });

  it('exits 1 when tools/list is over the token budget', async () => {
    const r = await run(['openapi', 'inspect', SPEC, '--max-tokens', '20']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/over maxTokens \(20\)/);
  });
});

describe('openapi errors', () => {
  it('a missing spec file: exit 1, says which file', async () => {
    const r = await run(['openapi', `${ROOT}test/fixtures/no-such-spec.yaml`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot load the spec');
    expect(r.stderr).toContain('no-such-spec.yaml: file not found');
    expect(r.stdout).toBe('');
  });

  it('too many tools when serving: exit 1 before anything is served', async () => {
    const r = await run(serveArgs(['--max-tools', '1']).slice(1));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('more than maxTools (1)');
    expect(r.stdout).toBe('');
  });

  it('refuses a literal secret on the command line without echoing it: exit 2', async () => {
    const r = await run(['openapi', SPEC, '--auth', 'apiKey=plain-secret-value-123']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refusing a secret on the command line');
    expect(r.stderr).toContain('--auth apiKey=env:VAR');
    expect(r.stderr).not.toContain('plain-secret-value-123');
  });

  it('names the missing environment variable and the known schemes: exit 2', async () => {
    const missing = await run(['openapi', SPEC, '--auth', 'apiKey=env:SWITCHBOARD_TEST_UNSET']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('SWITCHBOARD_TEST_UNSET is not set');
    const unknown = await run(['openapi', SPEC, '--auth', 'oauth=env:INVENTORY_KEY']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no security scheme "oauth" (its securitySchemes: apiKey)');
  });

  it('bad flag values: exit 2', async () => {
    for (const [args, message] of [
      [['--base-url', 'not a url'], '--base-url "not a url" is not a URL'],
      [['--base-url', 'http://api.example.com'], 'pass --allow-http'],
      [['--timeout', 'soon'], '--timeout'],
      [['--max-tools', '0'], '--max-tools'],
      [['--name-budget', '100'], '--name-budget: expected a whole number from 8 to 64'],
      [['--header', 'no-colon'], 'expected "Name: value"'],
      [['--serve', 'carrier-pigeon'], 'Invalid values'],
    ] as const) {
      const r = await run(['openapi', SPEC, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });
});

/** Raw newline-delimited JSON-RPC over the CLI's stdio: to see pages and cursors exactly as a client receives them. */
async function rawStdio(args: string[], extraEnv: Record<string, string> = {}) {
  const p = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: env(extraEnv), stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  spawned.add(p);
  const stderr = collect(p.stderr);
  const waiting = new Map<number, (message: Record<string, unknown>) => void>();
  let buffered = '';
  p.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (!line.trim()) continue;
      const message = JSON.parse(line) as Record<string, unknown>;
      waiting.get(message.id as number)?.(message);
    }
  });
  let next = 1;
  const request = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => reject(new Error(`${method} unanswered in 20s:\n${stderr()}`)), 20_000);
      waiting.set(id, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      p.stdin!.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
    });
  await request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } });
  p.stdin!.write(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) + '\n');
  const close = async () => {
    const exited = new Promise((r) => p.once('exit', r));
    p.stdin!.end();
    const timer = setTimeout(() => killGroup(p.pid), 10_000);
    await exited;
    clearTimeout(timer);
    spawned.delete(p);
  };
  return { request, stderr, close };
}

describe('openapi catalogs, cache and pagination', () => {
  it('build writes a catalog; --catalog serves exactly those tools, without the spec', async () => {
    const out = join(CONFIG_DIR, 'tools.json');
    const built = await run(['openapi', 'build', SPEC, 'tag:items', '--exclude', 'method:DELETE', '-o', out]);
    expect(built.code, built.stderr).toBe(0);
    expect(built.stderr).toContain('3 tools from 4 operations');
    const catalog = JSON.parse(readFileSync(out, 'utf8')) as { format: string; table: { tools: { name: string }[] } };
    expect(catalog.format).toBe('switchboard-openapi-catalog');
    expect(catalog.table.tools.map((t) => t.name).sort()).toEqual(['createItem', 'getItem', 'listItems']);

    const transport = new StdioV2({ command: process.execPath, args: [CLI, 'openapi', '--catalog', out, '--base-url', apiBase, '--allow-private', '--auth', 'apiKey=env:INVENTORY_KEY'], env: env(), cwd: ROOT, stderr: 'pipe' });
    const stderr = collect(transport.stderr as NodeJS.ReadableStream);
    const client = new ClientV2({ name: 'catalog', version: '1.0.0' });
    await client.connect(transport);
    if (transport.pid) stdioPids.add(transport.pid);
    try {
      expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['createItem', 'getItem', 'listItems']);
      const listed = await client.callTool({ name: 'listItems', arguments: { q: 'from-catalog' } });
      expect(text(listed)).toContain('match:from-catalog');
      expect(recorded.at(-1)!.headers['x-api-key']).toBe(SECRET);
    } finally {
      await client.close();
    }
    expect(stderr()).toContain('"catalog":"catalog"');

    const both = await run(['openapi', SPEC, '--catalog', out]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('either a spec or --catalog');
    const foreign = await run(['openapi', '--catalog', SPEC]);
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toContain('not a compiled catalog');
  });

  it('the second start of an unchanged spec and selection is a cache hit; --no-cache compiles', async () => {
    const dir = mkdtempSync(join(CONFIG_DIR, 'cache-'));
    const start = async (extra: string[] = []) => {
      const raw = await rawStdio(['openapi', SPEC, '--base-url', apiBase, '--allow-private', 'tag:items', ...extra], { SWITCHBOARD_CONFIG_DIR: dir });
      const listed = (await raw.request('tools/list')).result as { tools: { name: string }[] };
      await raw.close();
      return { names: listed.tools.map((t) => t.name).sort(), stderr: raw.stderr() };
    };
    const first = await start();
    expect(first.stderr).toContain('"catalog":"miss"');
    expect(readdirSync(join(dir, 'openapi-cache')).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    const second = await start();
    expect(second.stderr).toContain('"catalog":"hit"');
    expect(second.names).toEqual(first.names);
    expect((await start(['--no-cache'])).stderr).toContain('"catalog":"off"');
  });

  it('tools/list is paged above the byte budget with cursors; a foreign cursor is refused with -32602', async () => {
    const raw = await rawStdio(['openapi', SPEC, '--base-url', apiBase, '--allow-private', '--page-bytes', '700', '--log-level', 'debug']);
    try {
      const names: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      for (; pages < 10; pages++) {
        const answer = (await raw.request('tools/list', cursor ? { cursor } : {})).result as { tools: { name: string }[]; nextCursor?: string };
        expect(Buffer.byteLength(JSON.stringify(answer.tools))).toBeLessThan(700 + 600);
        names.push(...answer.tools.map((t) => t.name));
        cursor = answer.nextCursor;
        if (!cursor) break;
      }
      expect(pages).toBeGreaterThanOrEqual(1);
      expect(names.sort()).toEqual(TOOLS);
      const bad = await raw.request('tools/list', { cursor: 'bm90LW91cnM6MQ' });
      expect((bad.error as { code: number }).code).toBe(-32602);
      expect(raw.stderr()).toMatch(/"pages":[2-9]/);
    } finally {
      await raw.close();
    }
  });
});

describe('openapi never lets a secret out (issue #10)', () => {
  // Every kind of credential the adapter handles, against an upstream that echoes everything it receives.
  const SECRETS = {
    SB_E2E_BEARER: 'e2e-bearer-7c1d9a',
    SB_E2E_BASIC: 'e2e-user:e2e-basic-pass-4b8e',
    SB_E2E_HEADER_KEY: 'e2e-header-key-2f6a',
    SB_E2E_QUERY_KEY: 'e2e-query-key-9d3c',
    SB_E2E_COOKIE_KEY: 'e2e-cookie-key-5e7b',
    SB_E2E_TENANT: 'e2e-default-header-1a4f',
  };
  const CLIENT_SECRET = 'e2e-client-secret-8c2d';
  const TOKEN = 'e2e-issued-token-6f0e';
  let echo: Server;
  let echoBase: string;
  let uploads: Server;
  let uploadsPort: number;
  const uploadsSeen: IncomingMessage['headers'][] = [];

  beforeAll(async () => {
    uploads = createServer((req, res) => {
      uploadsSeen.push(req.headers);
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ url: req.url, headers: req.headers }));
      });
    });
    await new Promise<void>((r) => uploads.listen(0, '127.0.0.1', r));
    uploadsPort = (uploads.address() as { port: number }).port;
    echo = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (req.url === '/oauth/token') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ access_token: TOKEN, expires_in: 3600 }));
          return;
        }
        const everything = JSON.stringify({ url: req.url, headers: req.headers, body });
        if (req.url?.startsWith('/api/blob')) {
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-echo': everything.slice(0, 4000) });
          res.end(Buffer.from(everything));
          return;
        }
        // Echoed in the body and reflected in a header, with a 2xx status: the case that used to leak.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(everything);
      });
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    echoBase = `http://127.0.0.1:${(echo.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => echo.close(() => r()));
    await new Promise<void>((r) => uploads.close(() => r()));
  });

  it('--auth-host grants a spec-declared host; without it that host never sees a credential', async () => {
    const port = new URL(echoBase).port;
    const start = async (extra: string[]) => {
      const raw = await rawStdio(
        ['openapi', `${ROOT}specs/secrets-echo-3.0.yaml`, '--server-var', `port=${port}`, '--server-var', `otherPort=${uploadsPort}`, '--allow-private',
          '--auth', 'bearer=env:SB_E2E_BEARER', '--auth', 'headerKey=env:SB_E2E_HEADER_KEY', '--auth', 'queryKey=env:SB_E2E_QUERY_KEY', '--auth', 'cookieKey=env:SB_E2E_COOKIE_KEY', ...extra],
        SECRETS,
      );
      const answer = (await raw.request('tools/call', { name: 'operationLevelHost', arguments: {} })).result as { isError?: boolean; content: { text: string }[] };
      await raw.close();
      return answer;
    };
    const refused = await start([]);
    expect(refused.isError).toBe(true);
    expect(refused.content[0]!.text).toContain(`--auth-host bearer=127.0.0.1:${uploadsPort}`);
    expect(uploadsSeen).toHaveLength(0);
    const granted = await start(['--auth-host', `127.0.0.1:${uploadsPort}`]);
    expect(granted.isError).toBeFalsy();
    expect(uploadsSeen).toHaveLength(1);
    expect(uploadsSeen[0]!.authorization).toBe(`Bearer ${SECRETS.SB_E2E_BEARER}`);
    expect(granted.content[0]!.text).toContain('Bearer [REDACTED]');
    expect(granted.content[0]!.text).not.toContain(SECRETS.SB_E2E_BEARER);
    for (const [flag, message] of [
      ['nosuch=127.0.0.1', 'no security scheme "nosuch"'],
      ['bearer=not a host', 'expected scheme=host or scheme=host:port'],
    ] as const) {
      const r = await run(['openapi', `${ROOT}specs/secrets-echo-3.0.yaml`, '--auth-host', flag]);
      expect(r.code, flag).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });

  it('no configured secret appears in any result, error or trace-level log line', async () => {
    const authFile = join(CONFIG_DIR, 'auth.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(authFile, JSON.stringify({ oauth: { clientId: 'e2e-client', clientSecret: CLIENT_SECRET, tokenUrl: `${echoBase}/oauth/token` } }));
    const port = new URL(echoBase).port;
    const transport = new StdioV2({
      command: process.execPath,
      args: [
        CLI, 'openapi', `${ROOT}specs/secrets-echo-3.0.yaml`, '--server-var', `port=${port}`, '--server-var', 'otherPort=9', '--allow-private', '--log-level', 'trace',
        '--auth', 'bearer=env:SB_E2E_BEARER', '--auth', 'basic=env:SB_E2E_BASIC', '--auth', 'headerKey=env:SB_E2E_HEADER_KEY',
        '--auth', 'queryKey=env:SB_E2E_QUERY_KEY', '--auth', 'cookieKey=env:SB_E2E_COOKIE_KEY', '--auth-file', authFile,
        '--header', 'X-Tenant: ${SB_E2E_TENANT}',
      ],
      env: env(SECRETS),
      cwd: ROOT,
      stderr: 'pipe',
    });
    const stderr = collect(transport.stderr as NodeJS.ReadableStream);
    const client = new ClientV2({ name: 'secrets', version: '1.0.0' });
    await client.connect(transport);
    if (transport.pid) stdioPids.add(transport.pid);
    const results: unknown[] = [];
    try {
      for (const name of ['echo', 'echoBasic', 'echoOAuth', 'getBlob', 'pathLevelHost', 'operationLevelHost']) {
        results.push(await client.callTool({ name, arguments: {} }));
      }
      results.push(await client.callTool({ name: 'echo', arguments: { nope: SECRETS.SB_E2E_BEARER.slice(0, 3) } }));
    } finally {
      await client.close();
    }
    // The calls did reach the API with credentials (so the check below is about scrubbing, not about not sending).
    expect(JSON.stringify(results[0])).toContain('Bearer [REDACTED]');
    expect(JSON.stringify(results[4])).toContain('--auth-host');
    const shown = JSON.stringify(results) + stderr();
    // Trace level logs every API request; the query credential in its URL is masked there too.
    expect(stderr()).toMatch(/"level":"trace".*"msg":"api request"/);
    expect(stderr()).toContain('api_key=REDACTED');
    const basicPass = SECRETS.SB_E2E_BASIC.split(':')[1]!;
    const forms = [...Object.values(SECRETS), basicPass, CLIENT_SECRET, TOKEN, Buffer.from(SECRETS.SB_E2E_BASIC).toString('base64')];
    for (const secret of forms) {
      expect(shown, secret).not.toContain(secret);
      expect(shown, secret).not.toContain(encodeURIComponent(secret));
    }
  });
});
