import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GatewayConfigError } from '../errors.js';
import { KeyRing, generateApiKey, hashApiKey, loadKeyFile, parseKeyFile } from './key-file.js';

const h = (k: string) => hashApiKey(k);

describe('key file', () => {
  it('hashes keys as sha256 hex', () => {
    expect(hashApiKey('abc')).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('generates distinct keys whose hash authenticates', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key).not.toBe(b.key);
    expect(a.key).toMatch(/^sbk_[A-Za-z0-9_-]{43}$/);
    const ring = new KeyRing(parseKeyFile(JSON.stringify({ keys: [{ id: 'a', hash: a.hash }] })));
    expect(ring.authenticate(a.key)?.id).toBe('a');
    expect(ring.authenticate(b.key)).toBeUndefined();
  });

  it('reads entries with defaults, and refuses disabled keys', () => {
    const entries = parseKeyFile(`{
      // JSONC too
      "keys": [
        { "id": "ci", "hash": "${h('k1')}", "allow": ["github.*"], "deny": ["github.delete_*"], "rateLimit": { "calls": 5, "per": "1m" } },
        { "id": "old", "hash": "${h('k2')}", "disabled": true },
      ]
    }`);
    expect(entries[0]).toEqual({ id: 'ci', hash: h('k1'), allow: ['github.*'], deny: ['github.delete_*'], rateLimit: { calls: 5, per: 60_000 }, disabled: false });
    expect(entries[1]).toMatchObject({ allow: ['*'], deny: [], disabled: true });
    const ring = new KeyRing(entries);
    expect(ring.authenticate('k1')?.id).toBe('ci');
    expect(ring.authenticate('k2')).toBeUndefined();
    expect(ring.get('old')?.disabled).toBe(true);
  });

  it.each([
    ['no keys', '{}', /expected \{ "keys": \[/],
    ['an empty list', '{ "keys": [] }', /has no keys/],
    ['plain key', JSON.stringify({ keys: [{ id: 'a', hash: 'sbk_plaintext' }] }), /^keys\[0\]\.hash: expected "sha256:" and 64 hex digits/],
    ['bad id', JSON.stringify({ keys: [{ id: 'a b', hash: h('x') }] }), /^keys\[0\]\.id: use 1-64/],
    ['duplicate id', JSON.stringify({ keys: [{ id: 'a', hash: h('x') }, { id: 'a', hash: h('y') }] }), /^keys\[1\]\.id: duplicate id "a" \(also keys\[0\]\.id\)/],
    ['duplicate hash', JSON.stringify({ keys: [{ id: 'a', hash: h('x') }, { id: 'b', hash: h('x') }] }), /^keys\[1\]: same key as keys\[0\]/],
    ['typo', JSON.stringify({ keys: [{ id: 'a', hash: h('x'), alow: [] }] }), /^keys\[0\]\.alow: unknown field; did you mean "allow"\?/],
    ['bad glob', JSON.stringify({ keys: [{ id: 'a', hash: h('x'), deny: ['ok.*', ''] }] }), /^keys\[0\]\.deny: expected an array/],
    ['rate typo', JSON.stringify({ keys: [{ id: 'a', hash: h('x'), rateLimit: { calls: 1, pre: '1m' } }] }), /^keys\[0\]\.rateLimit/],
    ['bad rate', JSON.stringify({ keys: [{ id: 'a', hash: h('x'), rateLimit: { calls: 0, per: 1 } }] }), /^keys\[0\]\.rateLimit\.calls: /],
    ['not json', '{ keys: ', /^line 1, column 3: not valid JSON/],
  ])('refuses %s, naming the path', (_, text, expected) => {
    try {
      parseKeyFile(text, 'keys.json');
      throw new Error('should have failed');
    } catch (e) {
      expect(e).toBeInstanceOf(GatewayConfigError);
      expect((e as Error).message).toMatch(/^keys\.json is not a valid API key file:/);
      const lines = (e as GatewayConfigError).issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
      expect(lines.some((l) => expected.test(l)), lines.join('\n')).toBe(true);
    }
  });

  it('reads the bridge spelling (sha256, any hex case) and raw ${env:X} keys, so one file serves both', () => {
    const hex = h('k1').slice('sha256:'.length);
    const entries = parseKeyFile(
      JSON.stringify({ keys: [{ id: 'bridge', sha256: hex.toUpperCase(), scopes: ['tools:read'] }, { id: 'ci', key: '${env:CI_KEY}', allow: ['github.*'] }] }),
      'keys.json',
      { CI_KEY: 'ci-key-0123456789abcdef' },
    );
    expect(entries[0]).toEqual({ id: 'bridge', hash: h('k1'), allow: ['*'], deny: [], disabled: false, scopes: ['tools:read'] });
    const ring = new KeyRing(entries);
    expect(ring.authenticate('k1')?.id).toBe('bridge');
    expect(ring.authenticate('ci-key-0123456789abcdef')?.allow).toEqual(['github.*']);
  });

  it('loads from disk and reports a missing file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-keys-'));
    writeFileSync(join(dir, 'keys.json'), JSON.stringify({ keys: [{ id: 'a', hash: h('secret') }] }));
    expect((await loadKeyFile(join(dir, 'keys.json'))).authenticate('secret')?.id).toBe('a');
    await expect(loadKeyFile(join(dir, 'nope.json'))).rejects.toThrow(/cannot read the key file \(ENOENT\)/);
  });
});
