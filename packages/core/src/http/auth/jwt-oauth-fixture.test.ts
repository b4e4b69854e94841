// The OAuth fixture (test/fixtures/oauth-server.mjs) in JWT mode against jwtAuthenticator: the tokens a real
// authorization-code + PKCE flow and a client-credentials grant hand out are accepted for the resource they were
// asked for, and only for it. The end-to-end version (switchboard connect → bridge) is the integrator's.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthFailure } from './authenticator.js';
import { jwtAuthenticator } from './jwt.js';

const FIXTURE = fileURLToPath(new URL('../../../../../test/fixtures/oauth-server.mjs', import.meta.url));
const BRIDGE = 'http://127.0.0.1:8931/mcp'; // the resource the tokens are for; nothing needs to listen there

let child: ChildProcess;
let base: string;

beforeAll(async () => {
  child = spawn(process.execPath, [FIXTURE], { env: { ...process.env, PORT: '0', JWT_ACCESS_TOKENS: '1', M2M_SECRET: 'fixture-m2m-secret' }, stdio: ['ignore', 'ignore', 'pipe'] });
  base = await new Promise<string>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`fixture did not start in 15 s:\n${err}`)), 15_000);
    child.stderr!.on('data', (d) => {
      err += d;
      const m = /oauth fixture on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`fixture exited (${code}):\n${err}`)));
  });
});
afterAll(() => {
  child?.kill();
});

const req = (token: string) => ({ headers: { authorization: `Bearer ${token}` }, url: '/mcp' }) as unknown as IncomingMessage;
const stats = async () => (await (await fetch(`${base}/stats`)).json()) as { jwksFetches: number; audiences: string[] };

async function authorizationCodeToken(resource: string, scope = 'mcp:read'): Promise<string> {
  const redirect = 'http://127.0.0.1:1/callback';
  const reg = await fetch(`${base}/register`, { method: 'POST', body: JSON.stringify({ redirect_uris: [redirect], token_endpoint_auth_method: 'none' }) });
  const { client_id } = (await reg.json()) as { client_id: string };
  const verifier = randomBytes(32).toString('base64url');
  const q = new URLSearchParams({
    response_type: 'code',
    client_id,
    redirect_uri: redirect,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: 's',
    scope,
    resource,
  });
  const auth = await fetch(`${base}/authorize?${q}`, { redirect: 'manual' });
  const code = new URL(auth.headers.get('location')!).searchParams.get('code')!;
  const tok = await fetch(`${base}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: verifier, client_id, redirect_uri: redirect, resource }),
  });
  expect(tok.status).toBe(200);
  return ((await tok.json()) as { access_token: string }).access_token;
}

describe('oauth fixture in JWT mode + jwtAuthenticator', () => {
  it('lists jwks_uri; an authorization-code token is accepted for its resource and refused for another', async () => {
    const meta = (await (await fetch(`${base}/.well-known/oauth-authorization-server`)).json()) as { issuer: string; jwks_uri: string };
    expect(meta).toMatchObject({ issuer: base, jwks_uri: `${base}/jwks` });

    const auth = await jwtAuthenticator({ issuer: meta.issuer, jwksUrl: meta.jwks_uri, audience: BRIDGE, requiredScopes: ['mcp:read'] });
    const token = await authorizationCodeToken(BRIDGE, 'mcp:read mcp:write');
    const info = await auth.authenticate(req(token));
    expect(info).toMatchObject({ scopes: ['mcp:read', 'mcp:write'], resource: new URL(BRIDGE), extra: { kind: 'jwt', subject: 'fixture-user', issuer: base } });
    expect(info!.clientId).toMatch(/^dyn-/);
    expect(info!.expiresAt! - Date.now() / 1000).toBeGreaterThan(3000);
    expect((await stats()).audiences.at(-1)).toBe(BRIDGE);

    const elsewhere = await jwtAuthenticator({ issuer: base, jwksUrl: meta.jwks_uri, audience: 'http://127.0.0.1:8932/mcp' });
    await expect(elsewhere.authenticate(req(token))).rejects.toThrow(/wrong audience/);
  });

  it('client credentials with a resource; a rotated signing key is picked up from /jwks', async () => {
    const auth = await jwtAuthenticator({ issuer: base, jwksUrl: `${base}/jwks`, audience: BRIDGE, jwksFetch: { cooldownSec: 0 } });
    const grant = async () => {
      const r = await fetch(`${base}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('m2m:fixture-m2m-secret').toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'mcp:read', resource: BRIDGE }),
      });
      return ((await r.json()) as { access_token: string }).access_token;
    };
    expect(await auth.authenticate(req(await grant()))).toMatchObject({ clientId: 'm2m', scopes: ['mcp:read'], extra: { subject: 'm2m' } });
    const before = (await stats()).jwksFetches;
    await fetch(`${base}/rotate`, { method: 'POST' });
    expect((await auth.authenticate(req(await grant())))?.clientId).toBe('m2m');
    expect((await stats()).jwksFetches).toBe(before + 1);

    const noResource = await (
      await fetch(`${base}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'm2m', client_secret: 'fixture-m2m-secret' }),
      })
    ).json();
    const f = await Promise.resolve(auth.authenticate(req((noResource as { access_token: string }).access_token))).catch((e: unknown) => e);
    expect(f).toBeInstanceOf(AuthFailure);
    expect((f as AuthFailure).message).toMatch(/wrong audience/);
  });
});
