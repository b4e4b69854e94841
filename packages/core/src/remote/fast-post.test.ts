import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serialize, type Message } from '../jsonrpc.js';
import { FastPoster, type AnswerSink } from './fast-post.js';

// A real loopback server whose answer depends on the path: the fast path against real HTTP, no mocks.
const routes: Record<string, (req: IncomingMessage, res: ServerResponse, body: string) => void> = {
  '/sse': (_req, res, body) => {
    const { id } = JSON.parse(body) as { id: number };
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`id: e1\ndata: {"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":1}}\n\n`);
    setTimeout(() => res.end(`data: {"jsonrpc":"2.0","id":${id},"result":{"ok":true}}\n\n`), 10);
  },
  '/sse-broken': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end('id: e9\ndata:\n\n');
  },
  '/json': (_req, res, body) => {
    const { id } = JSON.parse(body) as { id: number };
    res.writeHead(200, { 'content-type': 'application/json' }).end(`{"jsonrpc":"2.0","id":${id},"result":{"n":1}}`);
  },
  '/accepted': (_req, res) => void res.writeHead(202).end(),
  '/gone': (_req, res) => void res.writeHead(404).end('{"error":"Session not found"}'),
  '/broken': (_req, res) => void res.writeHead(503).end('overloaded'),
  '/headers': (req, res, body) => {
    const { id } = JSON.parse(body) as { id: number };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id, result: { sid: req.headers['mcp-session-id'], auth: req.headers.authorization } }));
  },
};

let server: Server;
let origin: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const route = routes[req.url ?? ''];
      if (route) route(req, res, body);
      else res.writeHead(500).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function collect() {
  const messages: Message[] = [];
  let ended: { answered: boolean; lastEventId?: string } | undefined;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const sink: AnswerSink = {
    message: (m) => messages.push(m),
    end: (answered, lastEventId) => {
      ended = { answered, lastEventId };
      done();
    },
    invalid: (err) => {
      throw err;
    },
  };
  return { sink, messages, finished, ended: () => ended };
}

const call = (id: number) => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo' } });
const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

describe('FastPoster', () => {
  it('streams an SSE answer to the sink (progress first, then the response), then reports it answered', async () => {
    const fast = await FastPoster.create(new URL(`${origin}/sse`));
    const c = collect();
    expect(await fast.post(call(3), HEADERS, 0, true, c.sink)).toBe('sent');
    await c.finished;
    expect(c.messages.map((m) => ('method' in m ? m.method : `answer ${String((m as { id: number }).id)}`))).toEqual(['notifications/progress', 'answer 3']);
    expect(c.ended()).toEqual({ answered: true, lastEventId: 'e1' });
    // An unchanged answer is written out again as the text it came as.
    expect(serialize(c.messages[1]!)).toBe('{"jsonrpc":"2.0","id":3,"result":{"ok":true}}');
    fast.close();
  });

  it('a stream that ends with no answer is reported unanswered, with the id to resume from', async () => {
    const fast = await FastPoster.create(new URL(`${origin}/sse-broken`));
    const c = collect();
    await fast.post(call(4), HEADERS, 0, true, c.sink);
    await c.finished;
    expect(c.ended()).toEqual({ answered: false, lastEventId: 'e9' });
    fast.close();
  });

  it('delivers a JSON answer before resolving, and sends the headers it is given', async () => {
    const fast = await FastPoster.create(new URL(`${origin}/headers`));
    const c = collect();
    expect(await fast.post(call(5), { ...HEADERS, 'mcp-session-id': 's-1', authorization: 'Bearer t' }, 0, true, c.sink)).toBe('sent');
    expect(c.messages).toEqual([{ jsonrpc: '2.0', id: 5, result: { sid: 's-1', auth: 'Bearer t' } }]);
    fast.close();
  });

  it('202 is sent; a 4xx comes back as a refusal with its status, headers and body; a 5xx throws an HTTP error', async () => {
    const base = (p: string) => FastPoster.create(new URL(`${origin}${p}`));
    const c = collect();
    const note = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } });
    expect(await (await base('/accepted')).post(note, HEADERS, 1000, false, c.sink)).toBe('sent');
    expect(await (await base('/gone')).post(call(6), HEADERS, 0, true, c.sink)).toMatchObject({ status: 404, text: '{"error":"Session not found"}', headers: { connection: 'keep-alive' } });
    await expect((await base('/broken')).post(call(7), HEADERS, 0, true, c.sink)).rejects.toMatchObject({ status: 503, data: { text: 'overloaded' } });
    const json = collect();
    await (await base('/json')).post(call(8), HEADERS, 0, true, json.sink);
    expect(json.messages).toEqual([{ jsonrpc: '2.0', id: 8, result: { n: 1 } }]);
    expect(c.messages).toEqual([]);
  });

  it('an unreachable server is a typed error naming the URL', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const fast = await FastPoster.create(new URL(`http://127.0.0.1:${port}/mcp`));
    await expect(fast.post(call(9), HEADERS, 0, true, collect().sink)).rejects.toMatchObject({ code: expect.stringMatching(/^SB_/) });
    fast.close();
  });
});
