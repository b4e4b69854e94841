// Real keys, real tokens (signed here with jose) and a real JWKS endpoint on 127.0.0.1.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { ConfigError } from '../../errors.js';
import { AuthFailure, type Authenticator } from './authenticator.js';
import { jwtAuthenticator, type JwtAuthenticatorOptions } from './jwt.js';
import { AuthUnavailableError } from './unavailable.js';

const ISSUER = 'https://as.example.com';
const AUDIENCE = 'https://mcp.example.com/mcp';
const PRM = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';

interface Pair {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  jwk: JWK;
}

async function pair(kid: string, alg = 'ES256'): Promise<Pair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

const now = () => Math.floor(Date.now() / 1000);

async function sign(key: Pair, claims: JWTPayload = {}, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ client_id: 'client-1', sub: 'user-1', scope: 'mcp:read', ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header })
    .setIssuer((claims.iss as string) ?? ISSUER)
    .setAudience((claims.aud as string | string[]) ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime((claims.exp as number) ?? now() + 300)
    .sign(key.privateKey);
}

function req(headers: Record<string, string> = {}, url = '/mcp'): IncomingMessage {
  return { headers, url, method: 'POST' } as unknown as IncomingMessage;
}
const bearer = (token: string) => req({ authorization: `Bearer ${token}` });

async function refusal(auth: Authenticator, r: IncomingMessage): Promise<AuthFailure> {
  const err = await Promise.resolve()
    .then(() => auth.authenticate(r))
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(AuthFailure);
  return err as AuthFailure;
}

/** A JWKS endpoint whose keys and health the test controls. */
interface JwksServer {
  url: string;
  keys: JWK[];
  status: number;
  body?: string;
  hang: boolean;
  hits: number;
  server: Server;
}
const servers: Server[] = [];
async function jwksServer(keys: JWK[]): Promise<JwksServer> {
  const s = { keys, status: 200, hang: false, hits: 0 } as JwksServer;
  s.server = createServer((_rq, res) => {
    s.hits++;
    if (s.hang) return; // never answers; the socket is destroyed in afterAll
    res.writeHead(s.status, { 'content-type': 'application/json' }).end(s.body ?? JSON.stringify({ keys: s.keys }));
  });
  servers.push(s.server);
  await new Promise<void>((r) => s.server.listen(0, '127.0.0.1', r));
  s.url = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}/jwks`;
  return s;
}

let A: Pair;
let B: Pair;
let jwks: JwksServer;
let auth: Authenticator;
const make = (o: Partial<JwtAuthenticatorOptions> = {}) => jwtAuthenticator({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: jwks.url, ...o });

beforeAll(async () => {
  A = await pair('a');
  B = await pair('b');
  jwks = await jwksServer([A.jwk]);
  auth = await make();
});
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe('jwtAuthenticator: accepted tokens', () => {
  it('a good token becomes AuthInfo with client, scopes, expiry and resource', async () => {
    const exp = now() + 600;
    const token = await sign(A, { scope: 'mcp:read mcp:write', exp });
    const info = await auth.authenticate(bearer(token));
    expect(info).toEqual({
      token,
      clientId: 'client-1',
      scopes: ['mcp:read', 'mcp:write'],
      expiresAt: exp,
      resource: new URL(AUDIENCE),
      resourceMetadataUrl: PRM,
      extra: { kind: 'jwt', subject: 'user-1', issuer: ISSUER },
    });
  });

  it.each([
    ['client_id', { client_id: 'c', azp: 'z', sub: 's' }, 'c'],
    ['azp without client_id', { client_id: undefined, azp: 'z', sub: 's' }, 'z'],
    ['sub alone', { client_id: undefined, sub: 's' }, 's'],
  ])('clientId from %s', async (_, claims, expected) => {
    expect((await auth.authenticate(bearer(await sign(A, claims))))?.clientId).toBe(expected);
  });

  it('scopes from scp (array, or a space-separated string)', async () => {
    const arr = await sign(A, { scope: undefined, scp: ['files.read', 'files.write'] });
    expect((await auth.authenticate(bearer(arr)))?.scopes).toEqual(['files.read', 'files.write']);
    const str = await sign(A, { scope: undefined, scp: 'a b' });
    expect((await auth.authenticate(bearer(str)))?.scopes).toEqual(['a', 'b']);
  });

  it('an aud array that contains this resource is accepted', async () => {
    const token = await sign(A, { aud: ['https://other.example', AUDIENCE] });
    expect((await auth.authenticate(bearer(token)))?.clientId).toBe('client-1');
  });

  it('expired within the clock tolerance is accepted; beyond it refused', async () => {
    const within = await sign(A, { exp: now() - 30 });
    expect((await auth.authenticate(bearer(within)))?.clientId).toBe('client-1');
    const beyond = await sign(A, { exp: now() - 120 });
    const f = await refusal(auth, bearer(beyond));
    expect([f.kind, f.status, f.message]).toEqual(['invalid_token', 401, 'the token has expired']);
    const strict = await make({ clockToleranceSec: 0 });
    expect((await refusal(strict, bearer(within))).message).toBe('the token has expired');
  });

  it.each(['RS256', 'PS256', 'EdDSA'])('%s keys from the JWKS are accepted by default', async (alg) => {
    const k = await pair(`k-${alg}`, alg);
    const inline = await jwtAuthenticator({ issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [k.jwk] } });
    expect((await inline.authenticate(bearer(await sign(k))))?.clientId).toBe('client-1');
  });
});

describe('jwtAuthenticator: refused tokens', () => {
  it('wrong issuer, wrong audience, bad signature, unknown kid, no exp', async () => {
    const cases: [string, Promise<string>, RegExp][] = [
      ['issuer', sign(A, { iss: 'https://evil.example.com' }), /^wrong issuer: the token was not issued by https:\/\/as\.example\.com$/],
      ['audience', sign(A, { aud: 'https://other.example.com/mcp' }), /^wrong audience: .*resource=https:\/\/mcp\.example\.com\/mcp/],
      // B's private key under A's kid: the key is found, the signature does not verify.
      ['signature', sign({ ...B, kid: 'a' }), /^bad signature$/],
      ['unknown kid', sign(B), /^bad signature: no single key/],
    ];
    for (const [name, tokenP, reason] of cases) {
      const token = await tokenP;
      const f = await refusal(auth, bearer(token));
      expect([name, f.kind, f.status]).toEqual([name, 'invalid_token', 401]);
      expect(f.message).toMatch(reason);
      expect(f.message).not.toContain(token.split('.')[2]);
    }
    const noExp = await new SignJWT({ client_id: 'c' }).setProtectedHeader({ alg: 'ES256', kid: 'a' }).setIssuer(ISSUER).setAudience(AUDIENCE).sign(A.privateKey);
    expect((await refusal(auth, bearer(noExp))).message).toBe('the token has no "exp" claim');
  });

  it('alg "none" is refused', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: ISSUER, aud: AUDIENCE, exp: now() + 60, client_id: 'x' })}.`;
    const f = await refusal(auth, bearer(unsigned));
    expect([f.kind, f.message]).toEqual(['invalid_token', "the token's signing algorithm is not accepted"]);
  });

  it('HS256 signed with the public key as the secret (key confusion) is refused', async () => {
    const secrets = [
      new TextEncoder().encode(await exportSPKI(A.publicKey)),
      new TextEncoder().encode(JSON.stringify(A.jwk)),
      Buffer.from(A.jwk.x!, 'base64url'),
    ];
    for (const secret of secrets) {
      const forged = await new SignJWT({ client_id: 'attacker', scope: 'mcp:read' })
        .setProtectedHeader({ alg: 'HS256', kid: 'a' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime(now() + 60)
        .sign(secret);
      const f = await refusal(auth, bearer(forged));
      expect(f.message).toBe("the token's signing algorithm is not accepted");
    }
  });

  it('a token for HS256 is accepted only with an explicit sharedSecret, and then asymmetric ones are not', async () => {
    const secret = 'a-shared-secret-of-at-least-32-bytes!!';
    const hs = await jwtAuthenticator({ issuer: ISSUER, audience: AUDIENCE, sharedSecret: secret });
    const token = await new SignJWT({ client_id: 'svc' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime(now() + 60)
      .sign(new TextEncoder().encode(secret));
    expect((await hs.authenticate(bearer(token)))?.clientId).toBe('svc');
    expect((await refusal(hs, bearer(await sign(A)))).message).toBe("the token's signing algorithm is not accepted");
  });

  it('typ is checked only when configured (RFC 9068 at+jwt)', async () => {
    const typed = await make({ typ: 'at+jwt' });
    expect((await typed.authenticate(bearer(await sign(A))))?.clientId).toBe('client-1');
    const plain = await sign(A, {}, { typ: 'JWT' });
    expect((await auth.authenticate(bearer(plain)))?.clientId).toBe('client-1');
    expect((await refusal(typed, bearer(plain))).message).toBe("the token's typ header is not at+jwt");
  });

  it('a missing required scope is a 403 insufficient_scope naming the scopes needed', async () => {
    const scoped = await make({ requiredScopes: ['mcp:read', 'mcp:write'] });
    const f = await refusal(scoped, bearer(await sign(A, { scope: 'mcp:read' })));
    expect([f.kind, f.status, f.scopes, f.message]).toEqual(['insufficient_scope', 403, ['mcp:read', 'mcp:write'], 'the token lacks the scope mcp:write']);
    expect(await scoped.authenticate(bearer(await sign(A, { scope: 'mcp:write mcp:read' })))).toMatchObject({ scopes: ['mcp:write', 'mcp:read'] });
    expect(await scoped.authenticate(bearer(await sign(A, { scope: undefined, scp: ['mcp:read', 'mcp:write'] })))).toMatchObject({ clientId: 'client-1' });
  });
});

describe('jwtAuthenticator: credentials in the request', () => {
  it.each([
    ['no Authorization', {}, undefined],
    ['Basic', { authorization: 'Basic dXNlcjpwYXNz' }, undefined],
    ['Digest', { authorization: 'Digest username="u"' }, undefined],
    ['Bearer alone', { authorization: 'Bearer' }, 'invalid_request'],
    ['Bearer and spaces', { authorization: 'Bearer   ' }, 'invalid_request'],
    ['Bearer  x (two spaces, not a JWT)', { authorization: 'Bearer  x' }, 'invalid_token'],
    ['two segments', { authorization: 'Bearer a.b' }, 'invalid_token'],
    ['JWE (five segments)', { authorization: 'Bearer a.b.c.d.e' }, 'invalid_token'],
    ['segments that are not JSON', { authorization: 'Bearer eyJ.eyJ.c2ln' }, 'invalid_token'],
    ['~100 KB', { authorization: `Bearer ${'a'.repeat(100_000)}` }, 'invalid_request'],
    ['non-ASCII', { authorization: 'Bearer tökén.ü.ß' }, 'invalid_request'],
    ['space inside', { authorization: 'Bearer abc def' }, 'invalid_request'],
  ] as const)('%s', async (_, headers, kind) => {
    if (kind === undefined) expect(await auth.authenticate(req(headers))).toBeUndefined();
    else {
      const f = await refusal(auth, req(headers));
      expect([f.kind, f.status]).toEqual([kind, 401]);
      expect(f.message.length).toBeLessThan(200);
    }
  });

  it('the scheme name is case-insensitive; tokens in the query string are ignored', async () => {
    const token = await sign(A);
    expect((await auth.authenticate(req({ authorization: `bearer ${token}` })))?.token).toBe(token);
    expect(await auth.authenticate(req({}, `/mcp?access_token=${token}`))).toBeUndefined();
  });
});

describe('jwtAuthenticator: the JWKS endpoint', () => {
  it('a key that appears after start (rotation) is fetched and accepted; the old one still works', async () => {
    const C = await pair('c');
    const D = await pair('d');
    const server = await jwksServer([C.jwk]);
    const rotating = await make({ jwksUrl: server.url, jwksFetch: { cooldownSec: 0 } });
    expect(server.hits).toBe(0); // nothing fetched before the first token
    expect((await rotating.authenticate(bearer(await sign(C))))?.clientId).toBe('client-1');
    expect(server.hits).toBe(1);
    expect((await rotating.authenticate(bearer(await sign(C))))?.clientId).toBe('client-1');
    expect(server.hits).toBe(1); // cached
    server.keys = [C.jwk, D.jwk];
    expect((await rotating.authenticate(bearer(await sign(D))))?.clientId).toBe('client-1');
    expect(server.hits).toBe(2);
    expect((await rotating.authenticate(bearer(await sign(C))))?.clientId).toBe('client-1');
  });

  it('unknown kids do not refetch during the cooldown (a flood of made-up kids is not a flood of fetches)', async () => {
    const C = await pair('c');
    const server = await jwksServer([C.jwk]);
    const guarded = await make({ jwksUrl: server.url }); // default cooldown: 30 s
    await guarded.authenticate(bearer(await sign(C)));
    for (let i = 0; i < 5; i++) expect((await refusal(guarded, bearer(await sign({ ...B, kid: `x${i}` })))).kind).toBe('invalid_token');
    expect(server.hits).toBe(1);
  });

  it('endpoint down (nothing listening): 503 AuthUnavailableError naming the URL, not a crash and not a 401', async () => {
    const gone = await jwksServer([A.jwk]);
    await new Promise((r) => gone.server.close(r));
    const down = await make({ jwksUrl: gone.url, jwksFetch: { retryAfterSec: 7 } });
    const token = await sign(A);
    const err = await Promise.resolve(down.authenticate(bearer(token))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthUnavailableError);
    const e = err as AuthUnavailableError;
    expect([e.status, e.code, e.retryAfterSec]).toEqual([503, 'SB_AUTH_UNAVAILABLE', 7]);
    expect(e.message).toContain(gone.url);
    expect(e.message).toMatch(/ECONNREFUSED/);
    expect(e.message).not.toContain(token);
  });

  it('HTTP 500 and non-JSON answers are 503; a failure is not refetched until retryAfter, then recovery works', async () => {
    const server = await jwksServer([A.jwk]);
    server.status = 500;
    const flaky = await make({ jwksUrl: server.url, jwksFetch: { retryAfterSec: 0.3 } });
    const token = await sign(A);
    const first = await Promise.resolve(flaky.authenticate(bearer(token))).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(AuthUnavailableError);
    expect((first as Error).message).toMatch(/answered HTTP 500/);
    const again = await Promise.resolve(flaky.authenticate(bearer(token))).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(AuthUnavailableError);
    expect(server.hits).toBe(1);

    server.status = 200;
    server.body = '<html>maintenance</html>';
    await new Promise((r) => setTimeout(r, 400));
    const html = await Promise.resolve(flaky.authenticate(bearer(token))).catch((e: unknown) => e);
    expect((html as Error).message).toMatch(/not JSON/);
    expect(server.hits).toBe(2);

    server.body = undefined;
    await new Promise((r) => setTimeout(r, 400));
    expect((await flaky.authenticate(bearer(token)))?.clientId).toBe('client-1');
    expect(server.hits).toBe(3);
  });

  it('during an outage, keys fetched within staleIfErrorSec still verify; an unknown kid stays 503; past the bound all is 503', async () => {
    const C = await pair('c');
    const D = await pair('d');
    const server = await jwksServer([C.jwk]);
    const opts = (staleIfErrorSec: number) => make({ jwksUrl: server.url, jwksFetch: { cacheMaxAgeSec: 0.1, cooldownSec: 0, retryAfterSec: 0, staleIfErrorSec } });
    const tolerant = await opts(60);
    const strict = await opts(0);
    expect((await tolerant.authenticate(bearer(await sign(C))))?.clientId).toBe('client-1');
    expect((await strict.authenticate(bearer(await sign(C))))?.clientId).toBe('client-1');
    server.status = 503;
    await new Promise((r) => setTimeout(r, 250)); // past cacheMaxAge: the next token makes both refetch
    const hits = server.hits;
    expect((await tolerant.authenticate(bearer(await sign(C))))?.clientId).toBe('client-1');
    expect(server.hits).toBe(hits + 1); // it did try
    const unknown = await Promise.resolve(tolerant.authenticate(bearer(await sign(D)))).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(AuthUnavailableError);
    const past = await Promise.resolve(strict.authenticate(bearer(await sign(C)))).catch((e: unknown) => e);
    expect(past).toBeInstanceOf(AuthUnavailableError);
    expect((past as Error).message).toMatch(/answered HTTP 503/);
  });

  it('a JWK Set with a member that is not a key, or with a private key, is the issuer\'s fault: 503', async () => {
    for (const keys of [[1], [{ ...(await exportJWK(A.privateKey)), kid: 'a', alg: 'ES256' }]]) {
      const server = await jwksServer(keys as JWK[]);
      const bad = await make({ jwksUrl: server.url });
      const err = await Promise.resolve(bad.authenticate(bearer(await sign(A)))).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthUnavailableError);
      expect((err as Error).message).toMatch(/not a valid JWK Set/);
    }
  });

  it('an endpoint that never answers times out into a 503 within the configured time', async () => {
    const server = await jwksServer([A.jwk]);
    server.hang = true;
    const slow = await make({ jwksUrl: server.url, jwksFetch: { timeoutMs: 300 } });
    const started = Date.now();
    const err = await Promise.resolve(slow.authenticate(bearer(await sign(A)))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthUnavailableError);
    expect((err as Error).message).toMatch(/did not answer within 300 ms/);
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});

describe('jwtAuthenticator: challenge and metadata', () => {
  it('challenge strings', async () => {
    expect(auth.challenge()).toBe(`Bearer resource_metadata="${PRM}"`);
    expect(auth.challenge(new AuthFailure('invalid_token', 'the token has expired'))).toBe(
      `Bearer resource_metadata="${PRM}", error="invalid_token", error_description="the token has expired"`,
    );
    expect(auth.challenge(new AuthFailure('invalid_request', 'say "hi"\\ \u00e9'))).toBe(
      `Bearer resource_metadata="${PRM}", error="invalid_request", error_description="say 'hi'' ?"`,
    );
    const scoped = await make({ requiredScopes: ['mcp:read'] });
    expect(scoped.challenge()).toBe(`Bearer resource_metadata="${PRM}", scope="mcp:read"`);
    expect(scoped.challenge(new AuthFailure('insufficient_scope', 'the token lacks the scope mcp:write', ['mcp:read', 'mcp:write']))).toBe(
      `Bearer resource_metadata="${PRM}", error="insufficient_scope", error_description="the token lacks the scope mcp:write", scope="mcp:read mcp:write"`,
    );
  });

  it('RFC 9728 metadata at the bare and the path-suffixed well-known paths', async () => {
    const a = await make({ requiredScopes: ['mcp:read'], resourceName: 'Files' });
    const doc = { resource: AUDIENCE, authorization_servers: [ISSUER], scopes_supported: ['mcp:read'], bearer_methods_supported: ['header'], resource_name: 'Files' };
    expect(a.wellKnown!()).toEqual({ '/.well-known/oauth-protected-resource': doc, '/.well-known/oauth-protected-resource/mcp': doc });
    const root = await jwtAuthenticator({ issuer: ISSUER, audience: 'https://mcp.example.com', jwks: { keys: [A.jwk] }, authorizationServers: ['https://a', 'https://b'] });
    expect(root.wellKnown!()).toEqual({
      '/.well-known/oauth-protected-resource': { resource: 'https://mcp.example.com', authorization_servers: ['https://a', 'https://b'], bearer_methods_supported: ['header'] },
    });
    expect(root.challenge()).toBe('Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource"');
  });
});

describe('jwtAuthenticator: configuration', () => {
  it.each([
    ['alg none', { algorithms: ['none'] }, /never allowed/],
    ['HS256 with public keys', { algorithms: ['HS256'] }, /needs sharedSecret/],
    ['two key sources', { jwks: { keys: [] } }, /exactly one of/],
    ['http JWKS off loopback', { jwksUrl: 'http://as.example.com/jwks' }, /must use https/],
    ['audience with a fragment', { audience: 'https://mcp.example.com/mcp#x' }, /fragment/],
    ['audience not a URL', { audience: 'mcp-server' }, /not an absolute URL/],
    ['short shared secret', { jwksUrl: undefined, sharedSecret: 'short' }, /at least 32/],
    ['scope with a space', { requiredScopes: ['a b'] }, /not a valid scope token/],
  ] as [string, Partial<JwtAuthenticatorOptions>, RegExp][])('%s is a ConfigError', async (_, o, message) => {
    const err = await make(o).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(message);
  });

  it('inline JWKS with a private or symmetric key is refused', async () => {
    const priv = await exportJWK(A.privateKey);
    await expect(jwtAuthenticator({ issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [priv] } })).rejects.toThrow(/private key/);
    await expect(jwtAuthenticator({ issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } })).rejects.toThrow(/symmetric/);
  });
});
