import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, loadSpec, SpecLoadError } from './index.js';
import { createAjv } from './validate.js';

const SPECS = join(process.cwd(), 'specs');
// Top-level files are whole specs; subfolders hold multi-file specs entered through main.yaml.
const files = [
  ...readdirSync(SPECS).filter((f) => /\.(ya?ml|json)$/.test(f)),
  ...readdirSync(SPECS, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `${d.name}/main.yaml`),
];

describe('every spec in specs/', () => {
  it('finds the spec set', () => {
    expect(files.length).toBeGreaterThanOrEqual(7);
  });

  it.each(files)('%s: every emitted schema compiles with Ajv 2020-12 and names are valid and unique', async (file) => {
    const table = compile(await loadSpec(join(SPECS, file)), { includeDeprecated: true, maxTools: 1000 });
    const ajv = createAjv();
    const names = new Set<string>();
    for (const tool of table.tools) {
      expect(tool.name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
      expect(names.has(tool.name)).toBe(false);
      names.add(tool.name);
      expect(tool.inputSchema.type).toBe('object');
      expect(() => ajv.compile(tool.inputSchema)).not.toThrow();
      for (const key of Object.keys(tool.inputSchema.properties as object)) expect(key).toMatch(/^[A-Za-z0-9_.-]{1,64}$/);
    }
    // Deterministic: a second compile gives byte-identical tool lists.
    const again = compile(await loadSpec(join(SPECS, file)), { includeDeprecated: true, maxTools: 1000 });
    expect(JSON.stringify(again.tools.map((t) => [t.name, t.inputSchema]))).toBe(JSON.stringify(table.tools.map((t) => [t.name, t.inputSchema])));
  });
});

describe('schema conversion', () => {
  it('keeps cycles as $defs refs (trees and mutually recursive pairs) and inlines single-use defs', async () => {
    const table = compile(await loadSpec('specs/circular-3.1.json'));
    const tree = table.tools.find((t) => t.name === 'createTree')!;
    expect(Object.keys(tree.inputSchema.$defs as object)).toEqual(['Node']);
    const graph = table.tools.find((t) => t.name === 'putGraph')!.inputSchema as { properties: Record<string, unknown>; $defs: object };
    expect(graph.properties.meta).toEqual({ type: 'object', properties: { tags: { type: 'array', items: { type: 'string' } } } });
    expect(Object.keys(graph.$defs)).toEqual(['Node']);
    const pair = table.tools.find((t) => t.name === 'post_pairs')!;
    expect(Object.keys(pair.inputSchema.$defs as object).sort()).toEqual(['Ping', 'Pong']);
    const ajv = createAjv();
    const validate = ajv.compile(tree.inputSchema);
    expect(validate({ value: 'a', children: [{ value: null, children: [{ value: 'c' }] }] })).toBe(true);
    expect(validate({ value: 'a', children: [{ children: [] }] })).toBe(false);
  });

  it('resolves odd pointers: into #/paths and percent-escaped names', async () => {
    const odd = compile(await loadSpec('specs/circular-3.1.json')).tools.find((t) => t.name === 'oddRefs')!;
    const props = odd.inputSchema.properties as Record<string, Record<string, unknown>>;
    expect(props.depth).toEqual({ type: 'integer' });
    expect(props.thing).toEqual({ type: 'string', pattern: '^[a-z]+$' });
    expect(props.copy!.$ref).toBe('#/$defs/Ping');
  });

  it('maps 3.0 nullable, exclusive bounds, oneOf/allOf and readOnly for requests', async () => {
    const tools = compile(await loadSpec('specs/petstore-3.0.yaml')).tools;
    const create = tools.find((t) => t.name === 'createPet')!.inputSchema as { properties: Record<string, Record<string, unknown>>; required: string[] };
    expect(create.properties.tag).toEqual({ type: ['string', 'null'] });
    expect(create.properties.weight).toEqual({ type: 'number', exclusiveMinimum: 0 });
    expect((create.properties.kind!.oneOf as unknown[]).length).toBe(2);
    expect(create.required).toEqual(['name']);
    const list = tools.find((t) => t.name === 'listPets')!.inputSchema as { properties: Record<string, Record<string, unknown>> };
    expect(list.properties.status).toEqual({ type: ['string', 'null'], enum: ['available', 'sold', null] });
    const replace = tools.find((t) => t.name === 'replacePet')!;
    // allOf body flattened; readOnly createdAt is not an input; body id renamed away from the path id.
    expect(Object.keys(replace.inputSchema.properties as object)).toEqual(['id', 'name', 'tag', 'kind', 'birthday', 'weight', 'metadata', 'id_body']);
    expect(replace.body!.props).toContainEqual({ arg: 'id_body', name: 'id' });
  });

  it('preserves 3.1 type arrays', async () => {
    const patch = compile(await loadSpec('specs/serialization-3.1.yaml')).tools.find((t) => t.name === 'patchItem')!;
    const props = patch.inputSchema.properties as Record<string, Record<string, unknown>>;
    expect(props.title).toEqual({ type: ['string', 'null'] });
    expect(props.count).toEqual({ type: ['integer', 'null'], exclusiveMinimum: 0 });
  });
});

describe('loading', () => {
  it('converts Swagger 2.0 keeping body and formData parameters', async () => {
    const spec = await loadSpec('specs/swagger-2.0.json');
    expect(spec.sourceVersion).toBe('2.0');
    const table = compile(spec);
    const create = table.tools.find((t) => t.name === 'createOrder')!;
    expect(create.body).toMatchObject({ mediaType: 'application/json', mode: 'properties', required: true });
    expect(Object.keys(create.inputSchema.properties as object)).toEqual(['item', 'quantity', 'note']); // readOnly id dropped
    const attach = table.tools.find((t) => t.name === 'attachToOrder')!;
    expect(attach.body).toMatchObject({ mediaType: 'multipart/form-data', binary: ['file'] });
    const login = table.tools.find((t) => t.name === 'login')!;
    expect(login.body!.mediaType).toBe('application/x-www-form-urlencoded');
    const list = table.tools.find((t) => t.name === 'listOrders')!;
    expect(list.params.map((p) => [p.name, p.style, p.explode])).toEqual([['pageSize', 'form', true], ['ids', 'form', true], ['fields', 'pipeDelimited', false]]);
    expect(table.rootServers).toEqual([{ url: 'http://127.0.0.1:9/v2' }]);
    expect(table.securitySchemes.cc).toMatchObject({ type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'http://127.0.0.1:9/token' } } });
  });

  it('bundles multi-file $refs relative to the spec, including cycles across files', async () => {
    const table = compile(await loadSpec('specs/multi-file/main.yaml'));
    expect(table.tools.map((t) => t.name).sort()).toEqual(['addPet', 'listOwners']);
    const add = table.tools.find((t) => t.name === 'addPet')!;
    expect(Object.keys(add.inputSchema.properties as object)).toEqual(['name', 'owner']);
    expect(() => createAjv().compile(add.inputSchema)).not.toThrow();
  });

  it('loads a spec with webhooks and no paths, reporting why there are no tools', async () => {
    const table = compile(await loadSpec('specs/webhooks-only-3.1.yaml'));
    expect(table.tools).toEqual([]);
    expect(table.report.warnings.join('\n')).toMatch(/no paths/);
  });

  it('refuses external $refs to other hosts unless allowed, before any fetch', async () => {
    const spec = {
      openapi: '3.0.3',
      info: { title: 'x', version: '1' },
      paths: { '/a': { get: { operationId: 'a', responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: 'https://evil.example/schema.json' } } } } } } } },
    };
    await expect(loadSpec(spec)).rejects.toThrow(SpecLoadError);
    await expect(loadSpec(spec)).rejects.toThrow(/Refused external \$ref to https:\/\/evil\.example/);
  });

  it('fetches specs over URL only with https, or allowHttp plus allowPrivate for a local server', async () => {
    const { startRecordingServer } = await import('./test-support/recording-server.js');
    const { readFileSync } = await import('node:fs');
    const server = await startRecordingServer();
    try {
      server.routes.set('/spec.yaml', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/yaml' });
        res.end(readFileSync('specs/petstore-3.0.yaml'));
      });
      server.routes.set('/huge.json', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"openapi":"3.0.0",' + ' '.repeat(4096) + '}');
      });
      server.routes.set('/hop', (_req, res) => {
        res.writeHead(302, { location: 'http://169.254.169.254/latest' });
        res.end();
      });
      await expect(loadSpec(`${server.url}/spec.yaml`)).rejects.toThrow(/only https URLs are allowed/);
      await expect(loadSpec(`${server.url}/spec.yaml`, { allowHttp: true })).rejects.toThrow(/private, loopback or link-local/);
      const loaded = await loadSpec(`${server.url}/spec.yaml`, { allowHttp: true, allowPrivate: true });
      expect(loaded.specUrl).toBe(`${server.url}/spec.yaml`);
      expect(compile(loaded).tools.length).toBe(9);
      await expect(loadSpec(`${server.url}/huge.json`, { allowHttp: true, allowPrivate: true, maxSpecBytes: 1024 })).rejects.toThrow(/exceeds the 1024-byte limit/);
      // With allowPrivate on for the local server, the metadata address is still link-local: refused by the lookup rule only when allowPrivate is off.
      await expect(loadSpec(`${server.url}/hop`, { allowHttp: true })).rejects.toThrow(/private, loopback or link-local/);
    } finally {
      await server.close();
    }
  });
});
