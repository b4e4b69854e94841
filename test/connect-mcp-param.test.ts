// SEP-2243 through `connect`: a 2026-07-28 remote (v2 createMcpHandler) whose `regional` tool marks `region` with
// `x-mcp-header: Region` refuses a tools/call without the Mcp-Param-Region header. connect mirrors it from the
// tools/list results it has seen (or lists first on a miss), for a 2025 client (era translation) and for a v2 client
// in auto mode (raw 2026 frames), including a non-ASCII value in the =?base64?…?= form.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Client as ClientV2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as StdioClientTransportV2 } from '@modelcontextprotocol/client/stdio';
import { encodeParamValue, scanParamHeaders } from '@switchboard-mcp/core';
import { ROOT, connectArgs, freePort, killAll, startProcess, waitForPort } from './fixtures/connect-helpers.js';

const closers: (() => Promise<void>)[] = [];
let url = '';

beforeAll(async () => {
  const port = await freePort();
  startProcess(process.execPath, [join(ROOT, 'test/fixtures/connect-modern-http.mjs')], { PORT: String(port) });
  await waitForPort(port);
  url = `http://127.0.0.1:${port}/mcp`;
});

afterAll(async () => {
  await Promise.allSettled(closers.map((c) => c()));
  await killAll();
});

const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

async function rawCall(headers: Record<string, string>) {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': 'regional',
      ...headers,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'regional', arguments: { region: 'eu-west' }, _meta: META } }),
  });
  return { status: res.status, body: await res.text() };
}

async function v1Client() {
  const transport = new StdioClientTransport({ ...connectArgs(url, ['--log-level', 'warn']), stderr: 'pipe' });
  const client = new Client({ name: 'legacy-client', version: '1.0.0' });
  await client.connect(transport);
  closers.push(() => client.close());
  return client;
}

describe('connect: Mcp-Param-* headers for 2026-07-28 remotes', () => {
  it('the remote really requires the header (raw requests: 400 / -32020 without, 200 with)', async () => {
    const without = await rawCall({});
    expect(without.status).toBe(400);
    expect(without.body).toContain('-32020');
    const withIt = await rawCall({ 'mcp-param-region': 'eu-west' });
    expect(withIt.status).toBe(200);
    expect(withIt.body).toContain('region:eu-west');
  });

  it('2025 client through era translation: listed first, then called (ASCII and non-ASCII values)', async () => {
    const client = await v1Client();
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('regional');
    expect((await client.callTool({ name: 'regional', arguments: { region: 'eu-west' } })).content).toEqual([{ type: 'text', text: 'region:eu-west' }]);
    const r = await client.callTool({ name: 'regional', arguments: { region: 'Zürich Nord' } });
    expect(r.isError).toBeFalsy();
    expect(r.content).toEqual([{ type: 'text', text: 'region:Zürich Nord' }]);
  });

  it('a call for a tool never listed: connect lists the tools itself first', async () => {
    const client = await v1Client();
    const r = await client.callTool({ name: 'regional', arguments: { region: ' padded ' } });
    expect(r.content).toEqual([{ type: 'text', text: 'region: padded ' }]);
  });

  it('v2 client in auto mode (raw 2026 frames over stdio)', async () => {
    const transport = new StdioClientTransportV2({ ...connectArgs(url, ['--log-level', 'warn']), stderr: 'pipe' });
    const client = new ClientV2({ name: 'modern-stdio', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(transport);
    closers.push(() => client.close());
    expect(client.getProtocolEra()).toBe('modern');
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('regional');
    const r = await client.callTool({ name: 'regional', arguments: { region: 'ap-south-1' } });
    expect(r.content).toEqual([{ type: 'text', text: 'region:ap-south-1' }]);
  });
});

describe('x-mcp-header rules (unit)', () => {
  it('finds declarations on properties chains only, and encodes unsafe values', () => {
    expect(scanParamHeaders({ type: 'object', properties: { a: { type: 'string', 'x-mcp-header': 'A' }, o: { type: 'object', properties: { b: { type: 'integer', 'x-mcp-header': 'B' } } } } })).toEqual([
      { path: ['a'], name: 'A' },
      { path: ['o', 'b'], name: 'B' },
    ]);
    expect(scanParamHeaders({ type: 'object', properties: { l: { type: 'array', items: { type: 'string', 'x-mcp-header': 'L' } } } })).toBeUndefined();
    expect(scanParamHeaders({ type: 'object', properties: { a: { type: 'string', 'x-mcp-header': 'X' }, b: { type: 'string', 'x-mcp-header': 'x' } } })).toBeUndefined();
    expect(scanParamHeaders({ type: 'object', properties: { a: { type: 'object', 'x-mcp-header': 'A' } } })).toBeUndefined();
    expect(encodeParamValue('eu-west')).toBe('eu-west');
    expect(encodeParamValue('Zürich')).toBe(`=?base64?${Buffer.from('Zürich').toString('base64')}?=`);
    expect(encodeParamValue(' x')).toMatch(/^=\?base64\?/);
    expect(encodeParamValue('')).toMatch(/^=\?base64\?/);
  });
});
