// A 2025-era client (v1 SDK) through `connect` to a 2026-07-28-only server (v2 createMcpHandler, legacy: 'reject'):
// initialize answered from server/discover, requests enveloped, input_required turned into an elicitation push.
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { ROOT, connectArgs, freePort, killAll, startProcess, waitForPort } from './fixtures/connect-helpers.js';

let client: Client | undefined;
afterAll(async () => {
  await client?.close().catch(() => {});
  await killAll();
});

it('2025 client → 2026-only remote: discover, envelope, input_required → elicitation → retry', async () => {
  const port = await freePort();
  startProcess(process.execPath, [join(ROOT, 'test/fixtures/connect-modern-http.mjs')], { PORT: String(port) });
  await waitForPort(port);
  let stderr = '';
  const transport = new StdioClientTransport({ ...connectArgs(`http://127.0.0.1:${port}/mcp`), stderr: 'pipe' });
  transport.stderr?.on('data', (d) => (stderr += d));
  client = new Client({ name: 'legacy-client', version: '1.0.0' }, { capabilities: { elicitation: {} } });
  let asked = 0;
  client.setRequestHandler(ElicitRequestSchema, async () => {
    asked++;
    return { action: 'accept', content: { yes: true } };
  });
  await client.connect(transport);
  expect(client.getServerVersion()?.name).toBe('modern-only');
  expect(stderr).toMatch(/translating for this 2025-era client/);
  expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo', 'confirm', 'regional']);
  expect((await client.callTool({ name: 'echo', arguments: { text: 'hi' } })).content).toEqual([{ type: 'text', text: 'modern:hi' }]);
  const r = await client.callTool({ name: 'confirm', arguments: {} });
  expect(r.content).toEqual([{ type: 'text', text: 'confirmed:{"yes":true}' }]);
  expect(asked).toBe(1);
  await client.setLoggingLevel('info');
  expect(await client.ping()).toEqual({});
});
