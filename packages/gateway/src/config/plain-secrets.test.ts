import { describe, expect, it } from 'vitest';
import { parseConfig } from './load.js';
import { detectPlainSecrets, looksLikeSecret } from './plain-secrets.js';

describe('looksLikeSecret', () => {
  it.each([
    ['GITHUB_TOKEN', 'ghp_' + 'a1B2'.repeat(9)],
    ['X', 'github_pat_' + 'A1b2_'.repeat(8)],
    ['OPENAI', 'sk-proj-' + 'Ab1'.repeat(10)],
    ['SLACK', 'xoxb-1234567890-abcdefghij'],
    ['AWS', 'AKIAIOSFODNN7EXAMPLE'],
    ['Authorization', 'Bearer abcdefghijklmnop'],
    ['API_KEY', 'hunter22'],
    ['X-Api-Key', 'plainvalue1'],
    ['SOMETHING', 'q8Zr3LmV0pXk2NwT7yBc5HdJ'],
    ['JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig'],
  ])('%s=%s looks like a secret', (name, value) => {
    expect(looksLikeSecret(name, value)).toBe(true);
  });

  it.each([
    ['DEBUG', 'true'],
    ['PORT', '8080'],
    ['HOME', '/home/user/some/long/path/here'],
    ['API_KEY', 'short'],
    ['TOKEN_FILE', '/run/secrets/token'],
    ['URL', 'https://example.com/some/long/path?with=query'],
    ['LOG_LEVEL', 'debug'],
    ['Accept', 'application/json'],
    ['NODE_OPTIONS', '--max-old-space-size=4096'],
    ['MODE', 'allowlistonlyreadwritebits'],
  ])('%s=%s does not', (name, value) => {
    expect(looksLikeSecret(name, value)).toBe(false);
  });
});

describe('detectPlainSecrets', () => {
  it('warns with the path and a ${env:…} suggestion, never the value', () => {
    const token = 'ghp_' + 'a1B2'.repeat(9);
    const { config } = parseConfig(
      JSON.stringify({
        mcpServers: {
          gh: { command: 'x', env: { GITHUB_TOKEN: token, DEBUG: '1', OK: '${env:GITHUB_TOKEN}' } },
          api: { url: `https://u:pw@x.test/mcp?api_key=${token}`, headers: { Authorization: 'Bearer abcdefghijklmnopq', Accept: 'text/event-stream' } },
          pets: { openapi: { spec: 'p.yaml', auth: { key: 'literal', env: 'env:PETS', ref: '${env:PETS}', basic: { username: 'u', password: 'p' }, cc: { clientId: 'i', clientSecret: 's' } } } },
        },
        gateway: { redis: 'redis://:pw@r:6379' },
      }),
    );
    const warnings = detectPlainSecrets(config);
    expect(warnings.map((w) => w.path)).toEqual([
      'mcpServers.gh.env.GITHUB_TOKEN',
      'mcpServers.api.headers.Authorization',
      'mcpServers.api.url',
      'mcpServers.api.url',
      'mcpServers.pets.openapi.auth.key',
      'mcpServers.pets.openapi.auth.basic.password',
      'mcpServers.pets.openapi.auth.cc.clientSecret',
      'gateway.redis.url',
    ]);
    expect(warnings[0]!.message).toContain('"${env:GITHUB_TOKEN}"');
    expect(warnings[1]!.message).toContain('"Bearer ${env:API_TOKEN}"');
    expect(JSON.stringify(warnings)).not.toContain(token);
    expect(JSON.stringify(warnings)).not.toContain('abcdefghijklmnopq');
  });

  it('finds secrets passed as command arguments', () => {
    const { config } = parseConfig(
      JSON.stringify({
        mcpServers: {
          a: { command: 'x', args: ['--api-key', 'abcdefgh1234', '--token=zyxwvut98765', 'ghp_' + 'a1B2'.repeat(9), '--port', '8080', '--config-path', '/etc/x', '--api-key', '${env:K}', '--verbose'] },
        },
      }),
    );
    const warnings = detectPlainSecrets(config);
    expect(warnings.map((w) => w.path)).toEqual(['mcpServers.a.args[1]', 'mcpServers.a.args[2]', 'mcpServers.a.args[3]']);
    expect(warnings[0]!.message).toContain('"${env:API_KEY}"');
    expect(warnings[1]!.message).toContain('"--token=${env:TOKEN}"');
    expect(JSON.stringify(warnings)).not.toContain('abcdefgh1234');
  });

  it('is quiet for a clean file', () => {
    const { config } = parseConfig(JSON.stringify({ mcpServers: { a: { command: 'x', env: { T: '${env:T}', DEBUG: 'true' } } } }));
    expect(detectPlainSecrets(config)).toEqual([]);
  });
});
