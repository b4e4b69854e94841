import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { compile, createOpenApiServer, inspect, loadSpec, type CompileOptions, type OpenApiServerFactory, type RuntimeOptions } from './index.js';
import { parseMultipart, startRecordingServer, type RecordedRequest, type RecordingServer } from './test-support/recording-server.js';

type CallResult = { content: Array<Record<string, unknown>>; isError?: boolean };

/** What went over the wire, headers included, minus only the two the transport always adds. */
function wire(req: RecordedRequest) {
  const { connection: _c, host: _h, ...headers } = req.headers;
  return { method: req.method, url: req.url, headers, body: req.body.toString('latin1') };
}

describe('requests exactly as the spec says (issue #10 items 3-8)', () => {
  let api: RecordingServer;
  const opened: Array<{ client: Client; factory: OpenApiServerFactory }> = [];
  const logs: string[] = [];

  beforeAll(async () => {
    api = await startRecordingServer();
  });
  afterAll(async () => {
    for (const { client, factory } of opened) {
      await client.close();
      await factory.close();
    }
    await api.close();
  });

  async function open(spec: string, compileOptions: CompileOptions = {}, runtime: RuntimeOptions = {}) {
    const table = compile(await loadSpec(spec), compileOptions);
    const factory = createOpenApiServer(table, { baseUrl: `${api.url}/v1`, allowPrivate: true, log: (l) => logs.push(l), ...runtime });
    const [c, s] = InMemoryTransport.createLinkedPair();
    await factory().connect(s);
    const client = new Client({ name: 'wire', version: '1' });
    await client.connect(c);
    opened.push({ client, factory });
    const call = async (name: string, args: Record<string, unknown> = {}) => {
      const before = api.requests.length;
      const result = (await client.callTool({ name, arguments: args })) as unknown as CallResult;
      return { result, sent: api.requests.slice(before).map(wire) };
    };
    return { table, client, call };
  }

  it('3: primitive arrays in a deepObject form field are sent with brackets', async () => {
    const { call } = await open('specs/wire-defects-3.0.yaml');
    const { result, sent } = await call('createCharge', { amount: 100, expand: ['customer', 'invoice'], metadata: { order: '6735' }, tags: ['a', 'b'] });
    expect(result.isError).toBeFalsy();
    const body = 'amount=100&expand%5B%5D=customer&expand%5B%5D=invoice&metadata%5Border%5D=6735&tags=a&tags=b';
    expect(sent).toEqual([
      { method: 'POST', url: '/v1/charges', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length) }, body },
    ]);
  });

  it('4: an object body goes as merge patch, an array as JSON Patch, a chosen type always; inspect shows it', async () => {
    const { call, table, client } = await open('specs/wire-defects-3.0.yaml');
    const merge = await call('patchDeployment', { name: 'web', body: { spec: { replicas: 3 } } });
    expect(merge.result.isError).toBeFalsy();
    expect(merge.sent).toEqual([
      { method: 'PATCH', url: '/v1/deployments/web', headers: { 'content-type': 'application/merge-patch+json', 'content-length': '23' }, body: '{"spec":{"replicas":3}}' },
    ]);
    const ops = [{ op: 'replace', path: '/spec/replicas', value: 2 }];
    const patch = await call('patchDeployment', { name: 'web', body: ops });
    expect(patch.sent).toEqual([
      { method: 'PATCH', url: '/v1/deployments/web', headers: { 'content-type': 'application/json-patch+json', 'content-length': String(JSON.stringify(ops).length) }, body: JSON.stringify(ops) },
    ]);
    const listed = (await client.listTools()).tools.find((t) => t.name === 'patchDeployment')!;
    expect(JSON.stringify(listed.inputSchema)).toContain('array → application/json-patch+json');
    const row = inspect(table).tools.find((t) => t.name === 'patchDeployment')!;
    expect(row.params).toContain('*body (body application/merge-patch+json; array → application/json-patch+json)');

    const chosen = await open('specs/wire-defects-3.0.yaml', { mediaTypes: { patchDeployment: 'application/strategic-merge-patch+json' } });
    const strategic = await chosen.call('patchDeployment', { name: 'web', body: { spec: { replicas: 1 } } });
    expect(strategic.sent[0]!.headers['content-type']).toBe('application/strategic-merge-patch+json');
    await expect(open('specs/wire-defects-3.0.yaml', { mediaTypes: { patchDeployment: 'application/xml' } })).rejects.toThrow(/declares only application\/json-patch\+json/);
  });

  it('5: each file of a multipart file array is a binary part with its filename and type', async () => {
    const { call } = await open('specs/wire-defects-3.0.yaml');
    const a = Buffer.from([0, 1, 2, 0xff]);
    const b = Buffer.from('%PDF-1.4');
    const { result, sent } = await call('uploadFiles', {
      files: [{ content: a.toString('base64'), filename: 'a.bin' }, `data:application/pdf;base64,${b.toString('base64')}`],
      cover: { content: a.toString('base64'), filename: 'cover.png', contentType: 'image/png' },
      note: 'two files',
    });
    expect(result.isError).toBeFalsy();
    expect(sent).toHaveLength(1);
    const contentType = String(sent[0]!.headers['content-type']);
    const boundary = /boundary=(.+)$/.exec(contentType)![1]!;
    const part = (head: string, data: Buffer | string) => Buffer.concat([Buffer.from(`--${boundary}\r\n${head}\r\n\r\n`), Buffer.from(data), Buffer.from('\r\n')]);
    const expected = Buffer.concat([
      part('Content-Disposition: form-data; name="files"; filename="a.bin"\r\nContent-Type: application/octet-stream', a),
      part('Content-Disposition: form-data; name="files"; filename="files"\r\nContent-Type: application/pdf', b),
      part('Content-Disposition: form-data; name="cover"; filename="cover.png"\r\nContent-Type: image/png', a),
      part('Content-Disposition: form-data; name="note"', 'two files'),
      Buffer.from(`--${boundary}--\r\n`),
    ]);
    expect(sent[0]).toEqual({ method: 'POST', url: '/v1/files', headers: { 'content-type': contentType, 'content-length': String(expected.length) }, body: expected.toString('latin1') });
    expect(parseMultipart(Buffer.from(sent[0]!.body, 'latin1'), contentType).map((p) => p.filename)).toEqual(['a.bin', 'files', 'cover.png', undefined]);
  });

  it('6: Swagger 2.0 formData arrays follow collectionFormat (csv default, ssv, pipes, multi), urlencoded and multipart', async () => {
    const { call } = await open('specs/formdata-collections-2.0.json');
    const form = await call('postForm', { csv: ['a', 'b'], plain: ['c', 'd'], ssv: ['e', 'f'], pipes: [1, 2], multi: ['g', 'h'] });
    const body = 'csv=a%2Cb&plain=c%2Cd&ssv=e+f&pipes=1%7C2&multi=g&multi=h';
    expect(form.sent).toEqual([{ method: 'POST', url: '/v1/forms', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length) }, body }]);

    const multipart = await call('postMultipart', { labels: ['x', 'y'], ids: ['1', '2'] });
    const contentType = String(multipart.sent[0]!.headers['content-type']);
    const parts = parseMultipart(Buffer.from(multipart.sent[0]!.body, 'latin1'), contentType);
    expect(parts.map((p) => [p.name, p.data.toString()])).toEqual([['labels', 'x,y'], ['ids', '1'], ['ids', '2']]);
  });

  it('7: an empty optional body is no argument, and a GET or DELETE then sends no body and no Content-Type', async () => {
    const { call, client } = await open('specs/wire-defects-3.0.yaml');
    const tools = Object.fromEntries((await client.listTools()).tools.map((t) => [t.name, t]));
    expect(Object.keys(tools.listCharges!.inputSchema.properties ?? {})).toEqual(['limit']);
    expect(Object.keys(tools.deleteCharge!.inputSchema.properties ?? {})).toEqual(['id']);
    expect((await call('listCharges', { limit: 3 })).sent).toEqual([{ method: 'GET', url: '/v1/charges?limit=3', headers: {}, body: '' }]);
    const refused = await call('listCharges', { body: {} });
    expect(refused.result.isError).toBe(true);
    expect(refused.sent).toEqual([]);
    expect((await call('deleteCharge', { id: 'ch_1' })).sent).toEqual([{ method: 'DELETE', url: '/v1/charges/ch_1', headers: {}, body: '' }]);
  });

  it('8: a format mismatch warns and is sent; types and enums stay strict; --strict-formats refuses', async () => {
    const { call } = await open('specs/wire-defects-3.0.yaml');
    logs.length = 0;
    const lenient = await call('listEvents', { since: '2020-01-01' });
    expect(lenient.result.isError).toBeFalsy();
    expect(lenient.sent).toEqual([{ method: 'GET', url: '/v1/events?since=2020-01-01', headers: {}, body: '' }]);
    expect(logs.join('\n')).toMatch(/listEvents: arguments do not match their declared format.*since: must match format "date-time"/);
    const badEnum = await call('listEvents', { kind: 'fetch' });
    expect(badEnum.result.isError).toBe(true);
    expect(badEnum.sent).toEqual([]);
    const badType = await call('listEvents', { since: 2020 });
    expect(badType.result.isError).toBe(true);

    const strict = await open('specs/wire-defects-3.0.yaml', {}, { strictFormats: true });
    const refused = await strict.call('listEvents', { since: '2020-01-01' });
    expect(refused.result.isError).toBe(true);
    expect(String(refused.result.content[0]!.text)).toMatch(/since: must match format "date-time"/);
    expect(refused.sent).toEqual([]);
    expect((await strict.call('listEvents', { since: '2020-01-01T00:00:00Z' })).sent[0]!.url).toBe('/v1/events?since=2020-01-01T00%3A00%3A00Z');
  });
});
