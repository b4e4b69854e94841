/**
 * A SIGKILLed bridge cannot clean up after itself, yet must leave none of its children's process groups behind:
 * not the server (it sees stdin close), and not what the server started itself (a grandchild, a --shell wrapper's
 * children), which sees nothing at all.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ROOT, processesMatching, startBridge, until, type RunningBridge } from './helpers/bridge.js';

const node = process.execPath;
const GRANDPARENT = `${ROOT}test/fixtures/grandparent-server.mjs`;
const ECHO = `${ROOT}test/fixtures/echo-server.mjs`;

let marker = '';
let bridge: RunningBridge | undefined;

afterEach(async () => {
  await bridge?.stop('SIGKILL');
  bridge = undefined;
  // Whatever the outcome, nothing of this test stays running.
  for (const pid of await processesMatching(marker)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

async function openSessions(url: string, n: number) {
  const clients: Client[] = [];
  for (let i = 0; i < n; i++) {
    const c = new Client({ name: 'orphans', version: '1' });
    await c.connect(new StreamableHTTPClientTransport(new URL(url)));
    await c.callTool({ name: 'pid', arguments: {} });
    clients.push(c);
  }
  return clients;
}

describe('SIGKILL of the bridge', () => {
  for (const mode of ['per-session', 'shared'] as const) {
    it(`leaves no grandchild behind (${mode})`, async () => {
      marker = randomUUID();
      bridge = await startBridge(['--log-level', 'warn', '--isolation', mode], [node, GRANDPARENT, `--marker=${marker}`]);
      const clients = await openSessions(bridge.url, 2);
      const children = mode === 'shared' ? 1 : 2;
      // Each child and its grandchild.
      await until(async () => (await processesMatching(marker)).length >= 2 * children, { timeoutMs: 10_000 });
      process.kill(bridge.proc.pid!, 'SIGKILL');
      await until(async () => (await processesMatching(marker)).length === 0, { timeoutMs: 10_000 });
      for (const c of clients) await c.close().catch(() => {});
    });
  }

  it('leaves nothing of a --shell command behind', async () => {
    marker = randomUUID();
    // The shell stays the group leader (two commands), and starts a sleeper that ignores stdin.
    const line = `${node} -e "setInterval(() => {}, 1000)" -- --marker=${marker}-sleeper & ${node} ${ECHO} --marker=${marker}`;
    bridge = await startBridge(['--log-level', 'warn', '--shell'], [line]);
    const clients = await openSessions(bridge.url, 1);
    await until(async () => (await processesMatching(marker)).length >= 3, { timeoutMs: 10_000 }); // sh, sleeper, server
    process.kill(bridge.proc.pid!, 'SIGKILL');
    await until(async () => (await processesMatching(marker)).length === 0, { timeoutMs: 10_000 });
    for (const c of clients) await c.close().catch(() => {});
  });

  it('a SIGKILL to the whole process group of the bridge leaves nothing either', async () => {
    marker = randomUUID();
    bridge = await startBridge(['--log-level', 'warn'], [node, GRANDPARENT, `--marker=${marker}`]);
    const clients = await openSessions(bridge.url, 1);
    await until(async () => (await processesMatching(marker)).length >= 2, { timeoutMs: 10_000 });
    process.kill(-bridge.proc.pid!, 'SIGKILL');
    await until(async () => (await processesMatching(marker)).length === 0, { timeoutMs: 10_000 });
    for (const c of clients) await c.close().catch(() => {});
  });

  it('stops the watchdog with the bridge: a clean exit leaves no watchdog running', async () => {
    marker = randomUUID();
    bridge = await startBridge(['--log-level', 'warn'], [node, GRANDPARENT, `--marker=${marker}`]);
    const clients = await openSessions(bridge.url, 1);
    for (const c of clients) await c.close().catch(() => {});
    const watchdogs = await processesMatching(`switchboard-watchdog ${bridge.proc.pid}`);
    expect(watchdogs.length).toBe(1);
    expect(await bridge.stop('SIGTERM')).toBe(0);
    await until(async () => (await processesMatching(`switchboard-watchdog ${bridge!.proc.pid}`)).length === 0, { timeoutMs: 10_000 });
    await until(async () => (await processesMatching(marker)).length === 0, { timeoutMs: 10_000 });
  });
});
