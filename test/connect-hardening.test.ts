// `connect` under remote faults: a wedged remote cannot hang a call forever, a legacy SSE remote that dies mid-call
// fails the call, and a server→client request sent right after initialize is not lost to an unopened GET stream.
import { afterAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CreateMessageRequestSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { ROOT, connectArgs, killAll, startEverything, startProcess, stop, until } from './fixtures/connect-helpers.js';

const clients: Client[] = [];
afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await killAll();
});

async function v1Client(url: string, extra: string[] = []) {
  let stderr = '';
  const transport = new StdioClientTransport({ ...connectArgs(url, ['--log-level', 'info', ...extra]), stderr: 'pipe' });
  transport.stderr?.on('data', (d) => (stderr += d));
  const client = new Client({ name: 'hardening', version: '1.0.0' }, { capabilities: { sampling: {}, elicitation: {} } });
  client.setRequestHandler(CreateMessageRequestSchema, async () => ({ role: 'assistant', content: { type: 'text', text: 'sampled-now' }, model: 'm' }));
  client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { name: 'Ada', check: true, email: 'ada@example.com', integer: 7 } }));
  await client.connect(transport);
  clients.push(client);
  return { client, stderr: () => stderr };
}

async function startHung() {
  const proc = startProcess(process.execPath, [`${ROOT}/test/fixtures/hung-remote.mjs`]);
  const port = await until(() => /"port":(\d+)/.exec(proc.output())?.[1], { timeoutMs: 15_000, what: 'the hung remote to listen' });
  return { proc, url: `http://127.0.0.1:${port}/mcp` };
}

describe('connect: a call on an established session is bounded', () => {
  // The default ceiling (10 min) is the same cut-off with a larger value: requestTimeoutOf() is unit-tested.
  it('--timeout cuts off a remote that holds the call (no headers, or an SSE stream with only keep-alives)', async () => {
    const hung = await startHung();
    const { client } = await v1Client(hung.url, ['--timeout', '2s']);
    for (const name of ['hang', 'hang-sse']) {
      const t0 = Date.now();
      // The client's own timeout is far away: the error must come from connect.
      const err = await client.callTool({ name, arguments: {} }, undefined, { timeout: 120_000 }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).toMatch(/did not answer tools\/call within 2000 ms/);
      expect(Date.now() - t0).toBeLessThan(20_000);
      expect((await client.callTool({ name: 'echo', arguments: { after: name } })).content).toEqual([{ type: 'text', text: JSON.stringify({ after: name }) }]);
    }
  });
});

describe('connect over legacy SSE: the remote dies mid-call', () => {
  it('fails the waiting call instead of leaving it hanging', async () => {
    const server = await startEverything('sse');
    const { client } = await v1Client(server.url, ['--transport', 'sse']);
    const call = client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 60, steps: 60 } }, undefined, { timeout: 120_000 }).then(
      () => ({ ok: true, at: Date.now() }),
      (e: Error) => ({ ok: false, at: Date.now(), message: e.message }),
    );
    await new Promise((r) => setTimeout(r, 1000));
    const killedAt = Date.now();
    await stop(server.child);
    const outcome = await call;
    expect(outcome.ok).toBe(false);
    expect((outcome as { message: string }).message).toMatch(/closed the SSE stream before answering tools\/call; retry the call/);
    expect(outcome.at - killedAt).toBeLessThan(15_000);
  });
});

describe('connect: a server→client request right after initialize', () => {
  // The client calls at once after connect(): the call reaches connect while notifications/initialized is still
  // being POSTed, before the GET stream (where this server sends its sampling/elicitation request) is open.
  it.each([1, 2, 3])('sampling and elicitation on the GET stream are not lost (run %i)', async () => {
    const proc = startProcess(process.execPath, [`${ROOT}/test/fixtures/unrelated-requests-server.mjs`]);
    const port = await until(() => /"port":(\d+)/.exec(proc.output())?.[1], { timeoutMs: 15_000, what: 'the server to listen' });
    const { client } = await v1Client(`http://127.0.0.1:${port}/mcp`, ['--transport', 'streamable-http']);
    const sampled = await client.callTool({ name: 'sample-now', arguments: {} }, undefined, { timeout: 30_000 });
    const elicited = await client.callTool({ name: 'elicit-now', arguments: {} }, undefined, { timeout: 30_000 });
    expect(JSON.stringify(sampled)).toContain('sampled-now');
    expect(JSON.stringify(elicited)).toContain('Ada');
    await stop(proc);
  });
});
