import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, InMemoryTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { compile, createOpenApiServer, listenHttp, loadSpec, serveStdio, type OpenApiServerFactory } from './index.js';
import { parseMultipart, startRecordingServer, type RecordingServer } from './test-support/recording-server.js';

type CallResult = { content: Array<Record<string, unknown>>; structuredContent?: Record<string, unknown>; isError?: boolean };

async function connect(factory: OpenApiServerFactory): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await factory().connect(serverSide);
  const client = new Client({ name: 'e2e', version: '1.0.0' });
  await client.connect(clientSide);
  return client;
}

const text = (result: CallResult) => result.content.filter((c) => c.type === 'text').map((c) => c.text as string).join('\n');

describe('serialization spec end to end (SDK Client → McpServer → real HTTP API)', () => {
  let api: RecordingServer;
  let factory: OpenApiServerFactory;
  let client: Client;
  const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as unknown as CallResult;
  const last = () => api.requests.at(-1)!;

  beforeAll(async () => {
    api = await startRecordingServer();
    const table = compile(await loadSpec('specs/serialization-3.1.yaml'));
    factory = createOpenApiServer(table, { baseUrl: `${api.url}/base`, allowPrivate: true, maxResponseBytes: 2048, timeoutMs: 2000, defaultHeaders: { 'X-Tenant': 'env:SB_TEST_TENANT' } });
    process.env.SB_TEST_TENANT = 'tenant-42';
    client = await connect(factory);
  });
  afterAll(async () => {
    await client.close();
    await factory.close();
    await api.close();
  });

  it('lists every tool with an object inputSchema and method-derived annotations', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['failAlways', 'followRedirect', 'getBig', 'getDrift', 'getFile', 'patchItem', 'pathStyles', 'postList', 'postNote', 'putBlob', 'queryStyles', 'submitForm', 'uploadFile']);
    for (const tool of tools) expect(tool.inputSchema.type).toBe('object');
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(byName.getFile!.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });
    expect(byName.putBlob!.annotations).toMatchObject({ readOnlyHint: false, idempotentHint: true });
    expect(byName.patchItem!.annotations).toMatchObject({ readOnlyHint: false, idempotentHint: false, destructiveHint: false });
    // Authorization is owned by the adapter, never an argument.
    expect(Object.keys(byName.queryStyles!.inputSchema.properties ?? {})).not.toContain('Authorization');
  });

  it('serialises query, header and cookie styles exactly', async () => {
    const result = await call('queryStyles', {
      formExploded: ['a b', 'c'],
      formFlat: [1, 2],
      spaced: ['x', 'y'],
      piped: ['p', 'q'],
      filter: { color: 'red', size: { min: 1, max: 3 } },
      point: { x: 1, y: 2 },
      reserved: 'a/b?c',
      plain: 'a/b?c&d',
      json: { q: 'v' },
      'X-Trace-Ids': ['t1', 't2'],
      'X-Pair': { k: 'v' },
      session: 'abc;def',
      prefs: ['dark', 'compact'],
    });
    expect(result.isError).toBeFalsy();
    const request = last();
    expect(request.url).toBe(
      '/base/query?formExploded=a%20b&formExploded=c&formFlat=1,2&spaced=x%20y&piped=p|q&filter[color]=red&filter[size][min]=1&filter[size][max]=3&x=1&y=2&reserved=a/b?c&plain=a%2Fb%3Fc%26d&json=%7B%22q%22%3A%22v%22%7D',
    );
    expect(request.headers['x-trace-ids']).toBe('t1,t2');
    expect(request.headers['x-pair']).toBe('k=v');
    expect(request.headers.cookie).toBe('session=abc%3Bdef; prefs=dark,compact');
    expect(request.headers['x-tenant']).toBe('tenant-42');
    // The echo matches the declared object response schema, so it comes back structured too.
    expect(result.structuredContent).toEqual({ method: 'GET', url: request.url });
  });

  it('serialises path styles (simple, label+explode, matrix)', async () => {
    await call('pathStyles', { simple: ['a', 'b'], label: ['x', 'y'], matrix: { a: 'q r', b: 2 } });
    expect(last().url).toBe('/base/styles/a,b/.x.y/;matrix=a,q%20r,b,2');
  });

  it('sends form bodies with nested objects in bracket notation', async () => {
    await call('submitForm', { name: 'Ann Lee', tags: ['a', 'b'], address: { city: 'Oslo', geo: { lat: 59.9 } } });
    const request = last();
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(request.body.toString());
    expect([...form.entries()]).toEqual([
      ['name', 'Ann Lee'],
      ['tags', 'a,b'],
      ['address[city]', 'Oslo'],
      ['address[geo][lat]', '59.9'],
    ]);
  });

  it('sends multipart with file parts decoded from base64', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
    const result = await call('uploadFile', { file: png.toString('base64'), caption: 'hi', meta: { album: 'x' } });
    expect(result.isError).toBeFalsy();
    const request = last();
    const parts = parseMultipart(request.body, String(request.headers['content-type']));
    expect(parts.map((p) => p.name)).toEqual(['file', 'caption', 'meta']);
    expect(parts[0]!.data.equals(png)).toBe(true);
    expect(parts[0]!.filename).toBe('file');
    expect(parts[1]!.data.toString()).toBe('hi');
    expect(parts[2]!.type).toBe('application/json');
    expect(JSON.parse(parts[2]!.data.toString())).toEqual({ album: 'x' });
  });

  it('refuses a local file path where file content is expected, without sending anything', async () => {
    const before = api.requests.length;
    const result = await call('uploadFile', { file: '/etc/passwd' });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/base64/);
    expect(api.requests.length).toBe(before);
  });

  it('sends text, octet-stream, merge-patch and array bodies; renames a clashing body id', async () => {
    const note = (await call('postNote', { body: 'hello\nworld' })) as CallResult;
    expect(last().headers['content-type']).toBe('text/plain');
    expect(last().body.toString()).toBe('hello\nworld');
    expect(text(note)).toContain('"method":"POST"');

    await call('putBlob', { body: Buffer.from('raw-bytes').toString('base64') });
    expect(last().headers['content-type']).toBe('application/octet-stream');
    expect(last().body.toString()).toBe('raw-bytes');

    await call('patchItem', { id: 'path-1', id_body: 'body-1', title: null });
    expect(last().method).toBe('PATCH');
    expect(last().url).toBe('/base/items/path-1');
    expect(last().headers['content-type']).toBe('application/merge-patch+json');
    expect(JSON.parse(last().body.toString())).toEqual({ id: 'body-1', title: null });

    await call('postList', { body: [{ n: 1 }, { n: 2 }] });
    expect(JSON.parse(last().body.toString())).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('validates arguments before any request, naming the parameter and the rule', async () => {
    const before = api.requests.length;
    const bad = await call('patchItem', { id: 'x', count: 0, bogus: 1 });
    expect(bad.isError).toBe(true);
    expect(text(bad)).toMatch(/count: .*\(exclusiveMinimum\)/);
    expect(text(bad)).toMatch(/bogus: unknown parameter \(additionalProperties\)/);
    const missing = await call('submitForm', {});
    expect(text(missing)).toMatch(/name: is required \(required\)/);
    expect(api.requests.length).toBe(before);
  });

  it('accepts nested objects sent as JSON strings', async () => {
    const result = await call('queryStyles', { filter: '{"color":"blue"}', formExploded: '["a"]' });
    expect(result.isError).toBeFalsy();
    expect(last().url).toBe('/base/query?formExploded=a&filter[color]=blue');
  });

  it('maps binary responses to an embedded resource with its mime type', async () => {
    api.routes.set('/base/files/report.bin', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.from([1, 2, 3, 250]));
    });
    const result = await call('getFile', { name: 'report.bin' });
    const resource = result.content[0] as { type: string; resource: { mimeType: string; blob: string } };
    expect(resource.type).toBe('resource');
    expect(resource.resource.mimeType).toBe('application/octet-stream');
    expect(Buffer.from(resource.resource.blob, 'base64')).toEqual(Buffer.from([1, 2, 3, 250]));
  });

  it('caps responses at maxResponseBytes with a clear note', async () => {
    api.routes.set('/base/big', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('x'.repeat(10_000));
    });
    const result = await call('getBig', {});
    expect(result.isError).toBeFalsy();
    const body = text(result);
    expect(body.startsWith('x'.repeat(2048))).toBe(true);
    expect(body).toMatch(/\[truncated: the response exceeded maxResponseBytes \(2048 bytes\)/);
    expect(body.length).toBeLessThan(2300);
  });

  it('reports non-2xx as isError with status, reason and a trimmed body', async () => {
    api.routes.set('/base/fail', (_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'kaput', detail: 'y'.repeat(5000) }));
    });
    const result = await call('failAlways', {});
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/^HTTP 500 Internal Server Error from GET \/fail/);
    expect(text(result)).toContain('kaput');
    expect(text(result).length).toBeLessThan(2300);
  });

  it('falls back to text when a 2xx body drifts from the declared schema', async () => {
    api.routes.set('/base/drift', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'not-an-integer' }));
    });
    const result = await call('getDrift', {});
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toBeUndefined();
    expect(text(result)).toBe('{"id":"not-an-integer"}');
  });

  it('retries idempotent requests on 503 but never a POST', async () => {
    let gets = 0;
    api.routes.set('GET /base/big', (_req, res) => {
      gets++;
      if (gets === 1) {
        res.writeHead(503, { 'retry-after': '0' });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
    const ok = await call('getBig', {});
    expect(text(ok)).toBe('ok');
    expect(gets).toBe(2);
    let posts = 0;
    api.routes.set('POST /base/notes', (_req, res) => {
      posts++;
      res.writeHead(503);
      res.end('busy');
    });
    const failed = await call('postNote', { body: 'x' });
    expect(failed.isError).toBe(true);
    expect(posts).toBe(1);
    api.routes.delete('GET /base/big');
    api.routes.delete('POST /base/notes');
  });

  it('times out slow upstreams with a clear error', async () => {
    api.routes.set('/base/drift', (_req, res) => {
      setTimeout(() => {
        res.writeHead(200);
        res.end('{}');
      }, 8000).unref();
    });
    const quick = createOpenApiServer(compile(await loadSpec('specs/serialization-3.1.yaml')), { baseUrl: `${api.url}/base`, allowPrivate: true, timeoutMs: 200 });
    const quickClient = await connect(quick);
    // Validators compile on a tool's first call; keep that (slow on a loaded box) out of the timed call.
    await quickClient.callTool({ name: 'getDrift', arguments: { unknown: 1 } });
    const started = Date.now();
    const result = (await quickClient.callTool({ name: 'getDrift', arguments: {} })) as unknown as CallResult;
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/timed out/);
    // 200 ms deadline vs an 8 s upstream: anything well under 8 s proves the deadline cut it.
    expect(Date.now() - started).toBeLessThan(5000);
    await quickClient.close();
    await quick.close();
    api.routes.delete('/base/drift');
  });
});

describe('serving', () => {
  let api: RecordingServer;
  beforeAll(async () => {
    api = await startRecordingServer();
  });
  afterAll(async () => api.close());

  it('serves over Streamable HTTP to the SDK client (auto era negotiation)', async () => {
    const factory = createOpenApiServer(compile(await loadSpec('specs/serialization-3.1.yaml')), { baseUrl: `${api.url}/base`, allowPrivate: true });
    const http = await listenHttp(factory);
    const client = new Client({ name: 'http-e2e', version: '1' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new StreamableHTTPClientTransport(new URL(http.url)));
    const { tools } = await client.listTools();
    expect(tools.length).toBe(13);
    const result = (await client.callTool({ name: 'pathStyles', arguments: { simple: ['1'], label: ['2'], matrix: { a: '3' } } })) as unknown as CallResult;
    expect(result.isError).toBeFalsy();
    expect(api.requests.at(-1)!.url).toBe('/base/styles/1/.2/;matrix=a,3');
    await client.close();
    await http.close();
    await factory.close();
  });

  it('serves through serveStdio (given a transport) for 2025-era clients', async () => {
    const factory = createOpenApiServer(compile(await loadSpec('specs/serialization-3.1.yaml')), { baseUrl: `${api.url}/base`, allowPrivate: true });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const handle = serveStdio(factory, { transport: serverSide });
    const client = new Client({ name: 'stdio-e2e', version: '1' });
    await client.connect(clientSide);
    const result = (await client.callTool({ name: 'postNote', arguments: { body: 'via stdio' } })) as unknown as CallResult;
    expect(result.isError).toBeFalsy();
    expect(api.requests.at(-1)!.body.toString()).toBe('via stdio');
    await client.close();
    await handle.close();
    await factory.close();
  });
});
