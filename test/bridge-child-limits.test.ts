/**
 * What a child writes on stdout cannot take the bridge down: an oversized line is dropped (never buffered past
 * --max-line), the call it answered fails with an error that says so, and the child keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { ROOT, startBridge, type RunningBridge } from './helpers/bridge.js';

const HUGE = [process.execPath, `${ROOT}test/fixtures/huge-line-server.mjs`];

/** Peak resident set of a process, in MB (Linux /proc). */
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) / 1024;
}

async function client(url: string, onSampling?: () => void) {
  const c = new Client({ name: 'limits', version: '1' }, { capabilities: { sampling: {} } });
  c.setRequestHandler(CreateMessageRequestSchema, async () => {
    onSampling?.();
    return { role: 'assistant', model: 'm', content: { type: 'text', text: 'no' } };
  });
  await c.connect(new StreamableHTTPClientTransport(new URL(url)));
  return c;
}

for (const mode of ['per-session', 'shared'] as const) {
  describe(`an oversized stdout line (${mode})`, () => {
    let bridge: RunningBridge;
    beforeAll(async () => {
      bridge = await startBridge(['--log-level', 'warn', '--isolation', mode, '--max-line', '1mb'], HUGE);
    });
    afterAll(async () => {
      await bridge?.stop();
    });

    it('fails the call it answered, keeps the child serving and the bridge small', async () => {
      const c = await client(bridge.url);
      try {
        const pid = (await c.callTool({ name: 'pid', arguments: {} })).content as Array<{ text: string }>;
        for (const idLast of [false, true]) {
          const started = Date.now();
          const err = await c.callTool({ name: 'huge', arguments: { mb: 64, idLast } }).then(
            () => undefined,
            (e: Error) => e,
          );
          expect(err?.message).toMatch(/over the 1048576-byte line limit.*--max-line/);
          expect(Date.now() - started).toBeLessThan(30_000);
          const echo = await c.callTool({ name: 'echo', arguments: { after: idLast } });
          expect((echo.content as Array<{ text: string }>)[0]!.text).toBe(JSON.stringify({ after: idLast }));
        }
        // Same child: nothing crashed or restarted.
        expect((await c.callTool({ name: 'pid', arguments: {} })).content).toEqual(pid);
        // A bridge that buffered the line would hold it several times over (chunks, joined buffer, string, parse).
        expect(peakRssMb(bridge.proc.pid!)).toBeLessThan(200);
        expect(bridge.stderr()).toMatch(/"level":"error".*line limit/);
      } finally {
        await c.close();
      }
    });

    it('answers an oversized request of the child with an error, to the child', async () => {
      let sampled = 0;
      const c = await client(bridge.url, () => sampled++);
      try {
        const r = await c.callTool({ name: 'ask', arguments: { mb: 4 } });
        expect((r.content as Array<{ text: string }>)[0]!.text).toBe('asked');
        expect(sampled).toBe(0);
      } finally {
        await c.close();
      }
    });
  });
}

describe('stdin back-pressure', () => {
  let bridge: RunningBridge;
  beforeAll(async () => {
    bridge = await startBridge(['--log-level', 'info'], [process.execPath, `${ROOT}test/fixtures/echo-server.mjs`]);
  });
  afterAll(async () => {
    await bridge?.stop();
  });

  it('64 concurrent 256 KB calls to one child: all answered, stderr stays JSON lines (no listener-leak warning)', async () => {
    const c = await client(bridge.url);
    try {
      const blob = 'y'.repeat(256 * 1024);
      const results = await Promise.all(
        Array.from({ length: 64 }, (_, i) => c.callTool({ name: 'echo', arguments: { i, blob } }, undefined, { timeout: 120_000 })),
      );
      results.forEach((r, i) => expect((r.structuredContent as { args: { i: number } }).args.i).toBe(i));
      // The start-up banner is the one line meant for people (and waited for by startBridge).
      const lines = bridge.stderr().split('\n').filter((l) => l.trim() && !l.startsWith('switchboard: listening'));
      expect(bridge.stderr()).not.toMatch(/MaxListenersExceeded/);
      for (const l of lines) expect(() => JSON.parse(l), l).not.toThrow();
    } finally {
      await c.close();
    }
  });
});
