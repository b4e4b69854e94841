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
    ['no keys', '{}', /^keys: /],
    ['plain key', JSON.stringify({ keys: [{ id: 'a', hash: 'sbk_plaintext' }] }), /^keys\[0\]\.hash: must be "sha256:"/],
    ['upper hex', JSON.stringify({ keys: [{ id: 'a', hash: h('x').toUpperCase() }] }), /^keys\[0\]\.hash: /],
    ['bad id', JSON.stringify({ keys: [{ id: 'a b', hash: h('x') }] }), /^keys\[0\]\.id: must be 1-64/],
    ['duplicate id', JSON.stringify({ keys: [{ id: 'a', hash: h('x') }, { id: 'a', hash: h('y') }] }), /^keys\[1\]\.id: "a" is also the id of keys\[0\]/],
    ['duplicate hash', JSON.stringify({ keys: [{ id: 'a', hash: h('x') }, { id: 'b', hash: h('x') }] }), /^keys\[1\]\.hash: is the same key as keys\[0\]/],
    ['typo', JSON.stringify({ keys: [{ id: 'a', hash: h('x'), alow: [] }] }), /^keys\[0\]\.alow: unknown key; did you mean "allow"\?/],
    ['bad rate', JSON.stringify({ keys: [{ id: 'a', hash: h('x'), rateLimit: { calls: 0, per: 1 } }] }), /^keys\[0\]\.rateLimit\.calls: /],
    ['not json', '{ keys: ', /line 1/],
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

  it('loads from disk and reports a missing file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-keys-'));
    writeFileSync(join(dir, 'keys.json'), JSON.stringify({ keys: [{ id: 'a', hash: h('secret') }] }));
    expect((await loadKeyFile(join(dir, 'keys.json'))).authenticate('secret')?.id).toBe('a');
    await expect(loadKeyFile(join(dir, 'nope.json'))).rejects.toThrow(/cannot read the key file \(ENOENT\)/);
  });
});
