/**
 * Slow and hostile clients cannot hold the bridge's sockets: a request whose headers or body never arrive is cut
 * after --request-timeout (408, closed), refusals (401/403/413) close their socket at once, one address holds at
 * most --max-connections-per-client sockets (429 beyond), and none of it touches a long-lived SSE stream or a
 * normal client from another address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ROOT, startBridge, until, type RunningBridge } from './helpers/bridge.js';
import { ACCEPT_BOTH, initBody, openSession, post } from './helpers/http.js';
import { heldConnections, rawClient, type RawClient } from './helpers/raw-socket.js';

const KEY = 'slow-clients-key-0123456789';
const AUTH = { authorization: `Bearer ${KEY}` };
/** The flag value under test; every wait below is at least 5× it. */
const TIMEOUT_MS = 500;
const CAP = 20;
/** The hostile clients come from another loopback address than the normal client, as they would from another host. */
const ATTACKER = '127.0.0.2';

let bridge: RunningBridge;
beforeAll(async () => {
  bridge = await startBridge(
    ['--log-level', 'error', '--api-key', KEY, '--max-body', '64kb', '--request-timeout', `${TIMEOUT_MS}ms`, '--max-connections-per-client', String(CAP), '--keepalive', '0'],
    [process.execPath, `${ROOT}test/fixtures/echo-server.mjs`],
  );
});
afterAll(async () => {
  await bridge?.stop();
});

async function sdkClient() {
  const client = new Client({ name: 'normal', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(bridge.url), { requestInit: { headers: AUTH } }));
  return client;
}

function head(lines: string[]): string {
  return lines.map((l) => `${l}\r\n`).join('');
}

describe('slow senders are cut after --request-timeout', () => {
  it(`${CAP * 2} slowloris sockets from one address: the extra ones get 429, the rest 408 — a normal client is served throughout`, async () => {
    const attackers: RawClient[] = [];
    for (let i = 0; i < CAP * 2; i++) {
      const c = await rawClient(bridge.port, { localAddress: ATTACKER });
      // Headers that never end: one more header line now and then, the classic slowloris.
      c.socket.write(head(['POST /mcp HTTP/1.1', `Host: 127.0.0.1:${bridge.port}`, 'Content-Type: application/json']));
      attackers.push(c);
    }
    const trickle = setInterval(() => {
      for (const c of attackers) if (!c.isClosed()) c.socket.write('X-Slow: 1\r\n');
    }, 100);
    try {
      const client = await sdkClient();
      const r = await client.callTool({ name: 'echo', arguments: { ok: true } });
      expect(r.structuredContent).toMatchObject({ args: { ok: true } });
      await client.close();
      await Promise.race([Promise.all(attackers.map((c) => c.closed)), new Promise((r) => setTimeout(r, 10 * TIMEOUT_MS))]);
    } finally {
      clearInterval(trickle);
    }
    const statuses = attackers.map((c) => c.status());
    expect(attackers.filter((c) => !c.isClosed())).toHaveLength(0);
    expect(statuses.filter((s) => s === 429)).toHaveLength(CAP);
    expect(statuses.filter((s) => s === 408)).toHaveLength(CAP);
    expect(attackers.find((c) => c.status() === 429)!.received()).toMatch(/"error":\{"code":-32600,"message":"Too Many Requests/);
    // The bridge holds none of them any more (its side of each is closed, not just the client's).
    await until(async () => (await heldConnections(bridge.port, ATTACKER)) === 0, { timeoutMs: 5000 });
  }, 30_000);

  it('a socket that sends nothing at all is closed', async () => {
    const c = await rawClient(bridge.port, { localAddress: ATTACKER });
    const opened = Date.now();
    const { at } = await c.closed;
    expect(at - opened).toBeLessThan(10 * TIMEOUT_MS);
  });

  it('a half-sent body gets 408 and its socket is closed', async () => {
    const c = await rawClient(bridge.port);
    c.socket.write(
      head(['POST /mcp HTTP/1.1', `Host: 127.0.0.1:${bridge.port}`, `Authorization: Bearer ${KEY}`, 'Content-Type: application/json', `Accept: ${ACCEPT_BOTH}`, 'Content-Length: 1000', '']) +
        '{"jsonrpc":"2.0",',
    );
    const sent = Date.now();
    const { at } = await c.closed;
    expect(c.status()).toBe(408);
    expect(at - sent).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
    expect(at - sent).toBeLessThan(10 * TIMEOUT_MS);
  });
});

describe('refusals close their socket at once', () => {
  const partialBody = (extra: string[]) =>
    head(['POST /mcp HTTP/1.1', 'Content-Type: application/json', `Accept: ${ACCEPT_BOTH}`, ...extra, '']) + '{"jsonrpc":"2.0",';
  for (const [status, headers] of [
    [401, ['Host: HOST', 'Content-Length: 1000']],
    [403, ['Host: evil.example', 'Content-Length: 1000']],
    [413, ['Host: HOST', `Authorization: Bearer ${KEY}`, `Content-Length: ${1024 * 1024}`]],
  ] as const) {
    it(`${status} with an unfinished body: the socket closes before the request timeout`, async () => {
      const c = await rawClient(bridge.port);
      // The port is only known once the bridge runs.
      c.socket.write(partialBody(headers.map((h) => (h === 'Host: HOST' ? `Host: 127.0.0.1:${bridge.port}` : h))));
      const sent = Date.now();
      const { at } = await c.closed;
      expect(c.status()).toBe(status);
      expect(c.received()).toMatch(/connection: close/i);
      // Well before the 408 would have come: the refusal itself closed it.
      expect(at - sent).toBeLessThan(TIMEOUT_MS);
    });
  }
});

describe('long-lived streams are not cut', () => {
  it('a GET stream and a long call outlive the request timeout', async () => {
    const sid = await openSession(bridge.url, '2025-11-25', AUTH);
    const get = await rawClient(bridge.port);
    get.socket.write(head(['GET /mcp HTTP/1.1', `Host: 127.0.0.1:${bridge.port}`, `Authorization: Bearer ${KEY}`, 'Accept: text/event-stream', `Mcp-Session-Id: ${sid}`, 'Mcp-Protocol-Version: 2025-11-25', '', '']));
    const call = post(bridge.url, { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'sleep', arguments: { ms: 6 * TIMEOUT_MS } } }, { ...AUTH, 'mcp-session-id': sid });
    const r = await call;
    expect(r.status).toBe(200);
    expect(r.messages.at(-1)).toMatchObject({ id: 7, result: { content: [{ text: `slept ${6 * TIMEOUT_MS}` }] } });
    expect(get.status()).toBe(200);
    expect(get.isClosed()).toBe(false);
    get.socket.destroy();
  }, 20_000);

  it('the initialize body still works through a normal fetch', async () => {
    const r = await post(bridge.url, initBody(), AUTH);
    expect(r.status).toBe(200);
  });
});
