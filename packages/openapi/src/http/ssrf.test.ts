import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { compile, createOpenApiServer, loadSpec, type OpenApiServerFactory, type RuntimeOptions } from '../index.js';
import { startRecordingServer, type RecordingServer } from '../test-support/recording-server.js';
import { isPrivateAddress } from './address.js';

type CallResult = { content: Array<{ type: string; text?: string }>; isError?: boolean };
const text = (r: CallResult) => r.content.map((c) => c.text ?? '').join('\n');

describe('address classification', () => {
  it.each([
    ['127.0.0.1', true], ['10.1.2.3', true], ['172.16.0.1', true], ['172.32.0.1', false], ['192.168.1.1', true], ['169.254.169.254', true],
    ['100.64.0.1', true], ['0.0.0.0', true], ['8.8.8.8', false], ['::1', true], ['::', true], ['fe80::1', true], ['fd00::1', true],
    ['::ffff:127.0.0.1', true], ['::ffff:8.8.8.8', false], ['64:ff9b::a00:1', true], ['2606:4700::1111', false], ['not-an-ip', true],
  ])('%s private=%s', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });
});

describe('egress: neither the spec nor an argument can reach an unlisted or private host', () => {
  let api: RecordingServer;
  let other: RecordingServer;
  const factories: OpenApiServerFactory[] = [];
  const clients: Client[] = [];

  beforeAll(async () => {
    api = await startRecordingServer();
    other = await startRecordingServer();
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    for (const f of factories) await f.close();
    await api.close();
    await other.close();
  });

  async function open(options: RuntimeOptions) {
    const factory = createOpenApiServer(compile(await loadSpec('specs/serialization-3.1.yaml')), options);
    factories.push(factory);
    const [c, s] = InMemoryTransport.createLinkedPair();
    await factory().connect(s);
    const client = new Client({ name: 'ssrf', version: '1' });
    await client.connect(c);
    clients.push(client);
    return async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as unknown as CallResult;
  }

  it('refuses a hostname that resolves to loopback (DNS rebinding), checked on the socket', async () => {
    const rebinding = async () => [{ address: '127.0.0.1', family: 4 }];
    const call = await open({ baseUrl: `http://api.rebind.test:${api.port}/base`, resolve: rebinding });
    const before = api.requests.length;
    const result = await call('postNote', { body: 'x' });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/api\.rebind\.test: it resolves to 127\.0\.0\.1, a private, loopback or link-local address/);
    expect(api.requests.length).toBe(before);
  });

  it('connects to the very address that was checked (allowPrivate opt-in uses the same resolver)', async () => {
    const pinned = async () => [{ address: '127.0.0.1', family: 4 }];
    const call = await open({ baseUrl: `http://api.rebind.test:${api.port}/base`, resolve: pinned, allowPrivate: true });
    const result = await call('postNote', { body: 'pinned' });
    expect(result.isError).toBeFalsy();
    expect(api.requests.at(-1)!.headers.host).toBe(`api.rebind.test:${api.port}`);
  });

  it('refuses a private IP literal unless allowPrivate', async () => {
    const call = await open({ baseUrl: `${api.url}/base` });
    const result = await call('postNote', { body: 'x' });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/Refused to connect to 127\.0\.0\.1: private, loopback or link-local address/);
  });

  it('refuses redirects to hosts that are not allowlisted, and never touches them', async () => {
    const call = await open({ baseUrl: `${api.url}/base`, allowPrivate: true });
    api.routes.set('/base/redirect', (req, res) => {
      const to = new URL(req.url, 'http://x').searchParams.get('to')!;
      res.writeHead(302, { location: to });
      res.end();
    });
    for (const target of [`http://localhost:${other.port}/steal`, `${other.url}/steal`, 'http://169.254.169.254/latest/meta-data/']) {
      const result = await call('followRedirect', { to: target });
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(/Refused redirect from http:\/\/127\.0\.0\.1:\d+ to .*: host is not on the allowlist/);
    }
    expect(other.requests.length).toBe(0);
    // A same-origin redirect is followed (and still checked).
    api.routes.set('/base/final', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('landed');
    });
    expect(text(await call('followRedirect', { to: '/base/final' }))).toBe('landed');
  });

  it('keeps "@", "%2e%2e" and "../" in arguments inside encoded path segments on the allowlisted host', async () => {
    const call = await open({ baseUrl: `${api.url}/base`, allowPrivate: true });
    const before = api.requests.length;
    const dotdot = await call('getFile', { name: '..' });
    expect(dotdot.isError).toBe(true);
    expect(text(dotdot)).toMatch(/must not be empty, "\." or "\.\."/);
    expect(api.requests.length).toBe(before);

    await call('getFile', { name: '../../admin' });
    expect(api.requests.at(-1)!.url).toBe('/base/files/..%2F..%2Fadmin');
    await call('getFile', { name: '%2e%2e' });
    expect(api.requests.at(-1)!.url).toBe('/base/files/%252e%252e');
    await call('getFile', { name: `evil@localhost:${other.port}` });
    expect(api.requests.at(-1)!.url).toBe(`/base/files/evil%40localhost%3A${other.port}`);
    await call('queryStyles', { plain: `@localhost:${other.port}/x#frag` });
    expect(api.requests.at(-1)!.url).toBe(`/base/query?plain=%40localhost%3A${other.port}%2Fx%23frag`);
    expect(other.requests.length).toBe(0);
  });

  it('rejects header values with line breaks (no header injection)', async () => {
    const call = await open({ baseUrl: `${api.url}/base`, allowPrivate: true });
    const result = await call('queryStyles', { 'X-Trace-Ids': ['a\r\nX-Evil: 1'] });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/must not contain line breaks/);
  });
});
