// Every CLI start pays for what serve.ts imports: the auth index must not pull jose in until a JWT authenticator
// is built.
import { describe, expect, it, vi } from 'vitest';

const loads = vi.hoisted(() => ({ jose: 0 }));
vi.mock('jose', async (importOriginal) => {
  loads.jose++;
  return importOriginal();
});

describe('jose is loaded on demand', () => {
  it('importing the auth index and using API keys does not load jose; building a JWT authenticator does', async () => {
    const auth = await import('./index.js');
    auth.apiKeyAuthenticator([auth.apiKeyFromSecret('a-long-enough-api-key', { source: 'test' })]);
    expect(loads.jose).toBe(0);
    await auth.jwtAuthenticator({ issuer: 'https://as.example', audience: 'https://mcp.example/mcp', jwksUrl: 'https://as.example/jwks' });
    expect(loads.jose).toBe(1);
  });
});
