// The slow proofs, run concurrently in one file: a > 60 s tool call with progress through `connect`, and the
// upstream server restarted mid-session while the client keeps working.
import { afterAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Client as ClientV2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as StdioClientTransportV2 } from '@modelcontextprotocol/client/stdio';
import { connectArgs, killAll, startEverything, stop, until } from './fixtures/connect-helpers.js';

const closers: (() => Promise<void>)[] = [];

afterAll(async () => {
  await Promise.allSettled(closers.map((c) => c()));
  await killAll();
});

describe.concurrent('connect: slow paths', () => {
  it('a tool call lasting > 60 s with progress survives (no 60 s cut-off)', { timeout: 100_000 }, async () => {
    const server = await startEverything('streamableHttp');
    const transport = new StdioClientTransportV2({ ...connectArgs(server.url, ['--log-level', 'warn']), stderr: 'pipe' });
    const client = new ClientV2({ name: 'long', version: '1.0.0' });
    await client.connect(transport);
    closers.push(() => client.close());
    const progress: number[] = [];
    const t0 = Date.now();
    const r = await client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 64, steps: 16 } }, {
      timeout: 90_000,
      resetTimeoutOnProgress: true,
      onprogress: (p) => void progress.push(p.progress),
    });
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThan(60_000);
    expect(JSON.stringify(r)).toContain('Long running operation completed');
    expect(progress.length).toBeGreaterThanOrEqual(15);
  });

  it('the upstream server restarts mid-session: the client keeps working (re-initialize + retry)', { timeout: 60_000 }, async () => {
    let server = await startEverything('streamableHttp');
    let stderr = '';
    const transport = new StdioClientTransport({ ...connectArgs(server.url), stderr: 'pipe' });
    transport.stderr?.on('data', (d) => (stderr += d));
    const client = new Client({ name: 'restart', version: '1.0.0' });
    await client.connect(transport);
    closers.push(() => client.close());
    expect((await client.callTool({ name: 'echo', arguments: { message: 'before' } })).content).toEqual([{ type: 'text', text: 'Echo: before' }]);

    await stop(server.child);
    server = await startEverything('streamableHttp', server.port);

    // The next call hits an unknown session: connect re-initializes (replaying the captured initialize) and retries.
    const r = await client.callTool({ name: 'echo', arguments: { message: 'after' } });
    expect(r.content).toEqual([{ type: 'text', text: 'Echo: after' }]);
    expect(stderr).toMatch(/session re-established/);
    // Tools still listed; and a second restart while idle is noticed through the GET stream.
    expect((await client.listTools()).tools.length).toBeGreaterThan(5);
    await stop(server.child);
    server = await startEverything('streamableHttp', server.port);
    await until(() => (stderr.match(/session re-established/g) ?? []).length >= 2, { timeoutMs: 30_000, what: 'a second re-initialize from the GET stream' });
    expect((await client.callTool({ name: 'echo', arguments: { message: 'again' } })).content).toEqual([{ type: 'text', text: 'Echo: again' }]);
  });
});
