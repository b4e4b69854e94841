import { describe, expect, it } from 'vitest';
import { diffConfigs, serverHash } from './diff.js';
import { parseConfig } from './load.js';
import { resolveConfigSecrets } from './secrets.js';

const load = (o: object) => parseConfig(JSON.stringify(o), { baseDir: '/c' }).config;

describe('diffConfigs', () => {
  const base = { mcpServers: { a: { command: 'x', args: ['1'] }, b: { url: 'https://b.test' }, c: { command: 'c' } }, gateway: { listen: { port: 1 } } };

  it('sees nothing in an equal config, whatever the key order', () => {
    const reordered = { gateway: { listen: { port: 1 } }, mcpServers: { c: { command: 'c' }, b: { url: 'https://b.test' }, a: { args: ['1'], command: 'x' } } };
    expect(diffConfigs(load(base), load(reordered))).toEqual({ added: [], removed: [], changed: [], exposureChanged: [], unchanged: ['c', 'b', 'a'], gatewayChanged: false, gatewaySections: [] });
  });

  it('names added, removed and changed servers and the gateway sections that changed', () => {
    const next = { mcpServers: { a: { command: 'x', args: ['2'] }, b: { url: 'https://b.test' }, d: { command: 'd' } }, gateway: { listen: { port: 2 }, pinning: 'enforce' } };
    expect(diffConfigs(load(base), load(next))).toEqual({ added: ['d'], removed: ['c'], changed: ['a'], exposureChanged: [], unchanged: ['b'], gatewayChanged: true, gatewaySections: ['listen', 'pinning'] });
  });

  it.each([
    ['env', { command: 'x', env: { A: '1' } }],
    ['args', { command: 'x', args: ['--v'] }],
    ['command', { command: 'y' }],
    ['disabled', { command: 'x', disabled: true }],
    ['isolation', { command: 'x', isolation: 'per-client' }],
    ['kind', { url: 'https://x.test' }],
  ])('restarts for a change of %s', (_, server) => {
    const diff = diffConfigs(load({ mcpServers: { a: { command: 'x' } } }), load({ mcpServers: { a: server } }));
    expect(diff.changed).toEqual(['a']);
    expect(diff.exposureChanged).toEqual([]);
  });

  it.each([
    ['prefix', { command: 'x', prefix: 'p' }],
    ['rename', { command: 'x', rename: { t: 'u' } }],
    ['tools', { command: 'x', tools: { deny: ['y'] } }],
    ['timeout', { command: 'x', timeout: '5s' }],
  ])('only re-exposes for a change of %s', (_, server) => {
    const diff = diffConfigs(load({ mcpServers: { a: { command: 'x' } } }), load({ mcpServers: { a: server } }));
    expect(diff.changed).toEqual([]);
    expect(diff.exposureChanged).toEqual(['a']);
  });

  it('counts a rotated secret as a restart, once resolved', () => {
    const a = resolveConfigSecrets(load({ mcpServers: { a: { command: 'x', env: { T: '${env:T}' } } } }), { env: { T: 'one' } }).value;
    const b = resolveConfigSecrets(load({ mcpServers: { a: { command: 'x', env: { T: '${env:T}' } } } }), { env: { T: 'two' } }).value;
    expect(diffConfigs(a, b).changed).toEqual(['a']);
  });

  it('does not count moving an entry between mcpServers and servers', () => {
    const a = load({ mcpServers: { a: { command: 'x' } } });
    const b = load({ servers: { a: { command: 'x' } } });
    expect(serverHash(a.servers[0]!)).toBe(serverHash(b.servers[0]!));
  });
});
