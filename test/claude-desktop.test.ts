/**
 * Claude Desktop's real config format. The README's `mcpServers` snippets are parsed and exactly their `command` and
 * `args` are spawned — the way the host does it, from an empty HOME, with the SDK's stdio client — with `npx` fetching
 * the packed package from a one-package registry on 127.0.0.1. `--print-config` output (connect, openapi, bridge,
 * and from npx's cache) is spawned the same way, from `/` with a bare PATH, to prove its paths are absolute.
 */
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { isAbsolute, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { EVERYTHING, ROOT } from './helpers/bridge.js';
import { readmeSnippet } from './helpers/proxies.js';
import { installGlobal, packCli, run, startListening, startRegistry, tempDir, userEnv, type Listening, type Packed, type Registry } from './helpers/packed.js';

interface Entry {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

const API_KEY = 'desktop-key-8c1f0e9a7b3d';
const BARE_PATH = '/usr/local/bin:/usr/bin:/bin';
let packed: Packed;
let registry: Registry;
let dir: string;
let bin: string;
let bridge: Listening; // server-everything behind an API key
let openBridge: Listening; // and without one
let api: Server;
let apiBase: string;

beforeAll(async () => {
  packed = packCli();
  registry = await startRegistry(packed);
  dir = tempDir('desktop');
  bin = installGlobal(packed, dir);
  writeFileSync(join(dir, 'keys.txt'), `${API_KEY}\n`);
  bridge = await startListening(bin, ['bridge', '--port', '0', '--api-key-file', join(dir, 'keys.txt'), '--', process.execPath, EVERYTHING], { cwd: dir, env: userEnv(join(dir, 'home')) });
  openBridge = await startListening(bin, ['bridge', '--port', '0', '--', process.execPath, EVERYTHING], { cwd: dir, env: userEnv(join(dir, 'home')) });
  api = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify([{ id: 1, name: `key ok: ${req.headers['x-api-key'] === 'inv-9d2b7c41e6f0'}` }]));
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  apiBase = `http://127.0.0.1:${(api.address() as { port: number }).port}/v2`;
}, 300_000);

afterAll(async () => {
  await bridge?.stop();
  await openBridge?.stop();
  await registry?.close();
  await new Promise<void>((r) => api?.close(() => r()));
});

function onlyServer(config: string): Entry {
  const servers = (JSON.parse(config) as { mcpServers: Record<string, Entry> }).mcpServers;
  const entries = Object.values(servers);
  expect(entries).toHaveLength(1);
  return entries[0]!;
}

/** Starts the entry as the host does (command, args, env from the entry) and returns a connected client. */
async function spawnEntry(entry: Entry, env: Record<string, string>, cwd: string): Promise<Client> {
  const client = new Client({ name: 'claude-desktop-test', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: entry.command, args: entry.args, env: { ...env, ...entry.env }, cwd, stderr: 'pipe' }));
  return client;
}

async function echo(client: Client, message: string): Promise<string> {
  const r = (await client.callTool({ name: 'echo', arguments: { message } })) as { content: { text: string }[] };
  return r.content[0]!.text;
}

describe('the README snippets, as written', () => {
  it('connect: npx -y <package> connect <url>', async () => {
    const entry = onlyServer(readmeSnippet('claude-desktop'));
    expect(entry.command).toBe('npx');
    expect(entry.args.slice(0, 3)).toEqual(['-y', packed.name, 'connect']);
    // The only change: the example URL becomes our server's (an open bridge: this entry sends no key).
    const args = entry.args.map((a) => (a === 'https://example.com/mcp' ? openBridge.url : a));
    const env = userEnv(tempDir('desktop-home'), { npm_config_registry: registry.url });
    const client = await spawnEntry({ command: entry.command, args }, env, tempDir('desktop-cwd'));
    expect(await echo(client, 'from the README')).toContain('from the README');
    await client.close();
    expect(registry.requests.some((r) => r.endsWith('.tgz'))).toBe(true); // npx really fetched the package
  });

  it('connect with a header whose ${VAR} comes from the entry env', async () => {
    const entry = onlyServer(readmeSnippet('claude-desktop-header'));
    expect(entry.env).toHaveProperty('EXAMPLE_TOKEN');
    const args = entry.args.map((a) => (a === 'https://example.com/mcp' ? bridge.url : a));
    const env = userEnv(tempDir('desktop-home'), { npm_config_registry: registry.url });
    const client = await spawnEntry({ command: entry.command, args, env: { EXAMPLE_TOKEN: API_KEY } }, env, tempDir('desktop-cwd'));
    expect(await echo(client, 'bearer from env')).toContain('bearer from env');
    await client.close();
  });
});

describe('--print-config', () => {
  const bare = () => userEnv(tempDir('desktop-home'), { PATH: BARE_PATH });

  it('connect: absolute node and script, runs from / with a bare PATH', async () => {
    const r = await run(bin, ['connect', bridge.url, '--header', 'X-API-Key: ${BRIDGE_KEY}', '--print-config'], { cwd: dir, env: userEnv(join(dir, 'home')) });
    expect(r.status, r.stderr).toBe(0);
    const entry = onlyServer(r.stdout);
    expect(isAbsolute(entry.command) && existsSync(entry.command)).toBe(true);
    expect(isAbsolute(entry.args[0]!) && existsSync(entry.args[0]!)).toBe(true);
    expect(entry.args.slice(1)).toEqual(['connect', bridge.url, '--header', 'X-API-Key: ${BRIDGE_KEY}']);
    expect(entry.env).toEqual({ BRIDGE_KEY: '<value of BRIDGE_KEY>' }); // a placeholder, never a value
    const client = await spawnEntry({ ...entry, env: { BRIDGE_KEY: API_KEY } }, bare(), '/');
    expect(await echo(client, 'printed')).toContain('printed');
    await client.close();
  });

  it('openapi: a relative spec path becomes absolute; the credential variable is listed, not its value', async () => {
    copyFileSync(join(ROOT, 'test/fixtures/openapi-inventory.yaml'), join(dir, 'inventory.yaml'));
    const flags = ['--base-url', apiBase, '--allow-private', '--auth', 'apiKey=env:INVENTORY_KEY'];
    const r = await run(bin, ['openapi', 'inventory.yaml', ...flags, '--print-config'], { cwd: dir, env: userEnv(join(dir, 'home'), { INVENTORY_KEY: 'inv-9d2b7c41e6f0' }) });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('inv-9d2b7c41e6f0');
    const entry = onlyServer(r.stdout);
    expect(Object.keys(JSON.parse(r.stdout).mcpServers)).toEqual(['inventory']);
    expect(entry.args.slice(1)).toEqual(['openapi', join(dir, 'inventory.yaml'), ...flags]);
    const client = await spawnEntry({ ...entry, env: { INVENTORY_KEY: 'inv-9d2b7c41e6f0' } }, bare(), '/');
    const listed = (await client.callTool({ name: 'listItems', arguments: {} })) as { content: { text: string }[] };
    expect(listed.content[0]!.text).toContain('key ok: true');
    await client.close();
  });

  it('bridge: the entry connects to the bridge those flags serve, with the API key from env', async () => {
    const r = await run(bin, ['bridge', '--port', String(new URL(bridge.url).port), '--api-key-file', join(dir, 'keys.txt'), '--print-config', '--', process.execPath, EVERYTHING], { cwd: dir, env: userEnv(join(dir, 'home')) });
    expect(r.status, r.stderr).toBe(0);
    const entry = onlyServer(r.stdout);
    expect(entry.args.slice(1)).toEqual(['connect', bridge.url, '--header', 'Authorization: Bearer ${SWITCHBOARD_API_KEY}']);
    expect(entry.env).toHaveProperty('SWITCHBOARD_API_KEY');
    expect(r.stdout).not.toContain(API_KEY);
    const client = await spawnEntry({ ...entry, env: { SWITCHBOARD_API_KEY: API_KEY } }, bare(), '/');
    expect(await echo(client, 'to the bridge')).toContain('to the bridge');
    await client.close();
  });

  it('from npx: names the package pinned to this version, with an absolute npx', async () => {
    const env = userEnv(tempDir('desktop-home'), { npm_config_registry: registry.url });
    const r = await run('npx', ['-y', packed.name, 'connect', bridge.url, '--print-config'], { cwd: tempDir('desktop-cwd'), env });
    expect(r.status, r.stderr).toBe(0);
    const entry = onlyServer(r.stdout);
    expect(isAbsolute(entry.command) && existsSync(entry.command)).toBe(true);
    expect(entry.args).toEqual(['-y', `${packed.name}@${packed.version}`, 'connect', bridge.url]);
    const client = await spawnEntry({ ...entry, args: [...entry.args, '--header', `X-API-Key: ${API_KEY}`] }, { ...env, PATH: BARE_PATH + ':' + join(entry.command, '..') }, '/');
    expect(await echo(client, 'npx entry')).toContain('npx entry');
    await client.close();
  });
});
