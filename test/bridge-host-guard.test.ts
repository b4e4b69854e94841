/**
 * The DNS-rebinding guard stays on however loopback is written in --host: a page on evil.com that resolves to
 * 127.0.0.1 still sends Host: evil.com, and must get 403.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { DEMO, startBridge, type RunningBridge } from './helpers/bridge.js';
import { initBody } from './helpers/http.js';

let bridge: RunningBridge | undefined;
afterEach(async () => {
  await bridge?.stop();
  bridge = undefined;
});

/** A POST to the bridge with the Host header we choose (fetch would set it from the URL). */
function postWithHost(address: string, port: number, host: string): Promise<number> {
  const body = JSON.stringify(initBody());
  return new Promise((resolve, reject) => {
    const req = request(
      { host: address, port, path: '/mcp', method: 'POST', headers: { host, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('DNS-rebinding guard', () => {
  for (const host of ['::ffff:127.0.0.1', '0:0:0:0:0:0:0:1']) {
    it(`--host ${host} refuses Host: evil.com and serves a loopback Host`, async () => {
      // ::1 written out needs an IPv6 loopback to bind to; ::ffff:127.0.0.1 listens on 127.0.0.1.
      bridge = await startBridge(['--log-level', 'warn', '--host', host], [process.execPath, DEMO]).catch((e: Error) => {
        if (host.includes('0:0:0') && /EADDRNOTAVAIL|EAFNOSUPPORT/.test(e.message)) return undefined;
        throw e;
      });
      if (!bridge) return;
      const [address, loopbackHost] = host.startsWith('::ffff') ? ['127.0.0.1', 'localhost'] : ['::1', '[::1]'];
      expect(await postWithHost(address, bridge.port, 'evil.com')).toBe(403);
      expect(await postWithHost(address, bridge.port, `${loopbackHost}:${bridge.port}`)).toBe(200);
    });
  }
});
