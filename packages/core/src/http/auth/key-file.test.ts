import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors.js';
import { apiKeyAuthenticator } from './api-key.js';
import { apiKeyFromSecret, createKeyEntry, hashApiKey, KeyFileError, parseKeyFile, readKeyFile } from './key-file.js';

const K1 = 'first-key-0123456789abcdef';
const K2 = 'second-key-0123456789abcdef';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const FILE = '/etc/switchboard/keys';

function error(fn: () => unknown): KeyFileError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KeyFileError);
    expect(err).toBeInstanceOf(ConfigError);
    return err as KeyFileError;
  }
  throw new Error('expected a KeyFileError');
}

describe('hashApiKey', () => {
  it('is the hex sha-256 (FIPS 180-2 vector) and refuses an empty key', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(() => hashApiKey('')).toThrow(ConfigError);
  });
});

describe('parseKeyFile: line format', () => {
  it('one key per line, # comments and blank lines ignored, CRLF accepted, ids from the hash', () => {
    const keys = parseKeyFile(`# team keys\r\n\r\n${K1}\r\n  ${K2}  \n# ${'not-a-key-just-a-comment'}\n`, FILE);
    expect(keys.map((k) => k.id)).toEqual([`key-${sha(K1).slice(0, 8)}`, `key-${sha(K2).slice(0, 8)}`]);
    expect(keys.map((k) => k.digest.toString('hex'))).toEqual([sha(K1), sha(K2)]);
    for (const k of keys) expect(k.id).toMatch(/^key-[0-9a-f]{8}$/);
  });

  it('the same key twice is one key', () => {
    expect(parseKeyFile(`${K1}\n${K1}\n`, FILE)).toHaveLength(1);
  });

  it.each([
    ['no keys', '# only a comment\n\n', /^\/etc\/switchboard\/keys: has no keys$/],
    ['a short key, with its line', `${K1}\nshort-key\n`, /^\/etc\/switchboard\/keys \(line 2\): the key is 9 characters long; use at least 16/],
    ['two keys on one line', `${K1} ${K2}\n`, /\(line 1\): the key contains whitespace/],
  ])('%s is an error naming the file', (_, text, message) => {
    const e = error(() => parseKeyFile(text, FILE));
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain('short-key');
    expect(e.message).not.toContain(K1);
  });
});

describe('parseKeyFile: JSON format', () => {
  const env = { CI_KEY: K2, EMPTY: '' };

  it('hashed and raw (${env:…}) entries with ids and scopes; comments and trailing commas allowed', () => {
    const text = `// keys for the team
      { "keys": [
        { "id": "alice", "sha256": "${sha(K1).toUpperCase()}", "scopes": ["github.*"], "description": "laptop" },
        /* the CI runner */
        { "id": "ci", "key": "\${env:CI_KEY}", },
      ] }`;
    const keys = parseKeyFile(text, FILE, env);
    expect(keys.map((k) => ({ id: k.id, scopes: k.scopes, hex: k.digest.toString('hex') }))).toEqual([
      { id: 'alice', scopes: ['github.*'], hex: sha(K1) },
      { id: 'ci', scopes: undefined, hex: sha(K2) },
    ]);
  });

  const entry = (e: object) => JSON.stringify({ keys: [{ id: 'ok', sha256: sha(K1) }, { id: 'ok2', sha256: sha(K2) }, e] });
  it.each([
    ['bad JSON, with line and column', `{ "keys": [\n  { "id": "a", "key": "${K1}" }\n  { "id": "b" }\n] }`, /^\/etc\/switchboard\/keys \(line 3, column 3\): not valid JSON: expected "," or "]"/],
    ['unterminated', `{ "keys": [ { "id": "a", "key": "${K1}`, /\(line 1, column 33\): not valid JSON: unterminated string/],
    ['no keys array', '{ "key": [] }', /expected \{ "keys": \[/],
    ['empty keys array', '{ "keys": [] }', /has no keys/],
    ['duplicate ids', entry({ id: 'ok', key: 'a-third-key-0123456789' }), /\(keys\[2\]\.id\): duplicate id "ok" \(also keys\[0\]\.id\)/],
    ['missing id', entry({ sha256: sha('x') }), /\(keys\[2\]\.id\): missing/],
    ['bad id', entry({ id: 'has space', sha256: sha('x') }), /\(keys\[2\]\.id\): use 1-64 characters/],
    ['short raw key', entry({ id: 'c', key: 'tiny-key' }), /\(keys\[2\]\.key\): the key is 8 characters long/],
    ['empty raw key', entry({ id: 'c', key: '' }), /\(keys\[2\]\.key\): the key is empty/],
    ['both sha256 and key', entry({ id: 'c', key: 'a-third-key-0123456789', sha256: sha('x') }), /\(keys\[2\]\): give exactly one of "sha256"/],
    ['neither', entry({ id: 'c' }), /\(keys\[2\]\): give exactly one of/],
    ['sha256 not hex', entry({ id: 'c', sha256: 'abc' }), /\(keys\[2\]\.sha256\): expected 64 hex digits/],
    ['unknown field', entry({ id: 'c', sha256: sha('x'), colour: 'red' }), /\(keys\[2\]\.colour\): unknown field \(expected id, sha256/],
    ['a typo', entry({ id: 'c', sha256: sha('x'), alow: ['a.*'] }), /\(keys\[2\]\.alow\): unknown field; did you mean "allow"\?/],
    ['both sha256 and hash', entry({ id: 'c', sha256: sha('x'), hash: `sha256:${sha('x')}` }), /\(keys\[2\]\): give exactly one of/],
    ['hash without its prefix', entry({ id: 'c', hash: sha('x') }), /\(keys\[2\]\.hash\): expected "sha256:" and 64 hex digits/],
    ['allow not a list of globs', entry({ id: 'c', sha256: sha('x'), allow: 'github.*' }), /\(keys\[2\]\.allow\): expected an array/],
    ['rateLimit not an object', entry({ id: 'c', sha256: sha('x'), rateLimit: 5 }), /\(keys\[2\]\.rateLimit\): expected an object/],
    ['disabled not a boolean', entry({ id: 'c', sha256: sha('x'), disabled: 'yes' }), /\(keys\[2\]\.disabled\): expected true or false/],
    ['bad scope', entry({ id: 'c', sha256: sha('x'), scopes: ['ok', 'two words'] }), /\(keys\[2\]\.scopes\[1\]\)/],
    ['same key under two ids', entry({ id: 'c', key: K1 }), /\(keys\[2\]\): same key as keys\[0\]/],
    ['${env:X} unset', entry({ id: 'c', key: '${env:NOT_SET_ANYWHERE}' }), /\(keys\[2\]\.key\): environment variable NOT_SET_ANYWHERE is not set/],
    ['${env:X} empty', entry({ id: 'c', key: '${env:EMPTY}' }), /\(keys\[2\]\.key\): environment variable EMPTY is set but empty/],
  ])('%s is an error naming the file and the place', (_, text, message) => {
    const e = error(() => parseKeyFile(text, FILE, env));
    expect(e.message).toMatch(message);
    expect(e.message.startsWith(FILE)).toBe(true);
    expect(e.message).not.toContain(K1);
    expect(e.message).not.toContain(K2);
  });

  it('one format for the bridge and the gateway: the gateway fields, and its earlier "hash": "sha256:…" spelling', () => {
    const text = JSON.stringify({
      keys: [
        { id: 'ci@example.com', sha256: sha(K1), allow: ['github.*'], deny: ['github.delete_*'], rateLimit: { calls: 5, per: '1m' } },
        { id: 'old', hash: `sha256:${sha(K2)}`, disabled: true },
      ],
    });
    const [ci, old] = parseKeyFile(text, FILE, env);
    expect(ci).toMatchObject({ id: 'ci@example.com', allow: ['github.*'], deny: ['github.delete_*'], rateLimit: { calls: 5, per: '1m' } });
    expect(ci!.disabled).toBeUndefined();
    expect(old).toMatchObject({ id: 'old', disabled: true });
    expect(old!.digest.toString('hex')).toBe(sha(K2));
    // A disabled key opens nothing; the others still do.
    const auth = apiKeyAuthenticator([ci!, old!]);
    const req = (key: string) => ({ headers: { authorization: `Bearer ${key}` } }) as unknown as IncomingMessage;
    expect(auth.authenticate(req(K1))).toMatchObject({ clientId: 'ci@example.com' });
    expect(() => auth.authenticate(req(K2))).toThrow(/not valid/);
  });

  it('${env:X} may be part of a value', () => {
    const [k] = parseKeyFile('{ "keys": [ { "id": "p", "key": "prefix-${env:CI_KEY}" } ] }', FILE, env);
    expect(k!.digest.toString('hex')).toBe(sha(`prefix-${K2}`));
  });
});

describe('keys from other sources', () => {
  it('an empty SWITCHBOARD_API_KEY is an error naming it, not "no authentication"', () => {
    const e = error(() => apiKeyFromSecret('', { source: 'SWITCHBOARD_API_KEY' }));
    expect(e.message).toMatch(/^SWITCHBOARD_API_KEY: the key is empty/);
    expect(() => apiKeyFromSecret(undefined, { source: '--api-key' })).toThrow(/^--api-key: the key is empty/);
  });

  it('readKeyFile names a missing file', () => {
    expect(() => readKeyFile('/nonexistent/switchboard-keys')).toThrow(/^\/nonexistent\/switchboard-keys: no such file$/);
  });
});

describe('createKeyEntry (for `switchboard keys add`)', () => {
  it('makes a random key whose hashed entry, written to a key file, lets that key in as its id', () => {
    const { secret, entry } = createKeyEntry('bob', { scopes: ['files.read'] });
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(entry).toEqual({ id: 'bob', sha256: sha(secret), scopes: ['files.read'] });
    expect(JSON.stringify(entry)).not.toContain(secret);
    expect(createKeyEntry('bob').secret).not.toBe(secret);

    const path = join(mkdtempSync(join(tmpdir(), 'sb-keys-')), 'keys.json');
    writeFileSync(path, JSON.stringify({ keys: [entry] }, null, 2));
    const auth = apiKeyAuthenticator(readKeyFile(path));
    const req = { headers: { 'x-api-key': secret } } as unknown as IncomingMessage;
    expect(auth.authenticate(req)).toMatchObject({ clientId: 'bob', scopes: ['files.read'] });
  });

  it('refuses bad ids and scopes', () => {
    expect(() => createKeyEntry('no/slash')).toThrow(ConfigError);
    expect(() => createKeyEntry('ok', { scopes: ['a"b'] })).toThrow(/scope/);
  });
});
