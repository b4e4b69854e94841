/**
 * A slow call shows its stream at once: the headers and a priming event (an id, empty data) leave within a moment,
 * long before the answer; a fast call still leaves as one write with a Content-Length; the priming id resumes the
 * stream; clients of protocols before 2025-11-25 get a comment instead of an empty event; SDK clients are happy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ROOT, startBridge, type RunningBridge } from './helpers/bridge.js';
import { ACCEPT_BOTH, openSession, parseMessages } from './helpers/http.js';

const SLEEP_MS = 3000;

let bridge: RunningBridge;
beforeAll(async () => {
  bridge = await startBridge(['--log-level', 'warn', '--isolation', 'shared', '--keepalive', '60s'], [process.execPath, `${ROOT}test/fixtures/echo-server.mjs`]);
});
afterAll(async () => {
  await bridge?.stop();
});

interface Timed {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** ms from sending to the response headers, and to the first and last byte of the body. */
  headersAt: number;
  firstChunkAt: number;
  endAt: number;
  firstChunk: string;
  body: string;
}

/** A POST whose timing we can see: when the headers came, when the first body bytes came, when it ended. */
function timedPost(body: object, headers: Record<string, string>, abortAfterFirstChunk = false): Promise<Timed> {
  const text = JSON.stringify(body);
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: bridge.port, method: 'POST', path: '/mcp', headers: { 'content-type': 'application/json', accept: ACCEPT_BOTH, 'content-length': Buffer.byteLength(text), ...headers } },
      (res) => {
        const r: Timed = { status: res.statusCode!, headers: res.headers, headersAt: Date.now() - t0, firstChunkAt: -1, endAt: -1, firstChunk: '', body: '' };
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          if (r.firstChunkAt < 0) {
            r.firstChunkAt = Date.now() - t0;
            r.firstChunk = d;
            if (abortAfterFirstChunk) {
              req.destroy();
              resolve(r);
            }
          }
          r.body += d;
        });
        res.on('end', () => {
          r.endAt = Date.now() - t0;
          resolve(r);
        });
      },
    );
    req.on('error', (e) => (abortAfterFirstChunk ? undefined : reject(e)));
    req.end(text);
  });
}

const sleepCall = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'sleep', arguments: { ms: SLEEP_MS } } });

describe('long calls', () => {
  it('headers and a priming event leave at once; the answer follows on the same stream', async () => {
    const sid = await openSession(bridge.url, '2025-11-25');
    const r = await timedPost(sleepCall(1), { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25' });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/event-stream');
    expect(r.headers['content-length']).toBeUndefined();
    // The answer needs 3 s; the headers come after the 50 ms fast-answer wait (bound: 20× it, for a loaded machine).
    expect(r.headersAt).toBeLessThan(1000);
    expect(r.firstChunkAt).toBeLessThan(1000);
    expect(r.firstChunk).toMatch(/^id: \S+\ndata: \n\n$/);
    expect(r.endAt).toBeGreaterThanOrEqual(SLEEP_MS - 100);
    expect(parseMessages('text/event-stream', r.body)).toEqual([{ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: `slept ${SLEEP_MS}` }] } }]);
  }, 20_000);

  it('a fast answer keeps its single write: Content-Length, no priming event', async () => {
    const sid = await openSession(bridge.url, '2025-11-25');
    const r = await timedPost({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { a: 1 } } }, { 'mcp-session-id': sid });
    expect(r.headers['content-length']).toBe(String(Buffer.byteLength(r.body)));
    expect(r.body).not.toMatch(/data: \n/);
    expect(parseMessages('text/event-stream', r.body)).toHaveLength(1);
  });

  it('the priming id resumes the stream: the answer arrives on a GET with Last-Event-ID', async () => {
    const sid = await openSession(bridge.url, '2025-11-25');
    const first = await timedPost(sleepCall(3), { 'mcp-session-id': sid }, true);
    const primingId = /^id: (\S+)/.exec(first.firstChunk)![1]!;
    const res = await fetch(bridge.url, { headers: { accept: 'text/event-stream', 'mcp-session-id': sid, 'last-event-id': primingId } });
    expect(res.status).toBe(200);
    const messages = parseMessages('text/event-stream', await res.text());
    expect(messages).toEqual([{ jsonrpc: '2.0', id: 3, result: { content: [{ type: 'text', text: `slept ${SLEEP_MS}` }] } }]);
  }, 20_000);

  it('clients of 2025-06-18 and earlier get a comment, not an empty event', async () => {
    const sid = await openSession(bridge.url, '2025-06-18');
    const r = await timedPost(sleepCall(4), { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' });
    expect(r.headersAt).toBeLessThan(1000);
    expect(r.firstChunk).toBe(': stream open\n\n');
    expect(r.body).not.toMatch(/data: \n/);
    expect(parseMessages('text/event-stream', r.body)).toEqual([expect.objectContaining({ id: 4 })]);
  }, 20_000);

  it('an SDK client calls a slow tool through the primed stream', async () => {
    const client = new Client({ name: 'long', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(bridge.url)));
    const r = await client.callTool({ name: 'sleep', arguments: { ms: 500 } });
    expect(r.content).toEqual([{ type: 'text', text: 'slept 500' }]);
    await client.close();
  }, 20_000);
});
