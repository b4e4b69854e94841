import { describe, expect, it } from 'vitest';
import { KeyRing, hashApiKey } from '../config/key-file.js';
import type { AuthConfig } from '../config/types.js';
import { API_KEY_SCHEME, JWT_SCHEME, callerPolicy, serverExposes } from './scopes.js';

const keys = new KeyRing([
  { id: 'ci', hash: hashApiKey('k1'), allow: ['github.*', 'fs.read_*'], deny: ['github.delete_*'], rateLimit: { calls: 5, per: 1000 }, disabled: false },
  { id: 'off', hash: hashApiKey('k2'), allow: ['*'], deny: [], disabled: true },
]);
const auth: AuthConfig = {
  keys: '/keys.json',
  jwt: {
    issuer: 'https://idp',
    audience: ['sb'],
    jwksUrl: 'https://idp/jwks',
    scopes: { 'gh:read': { allow: ['github.get_*', 'github.list_*'], deny: [] }, 'gh:write': { allow: ['github.*'], deny: ['github.delete_*'] }, 'no-admin': { allow: [], deny: ['*.admin_*'] } },
  },
};
const key = (id: string) => ({ clientId: id, scopes: [], extra: { scheme: API_KEY_SCHEME } });
const jwt = (...scopes: string[]) => ({ clientId: 'user@idp', scopes, extra: { scheme: JWT_SCHEME } });

describe('callerPolicy', () => {
  it('allows everything when no auth is configured', () => {
    const p = callerPolicy(undefined, undefined);
    expect(p.callerId).toBe('anonymous');
    expect(p.permits('any', 'tool')).toBe(true);
  });

  it("uses an API key's own globs and rate limit, deny winning", () => {
    const p = callerPolicy(key('ci'), auth, keys);
    expect(p.callerId).toBe('ci');
    expect(p.rateLimit).toEqual({ calls: 5, per: 1000 });
    expect(p.permits('github', 'create_issue')).toBe(true);
    expect(p.permits('github', 'delete_repo')).toBe(false);
    expect(p.permits('fs', 'read_file')).toBe(true);
    expect(p.permits('fs', 'write_file')).toBe(false);
  });

  it('maps JWT scopes to globs: union of allows, any deny wins, unmapped scopes grant nothing', () => {
    expect(callerPolicy(jwt('gh:read'), auth).permits('github', 'get_issue')).toBe(true);
    expect(callerPolicy(jwt('gh:read'), auth).permits('github', 'create_issue')).toBe(false);
    const both = callerPolicy(jwt('gh:read', 'gh:write'), auth);
    expect(both.permits('github', 'create_issue')).toBe(true);
    expect(both.permits('github', 'delete_repo')).toBe(false);
    expect(callerPolicy(jwt('gh:write', 'no-admin'), auth).permits('github', 'admin_x')).toBe(false);
    expect(callerPolicy(jwt('unmapped', 'toString', '__proto__'), auth).permits('github', 'get_issue')).toBe(false);
    expect(callerPolicy(jwt(), auth).rules).toEqual({ allow: [], deny: [] });
  });

  it.each([
    ['no identity', undefined],
    ['unknown key id', key('ghost')],
    ['disabled key', key('off')],
    ['no scheme', { clientId: 'ci', scopes: [] }],
    ['unknown scheme', { clientId: 'ci', scopes: ['gh:write'], extra: { scheme: 'basic' } }],
  ])('allows nothing for %s when auth is configured', (_, identity) => {
    const p = callerPolicy(identity, auth, keys);
    expect(p.permits('github', 'get_issue')).toBe(false);
    expect(p.permits('fs', 'read_file')).toBe(false);
  });

  it('allows nothing for an API key when no key file is configured, or a JWT when no jwt block is', () => {
    expect(callerPolicy(key('ci'), { jwt: auth.jwt! }, keys).permits('github', 'x')).toBe(false);
    expect(callerPolicy(jwt('gh:write'), { keys: '/k' }, keys).permits('github', 'x')).toBe(false);
  });
});

describe('serverExposes', () => {
  it('filters a server’s tools by name for every caller', () => {
    const exposes = serverExposes({ tools: { allow: ['read_*', 'list'], deny: ['read_secret'] } });
    expect(['read_file', 'read_secret', 'list', 'write'].filter(exposes)).toEqual(['read_file', 'list']);
  });
});
