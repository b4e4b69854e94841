import { describe, expect, it } from 'vitest';
import { checkModernRequest, decodeHeaderValue } from './modern-headers.js';

const H = (extra: Record<string, string> = {}) => ({ 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'echo', ...extra });
const call = { method: 'tools/call', params: { name: 'echo' } };

describe('2026-07-28 request checks', () => {
  it.each([
    ['all headers agree', H(), call, undefined],
    ['no MCP-Protocol-Version', { 'mcp-method': 'tools/call', 'mcp-name': 'echo' }, call, -32020],
    ['no Mcp-Method', { 'mcp-protocol-version': '2026-07-28', 'mcp-name': 'echo' }, call, -32020],
    ['no Mcp-Name on tools/call', { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call' }, call, -32020],
    ['wrong Mcp-Name', H({ 'mcp-name': 'other' }), call, -32020],
    ['Mcp-Name base64 of the right name', H({ 'mcp-name': '=?base64?ZWNobw==?=' }), call, undefined],
    ['Mcp-Name broken base64', H({ 'mcp-name': '=?base64?!!?=' }), call, -32020],
    ['resources/read Mcp-Name is the uri', H({ 'mcp-method': 'resources/read', 'mcp-name': 'file:///a' }), { method: 'resources/read', params: { uri: 'file:///a' } }, undefined],
    ['tools/list needs no Mcp-Name', H({ 'mcp-method': 'tools/list', 'mcp-name': '' }), { method: 'tools/list' }, undefined],
    ['initialize was removed', H({ 'mcp-method': 'initialize' }), { method: 'initialize' }, -32601],
    ['ping was removed', H({ 'mcp-method': 'ping' }), { method: 'ping' }, -32601],
    ['logging/setLevel was removed', H({ 'mcp-method': 'logging/setLevel' }), { method: 'logging/setLevel' }, -32601],
    ['resources/subscribe was removed', H({ 'mcp-method': 'resources/subscribe' }), { method: 'resources/subscribe' }, -32601],
  ])('%s', (_what, headers, message, code) => {
    const r = checkModernRequest(headers, message as never, '2026-07-28', true);
    expect(r?.code).toBe(code);
    if (code === -32601) expect(r?.status).toBe(404);
    if (code === -32020) expect(r?.status).toBe(400);
  });

  it('an unsupported revision is refused with the versions we serve', () => {
    const r = checkModernRequest(H({ 'mcp-method': 'server/discover' }), { method: 'server/discover' }, '2099-01-01', true);
    expect(r).toMatchObject({ status: 400, code: -32022, data: { supported: ['2026-07-28'], requested: '2099-01-01' } });
  });

  it('notifications need no standard headers', () => {
    expect(checkModernRequest({}, { method: 'notifications/cancelled' }, '2026-07-28', false)).toBeUndefined();
  });

  it('decodes the base64 sentinel and passes plain values through', () => {
    expect(decodeHeaderValue('plain')).toBe('plain');
    expect(decodeHeaderValue('=?base64?w6k=?=')).toBe('é');
    expect(decodeHeaderValue('=?base64?abc?=')).toBeUndefined();
  });
});
