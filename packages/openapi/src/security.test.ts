import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { compile, createOpenApiServer, loadSpec, type OpenApiServerFactory, type RuntimeOptions } from './index.js';
import { startRecordingServer, type RecordingServer } from './test-support/recording-server.js';

type CallResult = { content: Array<{ type: string; text?: string }>; isError?: boolean };
const text = (r: CallResult) => r.content.map((c) => c.text ?? '').join('\n');

describe('auth mapped from securitySchemes, per operation', () => {
  let api: RecordingServer;
  let uploads: RecordingServer;
  const opened: Array<{ client: Client; factory: OpenApiServerFactory }> = [];

  beforeAll(async () => {
    api = await startRecordingServer();
    uploads = await startRecordingServer();
    process.env.SB_QK = 'query-secret-1';
    process.env.SB_SID = 'cookie-secret-2';
    process.env.SB_BASIC = 'alice:pa ss';
  });
  afterAll(async () => {
    for (const { client, factory } of opened) {
      await client.close();
      await factory.close();
    }
    await api.close();
    await uploads.close();
  });

  async function open(options: RuntimeOptions) {
    const table = compile(await loadSpec('specs/security-3.0.yaml'));
    const factory = createOpenApiServer(table, {
      serverVars: { host: '127.0.0.1', port: String(api.port), uploadHost: '127.0.0.1', uploadPort: String(uploads.port) },
      allowPrivate: true,
      ...options,
    });
    const [c, s] = InMemoryTransport.createLinkedPair();
    await factory().connect(s);
    const client = new Client({ name: 'sec', version: '1' });
    await client.connect(c);
    opened.push({ client, factory });
    return { client, table, call: async (name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as unknown as CallResult };
  }

  it('applies apiKey in query and cookie, and HTTP basic, from env: references', async () => {
    const { call } = await open({ auth: { queryKey: 'env:SB_QK', cookieKey: 'env:SB_SID', basic: 'env:SB_BASIC' } });
    await call('withQueryKey');
    expect(api.requests.at(-1)!.url).toBe('/api/query-key?api_key=query-secret-1');
    await call('withCookieKey', { theme: 'dark' });
    expect(api.requests.at(-1)!.headers.cookie).toBe('theme=dark; sid=cookie-secret-2');
    await call('withBasic');
    expect(api.requests.at(-1)!.headers.authorization).toBe(`Basic ${Buffer.from('alice:pa ss').toString('base64')}`);
  });

  it('needs every scheme of an AND requirement, and never exposes auth headers as arguments', async () => {
    const partial = await open({ auth: { headerKey: 'k-1' } });
    const before = api.requests.length;
    const refused = await partial.call('withKeyAndSignature');
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/requires credentials \(headerKey \+ signature \| oauth\)/);
    expect(api.requests.length).toBe(before);
    const tool = partial.table.tools.find((t) => t.name === 'withKeyAndSignature')!;
    expect(Object.keys(tool.inputSchema.properties as object)).not.toContain('X-API-Key');

    const full = await open({ auth: { headerKey: 'k-1', signature: 'sig-2' } });
    // Even a smuggled argument cannot set the auth header: unknown parameters are rejected.
    const smuggled = await full.call('withKeyAndSignature', { 'X-API-Key': 'attacker' });
    expect(smuggled.isError).toBe(true);
    await full.call('withKeyAndSignature');
    expect(api.requests.at(-1)!.headers['x-api-key']).toBe('k-1');
    expect(api.requests.at(-1)!.headers['x-signature']).toBe('sig-2');
  });

  it('fetches OAuth2 client-credentials tokens once, caches them, and refreshes after a 401', async () => {
    let issued = 0;
    api.routes.set('POST /oauth/token', (req, res) => {
      issued++;
      expect(req.headers.authorization).toBe(`Basic ${Buffer.from('cid:csecret').toString('base64')}`);
      expect(new URLSearchParams(req.body.toString()).get('grant_type')).toBe('client_credentials');
      expect(new URLSearchParams(req.body.toString()).get('scope')).toBe('reports.read');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: `tok-${issued}`, expires_in: 3600 }));
    });
    let rejectNext = false;
    api.routes.set('GET /api/oauth', (req, res) => {
      if (rejectNext) {
        rejectNext = false;
        res.writeHead(401);
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(String(req.headers.authorization));
    });
    const { call } = await open({ auth: { oauth: { clientId: 'cid', clientSecret: 'csecret', tokenUrl: `${api.url}/oauth/token` } } });
    const sentAuth = () => api.requests.filter((r) => r.url === '/api/oauth').at(-1)!.headers.authorization;
    // The echoed token is a secret and comes back scrubbed; the wire shows which token was used.
    expect(text(await call('withOAuth'))).toBe('Bearer [REDACTED]');
    expect(sentAuth()).toBe('Bearer tok-1');
    await call('withOAuth');
    expect(sentAuth()).toBe('Bearer tok-1');
    expect(issued).toBe(1);
    rejectNext = true;
    expect(text(await call('withOAuth'))).toBe('Bearer [REDACTED]');
    expect(sentAuth()).toBe('Bearer tok-2');
    expect(issued).toBe(2);
  });

  it('refuses to send client secrets to a token URL that is not allowlisted', async () => {
    const { call } = await open({ auth: { oauth: 'cid:csecret' } });
    const result = await call('withOAuth');
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/token URL host 127\.0\.0\.1:9 .*not on the allowlist; add it to allowedHosts/);
    expect(text(result)).not.toContain('csecret');
  });

  it('routes operation-level servers to their own host, with variables from config', async () => {
    const { call } = await open({});
    const before = api.requests.length;
    await call('uploadElsewhere', { name: 'a.txt' });
    expect(uploads.requests.at(-1)!.url).toBe('/files/uploads');
    expect(JSON.parse(uploads.requests.at(-1)!.body.toString())).toEqual({ name: 'a.txt' });
    expect(api.requests.length).toBe(before);
  });

  it('allows anonymous alternatives and never leaks secrets in error text', async () => {
    const { call } = await open({ auth: { basic: 'env:SB_BASIC' } });
    expect((await call('publicPing')).isError).toBeFalsy();
    expect(api.requests.at(-1)!.headers.authorization).toBeUndefined();
    api.routes.set('/api/basic', (req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`upstream echoed ${String(req.headers.authorization)} and password pa ss`);
    });
    const failed = await call('withBasic');
    expect(failed.isError).toBe(true);
    expect(text(failed)).not.toContain(Buffer.from('alice:pa ss').toString('base64'));
    expect(text(failed)).not.toContain('pa ss');
    expect(text(failed)).toContain('[REDACTED]');
  });

  it('reports a missing env variable by name only', async () => {
    const { call } = await open({ auth: { queryKey: 'env:SB_DOES_NOT_EXIST' } });
    const result = await call('withQueryKey');
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/Environment variable SB_DOES_NOT_EXIST \(for security scheme queryKey\) is not set/);
  });
});
