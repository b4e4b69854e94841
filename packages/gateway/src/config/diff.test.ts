import { describe, expect, it } from 'vitest';
import { diffConfigs, serverHash } from './diff.js';
import { parseConfig } from './load.js';

const load = (o: object) => parseConfig(JSON.stringify(o), { baseDir: '/c' }).config;

describe('diffConfigs', () => {
  const base = { mcpServers: { a: { command: 'x', args: ['1'] }, b: { url: 'https://b.test' }, c: { command: 'c' } }, gateway: { listen: { port: 1 } } };

  it('sees nothing in an equal config, whatever the key order', () => {
    const reordered = { gateway: { listen: { port: 1 } }, mcpServers: { c: { command: 'c' }, b: { url: 'https://b.test' }, a: { args: ['1'], command: 'x' } } };
    expect(diffConfigs(load(base), load(reordered))).toEqual({ added: [], removed: [], changed: [], unchanged: ['c', 'b', 'a'], gatewayChanged: false, gatewaySections: [] });
  });

  it('names added, removed and changed servers and the gateway sections that changed', () => {
    const next = { mcpServers: { a: { command: 'x', args: ['2'] }, b: { url: 'https://b.test' }, d: { command: 'd' } }, gateway: { listen: { port: 2 }, pinning: 'enforce' } };
    expect(diffConfigs(load(base), load(next))).toEqual({ added: ['d'], removed: ['c'], changed: ['a'], unchanged: ['b'], gatewayChanged: true, gatewaySections: ['listen', 'pinning'] });
  });

  it.each([
    ['env', { command: 'x', env: { A: '1' } }],
    ['prefix', { command: 'x', prefix: 'p' }],
    ['disabled', { command: 'x', disabled: true }],
    ['tools', { command: 'x', tools: { deny: ['y'] } }],
    ['isolation', { command: 'x', isolation: 'per-client' }],
  ])('counts a change of %s', (_, server) => {
    expect(diffConfigs(load({ mcpServers: { a: { command: 'x' } } }), load({ mcpServers: { a: server } })).changed).toEqual(['a']);
  });

  it('does not count moving an entry between mcpServers and servers', () => {
    const a = load({ mcpServers: { a: { command: 'x' } } });
    const b = load({ servers: { a: { command: 'x' } } });
    expect(serverHash(a.servers[0]!)).toBe(serverHash(b.servers[0]!));
  });
});
