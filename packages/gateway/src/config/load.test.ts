import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GatewayConfigError } from '../errors.js';
import { loadConfig, parseConfig } from './load.js';
import { resolveConfigSecrets } from './secrets.js';

function issuesOf(text: string): string[] {
  try {
    parseConfig(text, { source: 'gw.json', baseDir: '/etc/sb' });
  } catch (e) {
    expect(e).toBeInstanceOf(GatewayConfigError);
    expect((e as GatewayConfigError).code).toBe('SB_GATEWAY_CONFIG');
    return (e as GatewayConfigError).issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
  }
  throw new Error('expected the config to be refused');
}

const server = (body: object) => JSON.stringify({ mcpServers: { s: body } });
const gateway = (body: object) => JSON.stringify({ mcpServers: { s: { command: 'x' } }, gateway: body });

describe('parseConfig: files other clients wrote', () => {
  it('loads a Claude Desktop file unchanged', () => {
    const { config, warnings } = parseConfig(
      JSON.stringify({
        mcpServers: {
          filesystem: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] },
          github: { command: 'docker', args: ['run', '-i', 'ghcr.io/github/github-mcp-server'], env: { GITHUB_PERSONAL_ACCESS_TOKEN: '${env:GH}' } },
        },
      }),
    );
    expect(warnings).toEqual([]);
    expect(config.servers.map((s) => [s.key, s.kind, s.prefix])).toEqual([
      ['filesystem', 'stdio', 'filesystem'],
      ['github', 'stdio', 'github'],
    ]);
    expect(config.servers[1]).toMatchObject({ command: 'docker', isolation: 'shared', env: { GITHUB_PERSONAL_ACCESS_TOKEN: '${env:GH}' }, tools: { allow: ['*'], deny: [] } });
    expect(config.gateway).toMatchObject({ pinning: 'warn', nameBudget: 64, limits: { deadlineMs: 1000 }, listen: { host: '127.0.0.1', port: 8080, mcpPath: '/mcp' } });
    expect(config.gateway.auth).toBeUndefined();
  });

  it('accepts the empty prefix for one server (its names stay unprefixed)', () => {
    const { config, warnings } = parseConfig(JSON.stringify({ mcpServers: { fixture: { command: 'node', args: ['s.mjs'], prefix: '' }, other: { command: 'x' } } }));
    expect(warnings).toEqual([]);
    expect(config.servers.map((s) => [s.key, s.prefix])).toEqual([
      ['fixture', ''],
      ['other', 'other'],
    ]);
  });

  it('loads a VS Code mcp.json with comments, trailing commas, "servers", "type" and "inputs"', () => {
    const { config, warnings } = parseConfig(`{
      // VS Code writes this
      "inputs": [{ "type": "promptString", "id": "token" }],
      "servers": {
        "remote": { "type": "http", "url": "https://api.example.com/mcp", "headers": { "Authorization": "Bearer \${env:TOKEN}" }, },
        "legacy": { "type": "sse", "url": "https://old.example.com/sse" },
        "local": { "type": "stdio", "command": "node", "args": ["server.js"], "envFile": ".env" }, /* trailing */
      },
    }`);
    expect(config.servers.map((s) => [s.key, s.kind, s.kind === 'remote' ? s.transport : s.path])).toEqual([
      ['remote', 'remote', 'auto'],
      ['legacy', 'remote', 'sse'],
      ['local', 'stdio', 'servers.local'],
    ]);
    expect(warnings.map((w) => w.path)).toEqual(['inputs', 'servers.local.envFile']);
  });

  it('loads a Claude Code .mcp.json with ${VAR} and ${VAR:-default}', () => {
    const { config } = parseConfig(
      JSON.stringify({ mcpServers: { stitch: { type: 'http', url: '${BASE:-https://stitch.example.com}/mcp', headers: { 'X-Goog-Api-Key': '${STITCH_API_KEY}' } } } }),
    );
    const { value, unresolved } = resolveConfigSecrets(config, { env: { STITCH_API_KEY: 'k' } });
    expect(unresolved).toEqual([]);
    expect(value.servers[0]).toMatchObject({ kind: 'remote', transport: 'auto', url: 'https://stitch.example.com/mcp', headers: { 'X-Goog-Api-Key': 'k' } });
  });

  it('loads a Cline entry with its own keys (timeout in seconds, disabled, autoApprove)', () => {
    const { config } = parseConfig(server({ command: 'x', timeout: 60, disabled: true, autoApprove: ['a'] }));
    expect(config.servers[0]).toMatchObject({ timeoutMs: 60_000, disabled: true });
  });

  it('accepts a byte order mark', () => {
    expect(parseConfig('\uFEFF' + server({ command: 'x' })).config.servers).toHaveLength(1);
  });
});

describe('parseConfig: the gateway superset', () => {
  it('normalises every per-server field', () => {
    const { config } = parseConfig(
      JSON.stringify({
        mcpServers: {
          'my server': { url: 'https://x.test/mcp', transport: 'sse', headers: { 'X-Key': '${env:K}' }, rename: { search: 'find' }, tools: { deny: ['delete_*'] }, timeout: '2s' },
          petstore: { openapi: { spec: 'specs/pets.yaml', include: ['tag:pets'], baseUrl: 'https://pets.test', auth: { api_key: '${env:PETS}' }, authFile: 'auth.json', timeout: '10s', maxResponseBytes: '1mb' }, prefix: 'pets' },
          remoteSpec: { openapi: { spec: 'https://x.test/openapi.json' } },
          fs: { command: 'fs-server', isolation: 'per-client', cwd: '/srv' },
        },
      }),
      { baseDir: '/etc/sb' },
    );
    const [remote, pets, remoteSpec, fs] = config.servers;
    expect(remote).toMatchObject({ kind: 'remote', prefix: 'my_server', transport: 'sse', timeoutMs: 2000, rename: { search: 'find' }, tools: { allow: ['*'], deny: ['delete_*'] } });
    expect(pets).toMatchObject({ kind: 'openapi', prefix: 'pets', openapi: { spec: '/etc/sb/specs/pets.yaml', authFile: '/etc/sb/auth.json', timeout: 10_000, maxResponseBytes: 1024 * 1024 } });
    expect(remoteSpec).toMatchObject({ openapi: { spec: 'https://x.test/openapi.json' } });
    expect(fs).toMatchObject({ kind: 'stdio', isolation: 'per-client', cwd: '/srv' });
  });

  it('normalises the gateway block with defaults and absolute paths', () => {
    const { config } = parseConfig(
      gateway({
        listen: { port: 9000, host: '0.0.0.0' },
        auth: { keys: 'keys.json', jwt: { issuer: 'https://idp.test', audience: 'sb', jwksUrl: 'https://idp.test/jwks', scopes: { 'gh:read': { allow: ['github.get_*'] } } } },
        limits: { deadline: '500ms', rateLimit: { calls: 10, per: '1m' }, toolRateLimits: { 'github.*': { calls: 1, per: 1, burst: 3 } } },
        audit: { path: 'logs/audit.jsonl', maxBytes: '1mb' },
        redis: 'redis://localhost:6379',
        pinning: 'enforce',
        nameBudget: 40,
        constraints: { fs__write_file: { path: { prefix: '/srv/data/' } } },
      }),
      { baseDir: '/etc/sb' },
    );
    expect(config.gateway).toMatchObject({
      listen: { port: 9000, host: '0.0.0.0', ssePath: '/sse' },
      auth: { keys: '/etc/sb/keys.json', jwt: { audience: ['sb'], scopes: { 'gh:read': { allow: ['github.get_*'], deny: [] } } } },
      limits: { deadlineMs: 500, maxProcesses: 32, rateLimit: { calls: 10, per: 60_000 }, toolRateLimits: [{ tools: 'github.*', rule: { calls: 1, per: 1000, burst: 3 } }] },
      audit: { path: '/etc/sb/logs/audit.jsonl', maxBytes: 1024 * 1024, keep: 5 },
      redis: { url: 'redis://localhost:6379' },
      pinning: 'enforce',
      nameBudget: 40,
    });
  });

  it('warns about a dotted server key (globs become ambiguous) and no servers', () => {
    expect(parseConfig(server({ command: 'x' }).replace('"s"', '"a.b"')).warnings[0]!.message).toMatch(/globs/);
    expect(parseConfig('{}').warnings[0]!.path).toBe('mcpServers');
  });

  it('warns when a prefix leaves no room for shortened names under the budget', () => {
    const { warnings } = parseConfig(JSON.stringify({ mcpServers: { s: { command: 'x', prefix: 'p'.repeat(10) } }, gateway: { nameBudget: 20 } }));
    expect(warnings).toEqual([{ path: 'mcpServers.s', message: expect.stringMatching(/too long for nameBudget 20/) }]);
    expect(parseConfig(JSON.stringify({ mcpServers: { s: { command: 'x', prefix: 'p'.repeat(6) } }, gateway: { nameBudget: 20 } })).warnings).toEqual([]);
  });

  it('loads from a file, resolving paths against its directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-gw-'));
    writeFileSync(join(dir, 'gw.jsonc'), '{ "mcpServers": { "s": { "command": "x" } }, "gateway": { "audit": { "path": "a.jsonl" } } }');
    const { config } = await loadConfig(join(dir, 'gw.jsonc'));
    expect(config.gateway.audit?.path).toBe(join(dir, 'a.jsonl'));
    expect(config.source).toBe(join(dir, 'gw.jsonc'));
    await expect(loadConfig(join(dir, 'missing.json'))).rejects.toThrow(/cannot read the file \(ENOENT\)/);
  });
});

describe('parseConfig: bad files, every issue named by its path', () => {
  it.each([
    ['not JSON', '{ "mcpServers": ', /expected a value, found end of file at line 1/],
    ['empty', '', /empty/],
    ['an array', '[]', /must hold a JSON object/],
    ['a string', '"x"', /must hold a JSON object/],
    ['duplicate server', '{ "mcpServers": { "a": { "command": "x" }, "a": { "command": "y" } } }', /property "a" appears twice at line 1/],
    ['__proto__ key', '{ "mcpServers": { "__proto__": { "command": "x" } } }', /"__proto__" is not allowed/],
    ['unknown top key', '{ "mcpServer": {} }', /^mcpServer: unknown key; did you mean "mcpServers"\?/],
    ['both roots', '{ "mcpServers": {}, "servers": {} }', /^servers: use either/],
    ['empty key', server({ command: 'x' }).replace('"s"', '""'), /may not be empty/],
    ['nothing to run', server({ args: [] }), /^mcpServers\.s: needs one of "command"/],
    ['command and url', server({ command: 'x', url: 'https://x' }), /^mcpServers\.s: has "command" and "url"/],
    ['empty command', server({ command: '' }), /^mcpServers\.s\.command: must not be empty/],
    ['args not array', server({ command: 'x', args: 'a b' }), /^mcpServers\.s\.args: .*expected array/],
    ['env not strings', server({ command: 'x', env: { A: 1 } }), /^mcpServers\.s\.env\.A: .*expected string/],
    ['ftp url', server({ url: 'ftp://x' }), /^mcpServers\.s\.url: must be an http/],
    ['not a url', server({ url: 'x y' }), /^mcpServers\.s\.url: must be an http/],
    ['bad transport', server({ url: 'https://x', transport: 'websocket' }), /^mcpServers\.s\.transport: /],
    ['type vs command', server({ type: 'http', command: 'x' }), /^mcpServers\.s\.type: "http" does not match/],
    ['type vs transport', server({ type: 'sse', url: 'https://x', transport: 'streamable-http' }), /^mcpServers\.s\.transport: "streamable-http" contradicts/],
    ['bad header name', server({ url: 'https://x', headers: { 'Bad Header': 'v' } }), /^mcpServers\.s\.headers\["Bad Header"\]: is not a valid HTTP header name/],
    ['header line break', server({ url: 'https://x', headers: { A: 'v\r\nB: w' } }), /^mcpServers\.s\.headers\.A: header values may not contain line breaks/],
    ['isolation on remote', server({ url: 'https://x', isolation: 'per-client' }), /^mcpServers\.s\.isolation: applies to stdio servers/],
    ['env on remote', server({ url: 'https://x', env: {} }), /^mcpServers\.s\.env: applies to stdio servers/],
    ['headers on stdio', server({ command: 'x', headers: {} }), /^mcpServers\.s\.headers: applies to remote servers/],
    ['bad isolation', server({ command: 'x', isolation: 'private' }), /^mcpServers\.s\.isolation: /],
    ['bad prefix', server({ command: 'x', prefix: 'a.b' }), /^mcpServers\.s\.prefix: must be 0-32 characters/],
    ['long prefix', server({ command: 'x', prefix: 'p'.repeat(33) }), /^mcpServers\.s\.prefix: must be 0-32/],
    ['long key without prefix', server({ command: 'x' }).replace('"s"', `"${'k'.repeat(40)}"`), /set a shorter "prefix"/],
    ['rename target with dot', server({ command: 'x', rename: { a: 'b.c' } }), /^mcpServers\.s\.rename\.a: must be 1-64 characters/],
    ['tools typo', server({ command: 'x', tools: { alow: ['*'] } }), /^mcpServers\.s\.tools\.alow: unknown key; did you mean "allow"\?/],
    ['empty glob', server({ command: 'x', tools: { allow: [''] } }), /^mcpServers\.s\.tools\.allow\[0\]: must not be empty/],
    ['bad timeout', server({ command: 'x', timeout: 'soon' }), /^mcpServers\.s\.timeout: "soon" is not a duration/],
    ['zero timeout', server({ command: 'x', timeout: 0 }), /^mcpServers\.s\.timeout: must be longer than 0/],
    ['disabled not bool', server({ command: 'x', disabled: 'yes' }), /^mcpServers\.s\.disabled: /],
    ['server typo', server({ comand: 'x' }), /^mcpServers\.s\.comand: unknown key; did you mean "command"\?/],
    ['openapi without spec', server({ openapi: {} }), /^mcpServers\.s\.openapi\.spec: /],
    ['openapi typo', server({ openapi: { spec: 'a', baseURL: 'https://x' } }), /^mcpServers\.s\.openapi\.baseURL: unknown key; did you mean "baseUrl"\?/],
    ['openapi retries', server({ openapi: { spec: 'a', retries: 50 } }), /^mcpServers\.s\.openapi\.retries: /],
    ['openapi auth shape', server({ openapi: { spec: 'a', auth: { k: { user: 'x' } } } }), /^mcpServers\.s\.openapi\.auth\.k: /],
    ['two empty prefixes', JSON.stringify({ mcpServers: { a: { command: 'x', prefix: '' }, b: { command: 'y', prefix: '' } } }), /^mcpServers\.b\.prefix: the empty prefix is already used by a/],
    ['duplicate prefix', JSON.stringify({ mcpServers: { a: { command: 'x', prefix: 'Git' }, b: { command: 'y', prefix: 'git' } } }), /^mcpServers\.b\.prefix: prefix "git" is already used by a/],
    ['duplicate default prefix', JSON.stringify({ mcpServers: { 'a.b': { command: 'x' }, a_b: { command: 'y' } } }), /^mcpServers\.a_b: prefix "a_b" is already used/],
    ['gateway typo', gateway({ listn: {} }), /^gateway\.listn: unknown key; did you mean "listen"\?/],
    ['port', gateway({ listen: { port: 70000 } }), /^gateway\.listen\.port: /],
    ['path', gateway({ listen: { mcpPath: 'mcp' } }), /^gateway\.listen\.mcpPath: must start with \//],
    ['empty auth', gateway({ auth: {} }), /^gateway\.auth: name a "keys" file/],
    ['jwt missing fields', gateway({ auth: { jwt: { issuer: 'https://i' } } }), /^gateway\.auth\.jwt\.audience: /],
    ['jwt bad url', gateway({ auth: { jwt: { issuer: 'i', audience: 'a', jwksUrl: 'https://j', scopes: {} } } }), /^gateway\.auth\.jwt\.issuer: must be an http/],
    ['jwt scope typo', gateway({ auth: { jwt: { issuer: 'https://i', audience: [], jwksUrl: 'https://j', scopes: {} } } }), /^gateway\.auth\.jwt\.audience: /],
    ['jwt scope rules', gateway({ auth: { jwt: { issuer: 'https://i', audience: 'a', jwksUrl: 'https://j', scopes: { s: { allow: 'x' } } } } }), /^gateway\.auth\.jwt\.scopes\.s\.allow: /],
    ['rate calls', gateway({ limits: { rateLimit: { calls: 0, per: '1s' } } }), /^gateway\.limits\.rateLimit\.calls: must be at least 1/],
    ['rate per', gateway({ limits: { rateLimit: { calls: 1, per: 0 } } }), /^gateway\.limits\.rateLimit\.per: must be longer than 0/],
    ['rate typo', gateway({ limits: { rateLimit: { calls: 1, per: 1, brust: 2 } } }), /^gateway\.limits\.rateLimit\.brust: unknown key; did you mean "burst"\?/],
    ['processes', gateway({ limits: { maxProcessesPerServer: 10, maxProcesses: 5 } }), /^gateway\.limits\.maxProcessesPerServer: \(10\) is more than/],
    ['audit size', gateway({ audit: { path: 'a', maxBytes: '1' } }), /^gateway\.audit\.maxBytes: must be at least 1kb/],
    ['audit keep', gateway({ audit: { path: 'a', keep: -1 } }), /^gateway\.audit\.keep: /],
    ['redis scheme', gateway({ redis: 'http://r' }), /^gateway\.redis: must be a redis:\/\//],
    ['pinning', gateway({ pinning: 'strict' }), /^gateway\.pinning: /],
    ['budget', gateway({ nameBudget: 10 }), /^gateway\.nameBudget: /],
    ['constraint name', gateway({ constraints: { 'fs.write': {} } }), /^gateway\.constraints\["fs\.write"\]: must be 1-64/],
    ['constraint relative prefix', gateway({ constraints: { t: { path: { prefix: 'srv/' } } } }), /^gateway\.constraints\.t\.path\.prefix: must be an absolute path/],
    ['constraint regex', gateway({ constraints: { t: { a: { pattern: '(' } } } }), /^gateway\.constraints\.t\.a\.pattern: is not a valid regular expression/],
    ['constraint min>max', gateway({ constraints: { t: { a: { min: 5, max: 1 } } } }), /^gateway\.constraints\.t\.a: min is greater than max/],
    ['constraint typo', gateway({ constraints: { t: { a: { maxlength: 5 } } } }), /^gateway\.constraints\.t\.a\.maxlength: unknown key; did you mean "maxLength"\?/],
    ['callerHeaders on stdio', server({ command: 'x', callerHeaders: { alice: { A: 'b' } } }), /^mcpServers\.s\.callerHeaders: applies to remote servers/],
    ['callerHeaders bad header', server({ url: 'https://x', callerHeaders: { alice: { 'Bad Header': 'b' } } }), /^mcpServers\.s\.callerHeaders\.alice\["Bad Header"\]: is not a valid HTTP header name/],
    ['callerHeaders not headers', server({ url: 'https://x', callerHeaders: { alice: 'Bearer x' } }), /^mcpServers\.s\.callerHeaders\.alice: /],
    ['constraint empty enum', gateway({ constraints: { t: { a: { enum: [] } } } }), /^gateway\.constraints\.t\.a\.enum: must list at least one value/],
  ])('%s', (_, text, expected) => {
    const issues = issuesOf(text);
    expect(issues.some((i) => expected.test(i)), issues.join('\n')).toBe(true);
  });

  it('lists every issue at once', () => {
    const issues = issuesOf(JSON.stringify({ mcpServers: { a: { command: '' }, b: { url: 'nope' } }, gateway: { pinning: 'x' } }));
    expect(issues.length).toBeGreaterThanOrEqual(3);
  });

  it('reads per-caller headers of a remote server, references and all', () => {
    const { config } = parseConfig(server({ url: 'https://x/mcp', headers: { 'X-Team': 'a' }, callerHeaders: { alice: { Authorization: 'Bearer ${env:ALICE_TOKEN}' } } }));
    expect(config.servers[0]).toMatchObject({ kind: 'remote', headers: { 'X-Team': 'a' }, callerHeaders: { alice: { Authorization: 'Bearer ${env:ALICE_TOKEN}' } } });
    expect(parseConfig(server({ url: 'https://x/mcp' })).config.servers[0]).toMatchObject({ callerHeaders: {} });
  });

  it('accepts a reference where a URL is expected', () => {
    expect(parseConfig(server({ url: 'https://${env:HOST}/mcp' })).config.servers[0]).toMatchObject({ url: 'https://${env:HOST}/mcp' });
  });
});
