/**
 * SEP-2243 through the bridge: a 2026-07-28 tools/call whose Mcp-Param-* header disagrees with the x-mcp-header
 * argument it mirrors is refused by the face (400, -32020) — the stdio server behind it never sees headers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startBridge, type RunningBridge } from './helpers/bridge.js';
import { parseMessages } from './helpers/http.js';

const FIXTURE_2026 = `${ROOT}test/fixtures/conformance-2026-server.mjs`;
const envelope = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'param-e2e', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

describe.each(['2025', '2026'])('Mcp-Param-* validation, bridge --server-protocol %s', (proto) => {
  let bridge: RunningBridge;
  beforeAll(async () => {
    bridge = await startBridge(['--log-level', 'warn', '--server-protocol', proto], [process.execPath, FIXTURE_2026]);
  });
  afterAll(async () => {
    await bridge?.stop();
  });

  let id = 0;
  async function post(method: string, params: Record<string, unknown>, headers: Record<string, string> = {}) {
    const res = await fetch(bridge.url, {
      method: 'POST',
      signal: AbortSignal.timeout(20_000),
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': method, ...headers },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params: { ...params, _meta: envelope } }),
    });
    const msg = parseMessages(res.headers.get('content-type'), await res.text())[0];
    return { status: res.status, msg };
  }
  const callRegion = (region: string, headers: Record<string, string>) => post('tools/call', { name: 'test_custom_headers', arguments: { region } }, { 'mcp-name': 'test_custom_headers', ...headers });

  it('refuses a missing, wrong or badly encoded header once tools/list has shown the tool, and serves a matching one', async () => {
    const listed = await post('tools/list', {});
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.msg.result.tools)).toContain('x-mcp-header');

    const ok = await callRegion('eu-west', { 'mcp-param-region': 'eu-west' });
    expect(ok.status).toBe(200);
    expect(ok.msg.result.content[0].text).toBe('region=eu-west');
    const b64 = await callRegion('zürich', { 'mcp-param-region': `=?base64?${Buffer.from('zürich').toString('base64')}?=` });
    expect(b64.msg.result.content[0].text).toBe('region=zürich');

    for (const [why, headers] of [
      ['missing', {}],
      ['different', { 'mcp-param-region': 'us-east' }],
      ['bad padding', { 'mcp-param-region': '=?base64?ZXUtd2VzdA=?=' }],
    ] as const) {
      const r = await callRegion('eu-west', headers);
      expect(r.status, why).toBe(400);
      expect(r.msg.error, why).toMatchObject({ code: -32020, data: { mismatch: { header: 'Mcp-Param-Region' } } });
    }
  });
});
