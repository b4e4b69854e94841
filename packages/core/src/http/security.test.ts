import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { defaultAllowedHosts, hostAllowed, isLoopbackBind, originAllowed } from './security.js';

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

describe('isLoopbackBind', () => {
  const loopback = [
    'localhost', 'LOCALHOST', 'localhost.', '127.0.0.1', '127.255.255.254', '127.1', '0x7f.0.0.1', '0177.0.0.1', '2130706433',
    '::1', '[::1]', '0:0:0:0:0:0:0:1', '0000:0000:0000:0000:0000:0000:0000:0001', '0::1', '::1%lo',
    '::ffff:127.0.0.1', '[::ffff:127.0.0.1]', '::ffff:7f00:1', '0:0:0:0:0:ffff:7f00:0001', '::FFFF:127.1.2.3',
  ];
  const exposed = [
    '0.0.0.0', '::', '[::]', '0:0:0:0:0:0:0:0', '10.0.0.1', '128.0.0.1', '126.255.255.255', '::2', '::ffff:10.0.0.1',
    '::ffff:0.0.0.0', '::127.0.0.1', 'fe80::1%lo', 'example.com', 'localhost.example.com', '127.0.0.1.evil.com', '', '1.2.3.4.5', '256.0.0.1',
  ];
  for (const h of loopback) it(`${JSON.stringify(h)} is loopback`, () => expect(isLoopbackBind(h)).toBe(true));
  for (const h of exposed) it(`${JSON.stringify(h)} is not loopback`, () => expect(isLoopbackBind(h)).toBe(false));
});
