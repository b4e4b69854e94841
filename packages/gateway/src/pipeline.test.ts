import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  API_KEY_SCHEME,
  ArgumentPolicy,
  AuditLog,
  MemoryRateLimitStore,
  RateLimiter,
  buildCatalogReport,
  callerPolicy,
  createLock,
  detectPlainSecrets,
  generateApiKey,
  loadConfig,
  loadKeyFile,
  lockPathFor,
  readLock,
  resolveConfigSecrets,
  serverExposes,
  serversWithUnresolved,
  writeLock,
  type BackendCatalog,
} from './index.js';

/** The modules as the router will wire them, from one config file on disk: the README's example, run. */
describe('the gateway modules together', () => {
  it('loads, resolves, authorises, constrains, limits, audits and pins', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-gw-pipeline-'));
    mkdirSync(join(dir, 'secrets'));
    writeFileSync(join(dir, 'secrets', 'docs.token'), 'docs-token-value\n');
    const { key, hash } = generateApiKey();
    writeFileSync(join(dir, 'keys.json'), JSON.stringify({ keys: [{ id: 'ci-bot', hash, allow: ['github.*', 'fs.*'], deny: ['github.delete_*'] }] }));
    writeFileSync(
      join(dir, 'gateway.jsonc'),
      `{
        // the README example
        "mcpServers": {
          "github": { "command": "github-mcp-server", "args": ["stdio"], "env": { "GITHUB_TOKEN": "\${env:GITHUB_TOKEN}" } },
          "docs": { "url": "https://docs.example.com/mcp", "headers": { "Authorization": "Bearer \${file:secrets/docs.token}" } },
          "fs": { "command": "fs-server" },
        },
        "gateway": {
          "auth": { "keys": "keys.json" },
          "limits": { "rateLimit": { "calls": 2, "per": "1m" } },
          "audit": { "path": "logs/audit.jsonl" },
          "constraints": { "fs__write_file": { "path": { "prefix": "/srv/data/" } } },
          "pinning": "enforce",
        },
      }`,
    );

    const { config, warnings } = await loadConfig(join(dir, 'gateway.jsonc'));
    expect(warnings).toEqual([]);
    expect(detectPlainSecrets(config)).toEqual([]);
    const { value: resolved, unresolved } = resolveConfigSecrets(config, { env: {} });
    expect(unresolved.map((u) => u.path)).toEqual(['mcpServers.github.env.GITHUB_TOKEN']);
    expect(serversWithUnresolved(config, unresolved)).toEqual(new Set(['github']));
    expect(resolved.servers.find((s) => s.key === 'docs')).toMatchObject({ headers: { Authorization: 'Bearer docs-token-value' } });

    const keys = await loadKeyFile(resolved.gateway.auth!.keys!);
    const entry = keys.authenticate(key)!;
    const caller = { clientId: entry.id, scopes: [], extra: { scheme: API_KEY_SCHEME } };
    const policy = callerPolicy(caller, resolved.gateway.auth, keys);
    expect(policy.permits('github', 'create_issue')).toBe(true);
    expect(policy.permits('github', 'delete_repo')).toBe(false);
    expect(policy.permits('docs', 'search')).toBe(false);

    const backends: BackendCatalog[] = resolved.servers.map((s) => ({
      server: s.key,
      prefix: s.prefix,
      state: serversWithUnresolved(config, unresolved).has(s.key) ? 'unresolved-secrets' : 'ready',
      tools: s.key === 'fs' ? [{ name: 'write_file', description: 'Write a file.', inputSchema: { type: 'object' } }] : [{ name: 'search', inputSchema: { type: 'object' } }],
      rename: s.rename,
      filter: s.tools,
    }));
    const report = buildCatalogReport({ backends, pinning: resolved.gateway.pinning, nameBudget: resolved.gateway.nameBudget });
    expect(report.tools.map((t) => [t.exposed, t.withheld])).toEqual([
      ['docs__search', true],
      ['fs__write_file', true],
    ]);
    const visibleToCaller = report.tools.filter((t) => policy.permits(t.server, t.original) && serverExposes(resolved.servers.find((s) => s.key === t.server)!)(t.original));
    expect(visibleToCaller.map((t) => t.exposed)).toEqual(['fs__write_file']);

    const lockPath = lockPathFor(config.source!);
    await writeLock(lockPath, createLock(report.tools.map((t) => ({ ...backends.find((b) => b.server === t.server)!.tools[0]!, name: t.exposed }))));
    const pinned = buildCatalogReport({ backends, pinning: 'enforce', lock: await readLock(lockPath) });
    expect(pinned.tools.every((t) => t.pin === 'unchanged' && !t.withheld)).toBe(true);

    const args = new ArgumentPolicy(resolved.gateway.constraints);
    expect(() => args.check('fs__write_file', { path: '/srv/data/../etc/passwd' })).toThrow(/argument "path" must stay under/);
    expect(() => args.check('fs__write_file', { path: '/srv/data/report.txt' })).not.toThrow();

    let now = 0;
    const limiter = new RateLimiter(new MemoryRateLimitStore({ now: () => now }), { default: resolved.gateway.limits.rateLimit!, tools: resolved.gateway.limits.toolRateLimits });
    await limiter.enforce(policy.callerId, 'fs', 'write_file', 'fs__write_file', policy.rateLimit);
    await limiter.enforce(policy.callerId, 'fs', 'write_file', 'fs__write_file', policy.rateLimit);
    await expect(limiter.enforce(policy.callerId, 'fs', 'write_file', 'fs__write_file', policy.rateLimit)).rejects.toMatchObject({ code: 'SB_RATE_LIMITED', retryAfterMs: 30_000 });
    now += 30_000;
    await limiter.enforce(policy.callerId, 'fs', 'write_file', 'fs__write_file', policy.rateLimit);

    const audit = new AuditLog(resolved.gateway.audit!);
    audit.call({ callerId: policy.callerId, server: 'fs', tool: 'fs__write_file', arguments: { path: '/srv/data/report.txt' }, durationMs: 3, outcome: 'ok', bytesIn: 10, bytesOut: 20 });
    await audit.close();
    const line = JSON.parse(readFileSync(join(dir, 'logs', 'audit.jsonl'), 'utf8'));
    expect(line).toMatchObject({ caller: 'ci-bot', tool: 'fs__write_file', outcome: 'ok' });
    expect(JSON.stringify(line)).not.toContain('report.txt');
  });
});
