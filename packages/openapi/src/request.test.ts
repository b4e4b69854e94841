import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { compile, loadSpec, type ToolTable } from './index.js';
import { buildRequest, type PreparedRequest } from './request.js';

// msw stands in for the API: it captures what a standards fetch sends for each prepared request.
const captured: Request[] = [];
const mock = setupServer(
  http.all('https://api.example.test/*', async ({ request }) => {
    captured.push(request.clone());
    return HttpResponse.json({ ok: true });
  }),
);

async function send(prepared: PreparedRequest): Promise<Request> {
  const headers = new Headers(prepared.headers);
  if (prepared.cookies.length) headers.set('cookie', prepared.cookies.join('; '));
  await fetch(prepared.url, { method: prepared.method, headers, ...(prepared.body ? { body: prepared.body } : {}) });
  return captured.at(-1)!;
}

describe('request building (msw)', () => {
  let table: ToolTable;
  const tool = (name: string) => table.tools.find((t) => t.name === name)!;
  const BASE = 'https://api.example.test/v1';

  beforeAll(async () => {
    mock.listen({ onUnhandledRequest: 'error' });
    table = compile(await loadSpec('specs/serialization-3.1.yaml'));
  });
  afterAll(() => mock.close());

  it('joins the server base path and keeps the origin from configuration only', async () => {
    const request = await send(buildRequest(tool('getFile'), { name: 'https://evil.test/x' }, BASE));
    expect(request.url).toBe('https://api.example.test/v1/files/https%3A%2F%2Fevil.test%2Fx');
  });

  it('builds deepObject and form queries', async () => {
    const request = await send(buildRequest(tool('queryStyles'), { filter: { color: 'red', size: { min: 2 } }, formFlat: [3, 4] }, BASE));
    const url = new URL(request.url);
    expect(url.search).toBe('?formFlat=3,4&filter[color]=red&filter[size][min]=2');
  });

  it('builds form-urlencoded bodies with bracket notation', async () => {
    const request = await send(buildRequest(tool('submitForm'), { name: 'a&b', address: { city: 'Z' } }, BASE));
    expect(request.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(await request.text()).toBe('name=a%26b&address%5Bcity%5D=Z');
  });

  it('builds multipart bodies a standards parser can read back', async () => {
    const request = await send(buildRequest(tool('uploadFile'), { file: 'data:image/png;base64,AAEC', caption: 'c' }, BASE));
    const form = await request.formData();
    const file = form.get('file') as File;
    expect(file.type).toBe('image/png');
    expect(Buffer.from(await file.arrayBuffer())).toEqual(Buffer.from([0, 1, 2]));
    expect(form.get('caption')).toBe('c');
  });

  it('omits an optional body that has no properties set', async () => {
    const request = await send(buildRequest(tool('postList'), {}, BASE));
    expect(request.headers.get('content-type')).toBeNull();
    expect(await request.text()).toBe('');
  });
});
