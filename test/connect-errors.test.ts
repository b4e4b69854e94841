// Bad upstreams through `switchboard connect`: each gives a clear message on stderr and a JSON-RPC error to the
// client — no hang, no crash (the process stays up and answers the next attempt too).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { connectArgs, freePort, killAll, stop, track, until } from './fixtures/connect-helpers.js';

const servers: (http.Server | https.Server)[] = [];
let base = '';
let tlsBase = '';

const handler: http.RequestListener = (req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  req.resume();
  if (path === '/fail500') {
    res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'database on fire' }));
  } else if (path === '/html') {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body><h1>Welcome to my blog</h1></body></html>');
  } else if (path === '/malformed') {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: {this is not json\n\n');
    res.write('event: message\ndata: [1,2\n\n');
    res.end();
  } else if (path === '/loop') {
    res.writeHead(307, { location: '/loop' }).end();
  } else if (path === '/silent-sse') {
    // An event stream that never sends the endpoint event.
    if (req.method === 'GET') res.writeHead(200, { 'content-type': 'text/event-stream' }).write(': hello\n\n');
    else res.writeHead(405).end();
  } else {
    res.writeHead(404).end();
  }
};

beforeAll(async () => {
  const plain = http.createServer(handler);
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
  servers.push(plain);
  const dir = mkdtempSync(join(tmpdir(), 'sb-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
  const tls = https.createServer({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }, handler);
  await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
  tlsBase = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
  servers.push(tls);
});

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  await killAll();
});

const INIT = (id: number) =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bad-inputs', version: '1' } } }) + '\n';

/** Drives the connect process raw over stdio: two initialize attempts, each must be answered with a JSON-RPC error. */
async function attempt(url: string, extra: string[] = []) {
  const { command, args } = connectArgs(url, ['--connect-timeout', '3s', '--log-level', 'info', ...extra]);
  const child = track(spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true }));
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdout!.on('data', (d) => (stdout += d));
  const lines = () => stdout.split('\n').slice(0, -1).filter(Boolean).map((l) => JSON.parse(l) as { id: number; error?: { message: string } });
  const t0 = Date.now();
  child.stdin!.write(INIT(1));
  await until(() => lines().length >= 1 || child.exitCode !== null, { timeoutMs: 15_000, what: 'an answer to initialize' });
  const elapsed = Date.now() - t0;
  child.stdin!.write(INIT(2));
  await until(() => lines().length >= 2 || child.exitCode !== null, { timeoutMs: 15_000, what: 'an answer to the second initialize' });
  const alive = child.exitCode === null && child.signalCode === null;
  const answers = lines();
  await stop(child);
  const first = answers[0];
  const err = first?.error ? new Error(first.error.message) : undefined;
  return { err, elapsed, alive, answers, stderr: () => stderr };
}

describe('connect: bad upstreams give a clear error, no hang, no crash', () => {
  it.each([
    ['unreachable host (closed port)', async () => `http://127.0.0.1:${await freePort()}/mcp`, /cannot reach .*ECONNREFUSED/],
    ['TLS failure (self-signed certificate)', async () => `${tlsBase}/mcp`, /TLS handshake .* failed/],
    ['HTTP 500', async () => `${base}/fail500`, /returned 500: database on fire\. The remote server failed/],
    ['a web page, not an MCP server', async () => `${base}/html`, /does not look like an MCP server/],
    ['malformed SSE on the response stream', async () => `${base}/malformed`, /closed the response stream before answering initialize|does not look like an MCP server/],
    ['redirect loop', async () => `${base}/loop`, /redirected too often|Redirect/],
    ['an SSE stream without an endpoint event', async () => `${base}/silent-sse`, /no SSE endpoint event|does not look like an MCP server/],
  ])('%s', async (_name, url, pattern) => {
    const r = await attempt(await url());
    expect(r.err, `the client gets a JSON-RPC error: ${JSON.stringify(r.answers)} ${r.stderr()}`).toBeInstanceOf(Error);
    expect(r.err!.message).toMatch(pattern);
    expect(r.stderr()).toMatch(pattern);
    expect(r.elapsed).toBeLessThan(15_000);
    expect(r.alive, 'the connect process did not crash').toBe(true);
    expect(r.answers.map((a) => a.id)).toEqual([1, 2]);
    expect(r.stderr()).not.toMatch(/Uncaught|TypeError|ReferenceError/);
  });

  it('refuses plain http to a non-loopback host without --allow-http', async () => {
    const { command, args } = connectArgs('http://example.com/mcp');
    let stderr = '';
    const child = track(spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] }));
    child.stderr!.on('data', (d) => (stderr += d));
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(2);
    expect(stderr).toMatch(/refusing plain http to example\.com.*--allow-http/);
  });
});
