/**
 * The published artifact, installed the way users install it: `pnpm pack` of packages/cli, `npm install -g` of the
 * tarball into an empty directory with --offline (so it must carry every dependency inside it), then the installed
 * `switchboard` run from a directory with nothing of this checkout around it — `--version`, a bridge, `connect` and
 * an `openapi` server, each driven by the SDK's real Client. `npx -y <name>` is run against a registry on 127.0.0.1
 * that holds only this one package.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { DEMO, EVERYTHING, ROOT } from './helpers/bridge.js';
import { installGlobal, packCli, run, startListening, startRegistry, tempDir, userEnv, type Listening, type Packed } from './helpers/packed.js';

let packed: Packed;
let dir: string; // the user's empty working directory
let bin: string; // the installed `switchboard`
let env: Record<string, string>;
const running: Listening[] = [];
let api: Server;
let apiBase: string;

beforeAll(async () => {
  packed = packCli();
  dir = tempDir('install');
  bin = installGlobal(packed, dir);
  env = userEnv(join(dir, 'home'), { PATH: `${join(dir, 'prefix', 'bin')}:${process.env.PATH}`, INVENTORY_KEY: 'inv-key-3f9c2a7d51e84b06' });
  api = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    res.writeHead(url.pathname === '/v2/items' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(url.pathname === '/v2/items' ? [{ id: 7, name: `q=${url.searchParams.get('q')} key=${req.headers['x-api-key'] === 'inv-key-3f9c2a7d51e84b06'}` }] : { error: 'no' }));
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  apiBase = `http://127.0.0.1:${(api.address() as { port: number }).port}/v2`;
}, 300_000);

afterAll(async () => {
  await Promise.all(running.map((r) => r.stop()));
  await new Promise<void>((r) => api?.close(() => r()));
});

async function client(transport: Parameters<Client["connect"]>[0]): Promise<Client> {
  const c = new Client({ name: 'install-test', version: '1.0.0' });
  await c.connect(transport);
  return c;
}

describe('the packed artifact', () => {
  it('is self-contained: a bin, no runtime dependencies, licences of what it bundles', () => {
    expect(packed.manifest.bin).toEqual({ switchboard: expect.stringMatching(/^\.\/dist\/bundle\//) });
    expect(packed.manifest.dependencies ?? {}).toEqual({});
    expect(JSON.stringify(packed.manifest)).not.toContain('workspace:');
    const installed = realpathSync(bin);
    const pkgDir = join(installed, '..', '..', '..');
    expect(existsSync(join(pkgDir, 'node_modules'))).toBe(false);
    expect(readFileSync(join(pkgDir, 'dist', 'bundle', 'THIRD_PARTY_LICENSES.md'), 'utf8')).toContain('## yargs@');
    expect(packed.manifest.license).toBe('MIT');
    expect(readFileSync(join(pkgDir, 'dist', 'bundle', 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
  });

  it('`switchboard --version` prints the packed version; --help names the commands', () => {
    const v = spawnSync(bin, ['--version'], { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toBe(packed.version);
    const h = spawnSync('switchboard', ['--help'], { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
    expect(h.status).toBe(0);
    for (const c of ['bridge', 'connect', 'openapi']) expect(h.stdout).toContain(`switchboard ${c}`);
  });

  it('bridges server-everything over Streamable HTTP and SSE, from the user directory', async () => {
    const bridge = await startListening('switchboard', ['bridge', '--port', '0', '--', process.execPath, EVERYTHING], { cwd: dir, env });
    running.push(bridge);
    const c = await client(new StreamableHTTPClientTransport(new URL(bridge.url)));
    const tools = await c.listTools();
    expect(tools.tools.map((t) => t.name)).toContain('echo');
    const r = (await c.callTool({ name: 'echo', arguments: { message: 'installed' } })) as { content: { text: string }[] };
    expect(r.content[0]!.text).toContain('installed');
    await c.close();
    const sse = await client(new SSEClientTransport(new URL(bridge.url.replace(/\/mcp$/, '/sse'))));
    expect((await sse.listTools()).tools.length).toBe(tools.tools.length);
    await sse.close();
    await bridge.stop();
  });

  it('runs a child given by a relative path from the directory the user is in (not the package)', async () => {
    copyFileSync(DEMO, join(dir, 'my-server.mjs'));
    const bridge = await startListening('switchboard', ['bridge', '--port', '0', '--', 'node', './my-server.mjs'], { cwd: dir, env });
    running.push(bridge);
    const c = await client(new StreamableHTTPClientTransport(new URL(bridge.url)));
    expect((await c.listTools()).tools.length).toBeGreaterThan(0);
    await c.close();
    await bridge.stop();
  });

  it('the built-in demo works from the installed package', async () => {
    const bridge = await startListening(bin, ['bridge', '--demo', '--port', '0'], { cwd: dir, env });
    running.push(bridge);
    const c = await client(new StreamableHTTPClientTransport(new URL(bridge.url)));
    expect((await c.listTools()).tools.length).toBeGreaterThan(0);
    await c.close();
    await bridge.stop();
  });

  it('`switchboard connect` reaches a bridge for a stdio client', async () => {
    const bridge = await startListening(bin, ['bridge', '--port', '0', '--', process.execPath, EVERYTHING], { cwd: dir, env });
    running.push(bridge);
    const c = await client(new StdioClientTransport({ command: bin, args: ['connect', bridge.url, '--log-level', 'warn'], cwd: dir, env, stderr: 'pipe' }));
    const r = (await c.callTool({ name: 'echo', arguments: { message: 'via connect' } })) as { content: { text: string }[] };
    expect(r.content[0]!.text).toContain('via connect');
    await c.close();
    await bridge.stop();
  });

  it('serves an OpenAPI spec over stdio and calls the API', async () => {
    writeFileSync(join(dir, 'inventory.yaml'), readFileSync(join(ROOT, 'test/fixtures/openapi-inventory.yaml')));
    const c = await client(
      new StdioClientTransport({
        command: bin,
        args: ['openapi', 'inventory.yaml', '--base-url', apiBase, '--allow-private', '--auth', 'apiKey=env:INVENTORY_KEY', '--log-level', 'warn'],
        cwd: dir,
        env,
        stderr: 'pipe',
      }),
    );
    expect((await c.listTools()).tools.map((t) => t.name).sort()).toEqual(['createItem', 'deleteItem', 'getItem', 'listItems']);
    const r = (await c.callTool({ name: 'listItems', arguments: { q: 'bolt' } })) as { content: { text: string }[] };
    expect(r.content[0]!.text).toContain('q=bolt key=true');
    await c.close();
  });

  it('serves an OpenAPI spec over HTTP', async () => {
    const server = await startListening(bin, ['openapi', join(ROOT, 'test/fixtures/openapi-inventory.yaml'), '--serve', 'http', '--port', '0', '--base-url', apiBase, '--allow-private', '--auth', 'apiKey=env:INVENTORY_KEY'], { cwd: dir, env });
    running.push(server);
    const c = await client(new StreamableHTTPClientTransport(new URL(server.url)));
    const r = (await c.callTool({ name: 'listItems', arguments: { q: 'nut' } })) as { content: { text: string }[] };
    expect(r.content[0]!.text).toContain('q=nut key=true');
    await c.close();
    await server.stop();
  });

  it('`npx -y <name>` downloads it from a registry (only this package there) and runs a bridge', async () => {
    const registry = await startRegistry(packed);
    try {
      const npxHome = join(dir, 'npx-home');
      const npxEnv = userEnv(npxHome, { npm_config_registry: registry.url });
      const v = await run('npx', ['-y', packed.name, '--version'], { cwd: tempDir('npx-cwd'), env: npxEnv });
      expect(v.status, v.stderr).toBe(0);
      expect(v.stdout.trim()).toBe(packed.version);
      expect(registry.requests.some((r) => r.endsWith('.tgz'))).toBe(true);
      const bridge = await startListening('npx', ['-y', packed.name, 'bridge', '--port', '0', '--', process.execPath, EVERYTHING], { cwd: dir, env: npxEnv });
      running.push(bridge);
      const c = await client(new StreamableHTTPClientTransport(new URL(bridge.url)));
      expect((await c.listTools()).tools.map((t) => t.name)).toContain('echo');
      await c.close();
      await bridge.stop();
    } finally {
      await registry.close();
    }
  });
});
