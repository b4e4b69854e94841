import type { IncomingMessage } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../errors.js';
import { apiKeyAuthenticator } from './api-key.js';
import { AuthFailure } from './authenticator.js';
import { apiKeyFromSecret } from './key-file.js';

// Counting timingSafeEqual calls shows that every key is compared whichever one matches (no early exit).
const crypto = vi.hoisted(() => ({ compares: 0 }));
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return {
    ...real,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      crypto.compares++;
      return real.timingSafeEqual(a, b);
    },
  };
});

const ALICE = 'alice-secret-key-0123456789';
const CI = 'ci-secret-key-abcdefghijkl';
const keys = [
  apiKeyFromSecret(ALICE, { source: 'test', id: 'alice', scopes: ['github.*', 'files.read'] }),
  apiKeyFromSecret(CI, { source: 'test', id: 'ci' }),
];
const auth = apiKeyAuthenticator(keys);
const req = (headers: Record<string, string | string[]>) => ({ headers, url: '/mcp' }) as unknown as IncomingMessage;

function refusal(headers: Record<string, string>): AuthFailure {
  try {
    auth.authenticate(req(headers));
  } catch (err) {
    expect(err).toBeInstanceOf(AuthFailure);
    return err as AuthFailure;
  }
  throw new Error('expected a refusal');
}

describe('apiKeyAuthenticator', () => {
  it.each([
    ['Bearer', { authorization: `Bearer ${ALICE}` }],
    ['bearer, lower case, extra spaces', { authorization: `bearer    ${ALICE}  ` }],
    ['X-API-Key', { 'x-api-key': ALICE }],
  ])('the right key via %s is the key id with its scopes, and the key itself is not carried', (_, headers) => {
    const info = auth.authenticate(req(headers));
    expect(info).toEqual({ token: '', clientId: 'alice', scopes: ['github.*', 'files.read'], extra: { kind: 'api-key' } });
    expect(JSON.stringify(info)).not.toContain(ALICE);
  });

  it('a key without scopes has none; scopes handed out are copies', () => {
    expect(auth.authenticate(req({ 'x-api-key': CI }))).toMatchObject({ clientId: 'ci', scopes: [] });
    (auth.authenticate(req({ 'x-api-key': ALICE })) as { scopes: string[] }).scopes.push('admin');
    expect(auth.authenticate(req({ 'x-api-key': ALICE }))?.scopes).toEqual(['github.*', 'files.read']);
  });

  it('a wrong key is a 401 invalid_token that does not echo it', () => {
    for (const wrong of [ALICE.slice(0, -1), `${ALICE}x`, 'something-else-entirely']) {
      const f = refusal({ authorization: `Bearer ${wrong}` });
      expect([f.kind, f.status]).toEqual(['invalid_token', 401]);
      expect(f.message).not.toContain(wrong);
    }
  });

  it('every key is compared, whichever matches', () => {
    for (const key of [ALICE, CI, 'no-such-key-at-all-1234']) {
      crypto.compares = 0;
      try {
        auth.authenticate(req({ 'x-api-key': key }));
      } catch {
        /* the wrong key */
      }
      expect(crypto.compares).toBe(keys.length);
    }
  });

  it.each([
    ['no credential', {}, undefined],
    ['Basic', { authorization: 'Basic dXNlcjpwYXNz' }, undefined],
    ['Bearer alone', { authorization: 'Bearer' }, 'invalid_request'],
    ['empty X-API-Key', { 'x-api-key': '  ' }, 'invalid_request'],
    ['non-ASCII Bearer', { authorization: 'Bearer clé-de-l-api-123456' }, 'invalid_request'],
    ['~100 KB Bearer', { authorization: `Bearer ${'k'.repeat(100_000)}` }, 'invalid_request'],
  ] as const)('%s', (_, headers, kind) => {
    if (!kind) expect(auth.authenticate(req(headers))).toBeUndefined();
    else expect(refusal(headers).kind).toBe(kind);
  });

  it('Authorization: Bearer is the credential when both headers are sent (a wrong bearer is not rescued by X-API-Key)', () => {
    expect(refusal({ authorization: 'Bearer wrong-key-0123456789', 'x-api-key': ALICE }).kind).toBe('invalid_token');
    expect(auth.authenticate(req({ authorization: 'Basic dXNlcjpwYXNz', 'x-api-key': CI }))?.clientId).toBe('ci');
  });

  it('challenges', () => {
    expect(auth.challenge()).toBe('Bearer realm="switchboard"');
    expect(auth.challenge(new AuthFailure('invalid_token', 'the API key is not valid'))).toBe('Bearer realm="switchboard", error="invalid_token"');
    expect(auth.challenge(new AuthFailure('invalid_request', 'X-API-Key is empty'))).toBe('Bearer realm="switchboard", error="invalid_request"');
  });

  it('configuration mistakes are ConfigErrors', () => {
    expect(() => apiKeyAuthenticator([])).toThrow(ConfigError);
    expect(() => apiKeyAuthenticator([{ id: 'x', digest: Buffer.alloc(16) }])).toThrow(/32-byte/);
    expect(() => apiKeyAuthenticator([keys[0]!, { ...keys[1]!, id: 'alice' }])).toThrow(/used twice/);
  });
});
