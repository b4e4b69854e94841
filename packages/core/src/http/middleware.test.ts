import { describe, expect, it } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, refuseWith, type FaceRequest } from './middleware.js';
import { AuthFailure, type Authenticator } from './auth/authenticator.js';
import { apiKeyAuthenticator } from './auth/api-key.js';
import { apiKeyFromSecret } from './auth/key-file.js';

function fake(headers: Record<string, string>) {
  const out: { status?: number; headers: Record<string, unknown>; body?: string } = { headers: {} };
  const res = {
    setHeader: (k: string, v: unknown) => (out.headers[k.toLowerCase()] = v),
    writeHead(status: number, h?: Record<string, unknown>) {
      out.status = status;
      Object.assign(out.headers, h);
      return this;
    },
    end: (b?: string) => (out.body = b),
  } as unknown as ServerResponse;
  const c: FaceRequest = { req: { headers } as IncomingMessage, res, path: '/mcp' };
  return { c, out };
}

const jwtLike: Authenticator = {
  scheme: 'jwt',
  authenticate(req) {
    const a = req.headers.authorization;
    if (!a?.startsWith('Bearer eyJ')) return undefined;
    if (a.endsWith('expired')) throw new AuthFailure('invalid_token', 'token expired');
    if (a.endsWith('readonly')) throw new AuthFailure('insufficient_scope', 'needs tools:write', ['tools:write']);
    return { token: a.slice(7), clientId: 'app', scopes: ['tools:read'], extra: { subject: 'alice' } };
  },
  challenge: (f) => `Bearer resource_metadata="https://x/.well-known/oauth-protected-resource"${f ? `, error="${f.kind}"` : ''}`,
};

describe('authentication middleware', () => {
  const refuse = refuseWith();
  const gate = authenticate([apiKeyAuthenticator([apiKeyFromSecret('key-one-123456789', { source: 'test' })]), jwtLike], refuse);

  it('lets anyone through when no authenticator is configured', async () => {
    const { c } = fake({});
    expect(await authenticate([], refuse)(c)).toBe(false);
  });
  it('an API key becomes an identity with a stable id, never carrying the key', async () => {
    const { c } = fake({ 'x-api-key': 'key-one-123456789' });
    expect(await gate(c)).toBe(false);
    expect(c.authInfo?.clientId).toMatch(/^key-[0-9a-f]{8}$/);
    expect(JSON.stringify(c.authInfo)).not.toContain('key-one-123456789');
  });
  it('a token another authenticator understands is tried next', async () => {
    const { c } = fake({ authorization: 'Bearer eyJgood' });
    expect(await gate(c)).toBe(false);
    expect(c.authInfo).toMatchObject({ clientId: 'app', scopes: ['tools:read'] });
  });
  it('no credential: 401 with every challenge, and the socket is closed', async () => {
    const { c, out } = fake({});
    expect(await gate(c)).toBe(true);
    expect(out.status).toBe(401);
    expect(out.headers['www-authenticate']).toHaveLength(2);
    expect(out.headers.connection).toBe('close');
  });
  it('a refused credential answers with its authenticator’s status and challenge', async () => {
    const expired = fake({ authorization: 'Bearer eyJexpired' });
    await gate(expired.c);
    expect(expired.out.status).toBe(401);
    expect(String(expired.out.headers['www-authenticate'])).toContain('error="invalid_token"');
    const scope = fake({ authorization: 'Bearer eyJreadonly' });
    await gate(scope.c);
    expect(scope.out.status).toBe(403);
    expect(String(scope.out.headers['www-authenticate'])).toContain('insufficient_scope');
  });
});
