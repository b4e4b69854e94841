import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from './load.js';
import { resolveConfigSecrets, resolveReferences, serversWithUnresolved } from './secrets.js';

const dir = mkdtempSync(join(tmpdir(), 'sb-secrets-'));
writeFileSync(join(dir, 'token.txt'), 's3cret-from-file\n');
writeFileSync(join(dir, 'empty.txt'), '');
writeFileSync(join(dir, 'big.txt'), 'x'.repeat(70_000));
const env = { TOKEN: 'tok-123', EMPTY: '' };

describe('resolveReferences', () => {
  it.each([
    ['${env:TOKEN}', 'tok-123'],
    ['Bearer ${env:TOKEN}', 'Bearer tok-123'],
    ['${env:TOKEN}:${env:TOKEN}', 'tok-123:tok-123'],
    ['${file:token.txt}', 's3cret-from-file'],
    [`\${file:${join(dir, 'token.txt')}}`, 's3cret-from-file'],
    ['$${env:TOKEN}', '${env:TOKEN}'],
    ['no references', 'no references'],
    ['$notaref {env:X}', '$notaref {env:X}'],
    ['${TOKEN}', 'tok-123'],
    ['${TOKEN:-fallback}', 'tok-123'],
    ['${MISSING:-fallback}', 'fallback'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${MISSING:-}', ''],
    ['${MISSING:-a:b/c}', 'a:b/c'],
    ['$TOKEN', '$TOKEN'],
  ])('%s → %s', (input, output) => {
    const r = resolveReferences({ a: input }, 'x', { env, baseDir: dir });
    expect(r).toEqual({ value: { a: output }, unresolved: [] });
  });

  it.each([
    ['${env:MISSING}', /MISSING is not set/],
    ['${env:EMPTY}', /EMPTY is empty/],
    ['${env:1BAD}', /not an environment variable name/],
    ['${env:}', /not an environment variable name/],
    ['${file:missing.txt}', /cannot read .*missing\.txt \(ENOENT\)/],
    ['${file:empty.txt}', /is empty/],
    ['${file:big.txt}', /larger than/],
    ['${file:}', /names no file/],
    ['${input:token}', /unsupported reference/],
    ['${workspaceFolder:x}', /unsupported reference/],
    ['${MISSING}', /MISSING is not set/],
    ['${EMPTY}', /EMPTY is empty/],
    ['${1X}', /unsupported reference/],
  ])('reports %s with its path and leaves it in place', (input, reason) => {
    const r = resolveReferences({ list: ['ok', { deep: `pre ${input}` }] }, 'mcpServers.s', { env, baseDir: dir });
    expect(r.unresolved).toHaveLength(1);
    expect(r.unresolved[0]).toMatchObject({ path: 'mcpServers.s.list[1].deep', reference: input });
    expect(r.unresolved[0]!.reason).toMatch(reason);
    expect((r.value.list[1] as { deep: string }).deep).toBe(`pre ${input}`);
  });

  it('reports every unresolved reference, not the first', () => {
    const r = resolveReferences({ a: '${env:A1}', b: ['${env:B1}', '${env:TOKEN}${env:C1}'] }, 'p', { env, baseDir: dir });
    expect(r.unresolved.map((u) => `${u.path} ${u.reference}`)).toEqual(['p.a ${env:A1}', 'p.b[0] ${env:B1}', 'p.b[1] ${env:C1}']);
  });

  it('hands every resolved value to onSecret and never puts one in a reason', () => {
    const seen: string[] = [];
    const r = resolveReferences(['${env:TOKEN}', '${file:token.txt}', '${env:NOPE}'], '', { env, baseDir: dir, onSecret: (s) => seen.push(s) });
    expect(seen).toEqual(['tok-123', 's3cret-from-file']);
    expect(JSON.stringify(r.unresolved)).not.toContain('tok-123');
  });
});

describe('resolveConfigSecrets: URLs that come from a reference', () => {
  it.each([
    ['${U}', { U: 'https://x.test/mcp' }, undefined],
    ['${U:-https://d.test}', {}, undefined],
    ['${U}', { U: 'ftp://x' }, /not an http/],
    ['${U}/mcp', { U: 'nope' }, /not an http/],
    ['${U}', {}, /U is not set/],
  ])('%s with %j', (url, environment, problem) => {
    const { config } = parseConfig(JSON.stringify({ mcpServers: { r: { url } } }));
    const { unresolved } = resolveConfigSecrets(config, { env: environment });
    if (problem === undefined) expect(unresolved).toEqual([]);
    else expect(unresolved).toEqual([expect.objectContaining({ path: 'mcpServers.r.url', reason: expect.stringMatching(problem) })]);
  });
});

describe('resolveConfigSecrets', () => {
  const { config } = parseConfig(
    JSON.stringify({
      mcpServers: {
        gh: { command: 'gh-mcp', env: { GITHUB_TOKEN: '${env:TOKEN}' } },
        api: { url: 'https://x.test', headers: { Authorization: 'Bearer ${env:API_TOKEN}' } },
        pets: { openapi: { spec: '${env:SPEC_DIR}/pets.yaml' } },
      },
      gateway: { auth: { keys: '${env:KEYS}' }, redis: 'redis://:${file:token.txt}@r:6379' },
    }),
    { baseDir: dir },
  );

  it('resolves servers and gateway, reports misses with file paths, and leaves the input alone', () => {
    const { value, unresolved } = resolveConfigSecrets(config, { env: { ...env, SPEC_DIR: 'specs', KEYS: 'keys.json' } });
    expect(unresolved).toEqual([{ path: 'mcpServers.api.headers.Authorization', reference: '${env:API_TOKEN}', reason: 'environment variable API_TOKEN is not set' }]);
    expect(value.servers[0]).toMatchObject({ key: 'gh', prefix: 'gh', path: 'mcpServers.gh', env: { GITHUB_TOKEN: 'tok-123' } });
    expect(value.servers[2]).toMatchObject({ openapi: { spec: join(dir, 'specs/pets.yaml') } });
    expect(value.gateway.auth?.keys).toBe(join(dir, 'keys.json'));
    expect(value.gateway.redis?.url).toBe('redis://:s3cret-from-file@r:6379');
    expect(config.servers[0]).toMatchObject({ env: { GITHUB_TOKEN: '${env:TOKEN}' } });
    expect(serversWithUnresolved(config, unresolved)).toEqual(new Set(['api']));
  });
});
