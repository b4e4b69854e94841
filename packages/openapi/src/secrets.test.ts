import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { compile, createOpenApiServer, inspect, loadSpec, type OpenApiServerFactory, type RuntimeOptions } from './index.js';
import { startRecordingServer, type RecordedRequest, type RecordingServer } from './test-support/recording-server.js';
import type { ServerResponse } from 'node:http';

type CallResult = { content: Array<Record<string, unknown>>; structuredContent?: Record<string, unknown>; isError?: boolean };

const SECRETS = {
  bearer: 'bearer-token-9f8e7d',
  headerKey: 'header-key-1a2b3c',
  queryKey: 'query key+/=&4d5e',
  cookieKey: 'cookie-key-6f7a8b',
  basicPassword: 'basic-pass-0c1d2e',
  clientSecret: 'client-secret-3f4a5b',
  tenant: 'tenant-header-secret-77',
};
const ISSUED_TOKEN = 'issued-access-token-5566';

/** Echoes everything it received back, in the body and a header. */
function echo(req: RecordedRequest, res: ServerResponse, type = 'application/json') {
  res.writeHead(200, { 'content-type': type });
  res.end(JSON.stringify({ url: req.url, headers: req.headers, body: req.body.toString(), [String(req.headers.authorization)]: 'as a key' }));
}

describe('no secret leaves its host or comes back to the model (issue #10 items 1-2)', () => {
  let api: RecordingServer;
  let other: RecordingServer;
  const opened: Array<{ client: Client; factory: OpenApiServerFactory }> = [];
  const logs: string[] = [];

  beforeAll(async () => {
    api = await startRecordingServer();
    other = await startRecordingServer();
    for (const path of ['/api/echo', '/api/echo-basic', '/api/echo-oauth']) api.routes.set(path, (req, res) => echo(req, res));
    api.routes.set('/api/blob', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.from([1, 2, 3]));
    });
    api.routes.set('POST /oauth/token', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: ISSUED_TOKEN, expires_in: 3600 }));
    });
    process.env.SB_SEC_BEARER = SECRETS.bearer;
    process.env.SB_SEC_TENANT = SECRETS.tenant;
  });
  afterAll(async () => {
    for (const { client, factory } of opened) {
      await client.close();
      await factory.close();
    }
    await api.close();
    await other.close();
  });

  async function open(options: RuntimeOptions = {}) {
    const table = compile(await loadSpec('specs/secrets-echo-3.0.yaml'));
    const factory = createOpenApiServer(table, {
      serverVars: { port: String(api.port), otherPort: String(other.port) },
      allowPrivate: true,
      log: (line) => logs.push(line),
      auth: {
        bearer: 'env:SB_SEC_BEARER',
        headerKey: SECRETS.headerKey,
        queryKey: SECRETS.queryKey,
        cookieKey: SECRETS.cookieKey,
        basic: { username: 'alice', password: SECRETS.basicPassword },
        oauth: { clientId: 'cid', clientSecret: SECRETS.clientSecret, tokenUrl: `${api.url}/oauth/token` },
      },
      defaultHeaders: { 'X-Tenant': 'env:SB_SEC_TENANT' },
      ...options,
    });
    const [c, s] = InMemoryTransport.createLinkedPair();
    await factory().connect(s);
    const client = new Client({ name: 'secrets', version: '1' });
    await client.connect(c);
    opened.push({ client, factory });
    return { table, call: async (name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as unknown as CallResult };
  }

  const allSecretForms = () => {
    const values = [...Object.values(SECRETS), ISSUED_TOKEN, Buffer.from(`alice:${SECRETS.basicPassword}`).toString('base64')];
    return [...values, ...values.map(encodeURIComponent), ...values.map((v) => new URLSearchParams({ v }).toString().slice(2))];
  };

  it('scrubs secrets echoed in 2xx text, structured content (values and keys) and resource URIs', async () => {
    const { call } = await open();
    const results = [await call('echo'), await call('echoBasic'), await call('echoOAuth'), await call('getBlob')];
    // The requests did carry every credential: the scrubbing is on the way back, not by not sending.
    const echoed = api.requests.find((r) => r.url.startsWith('/api/echo?'))!;
    expect(echoed.headers.authorization).toBe(`Bearer ${SECRETS.bearer}`);
    expect(echoed.headers['x-api-key']).toBe(SECRETS.headerKey);
    expect(echoed.headers.cookie).toBe(`sid=${encodeURIComponent(SECRETS.cookieKey)}`);
    expect(new URL(echoed.url, 'http://x').searchParams.get('api_key')).toBe(SECRETS.queryKey);
    expect(echoed.headers['x-tenant']).toBe(SECRETS.tenant);
    expect(results[0]!.structuredContent).toBeDefined();
    expect(JSON.stringify(results[0]!.structuredContent)).toContain('[REDACTED]');
    const blob = results[3]!.content[0] as { resource: { uri: string; blob: string } };
    expect(blob.resource.blob).toBe(Buffer.from([1, 2, 3]).toString('base64'));
    expect(blob.resource.uri).toBe(`${api.url}/api/blob?api_key=REDACTED`);
    const shown = JSON.stringify(results) + logs.join('\n');
    for (const secret of allSecretForms()) expect(shown, secret).not.toContain(secret);
  });

  it('--base-url replaces operation- and path-level servers too', async () => {
    const { call, table } = await open({ baseUrl: `${api.url}/moved` });
    const before = other.requests.length;
    await call('pathLevelHost');
    expect(api.requests.at(-1)!.url).toMatch(/^\/moved\/elsewhere\?api_key=/);
    await call('operationLevelHost');
    expect(api.requests.at(-1)!.method).toBe('POST');
    expect(api.requests.at(-1)!.url).toMatch(/^\/moved\/elsewhere\?api_key=/);
    expect(other.requests.length).toBe(before);
    const rows = inspect(table, { baseUrl: `${api.url}/moved` }).tools;
    expect(rows.find((r) => r.name === 'operationLevelHost')!.host).toBe(`127.0.0.1:${api.port}`);
  });

  it('never sends a credential to a host only the spec names, and says how to allow it', async () => {
    const { call, table } = await open();
    const before = other.requests.length;
    for (const name of ['pathLevelHost', 'operationLevelHost']) {
      const result = await call(name);
      expect(result.isError).toBe(true);
      const text = String(result.content[0]!.text);
      expect(text).toContain(`calls 127.0.0.1:${other.port}`);
      expect(text).toContain(`--auth-host bearer=127.0.0.1:${other.port}`);
    }
    expect(other.requests.length).toBe(before);
    expect(logs.some((l) => l.includes(`2 tools call 127.0.0.1:${other.port}`))).toBe(true);
    const rows = inspect(table, { serverVars: { port: String(api.port), otherPort: String(other.port) } }).tools;
    expect(rows.find((r) => r.name === 'operationLevelHost')!.host).toBe(`127.0.0.1:${other.port}`);
    expect(rows.find((r) => r.name === 'echo')!.host).toBe(`127.0.0.1:${api.port}`);
  });

  it('sends only the credentials granted to another host, and no default headers unless granted', async () => {
    const granted = await open({ authHosts: { bearer: [`127.0.0.1:${other.port}`], headerKey: [`127.0.0.1:${other.port}`], queryKey: ['127.0.0.1'], cookieKey: ['127.0.0.1'] } });
    expect((await granted.call('operationLevelHost')).isError).toBeFalsy();
    const sent = other.requests.at(-1)!;
    expect(sent.url).toBe(`/op-level/elsewhere?api_key=${encodeURIComponent(SECRETS.queryKey).replace(/%20/g, '+')}`);
    expect(sent.headers.authorization).toBe(`Bearer ${SECRETS.bearer}`);
    expect(sent.headers['x-tenant']).toBeUndefined();

    const everything = await open({ authHosts: { '*': [`127.0.0.1:${other.port}`] } });
    expect((await everything.call('pathLevelHost')).isError).toBeFalsy();
    expect(other.requests.at(-1)!.headers['x-tenant']).toBe(SECRETS.tenant);
  });
});
