import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { defaultAllowedHosts, hostAllowed, originAllowed } from './security.js';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('Host and Origin checks', () => {
  const allowed = defaultAllowedHosts('127.0.0.1', ['mcp.example.com']);
  it('accepts loopback names on any port and listed hosts', () => {
    for (const host of ['localhost:8080', '127.0.0.1:1', '[::1]:9', 'mcp.example.com', 'MCP.example.com:443']) expect(hostAllowed(req({ host }), allowed)).toBe(true);
  });
  it('refuses rebinding hosts and a missing Host', () => {
    expect(hostAllowed(req({ host: 'evil.example:8080' }), allowed)).toBe(false);
    expect(hostAllowed(req({ host: 'localhost.evil.example' }), allowed)).toBe(false);
    expect(hostAllowed(req({}), allowed)).toBe(false);
  });
  it('does not check Host on a public bind without a list', () => {
    expect(hostAllowed(req({ host: 'anything' }), defaultAllowedHosts('0.0.0.0', []))).toBe(true);
  });
  it('allows same-origin and listed origins only', () => {
    const sec = { allowedHosts: allowed, corsOrigins: ['https://app.example'] };
    expect(originAllowed(req({ host: 'localhost:8080' }), sec)).toBe(true);
    expect(originAllowed(req({ host: 'localhost:8080', origin: 'http://localhost:8080' }), sec)).toBe(true);
    expect(originAllowed(req({ host: 'localhost:8080', origin: 'https://app.example' }), sec)).toBe(true);
    expect(originAllowed(req({ host: 'localhost:8080', origin: 'http://evil.example' }), sec)).toBe(false);
    expect(originAllowed(req({ host: 'localhost:8080', origin: 'null' }), sec)).toBe(false);
  });
});
