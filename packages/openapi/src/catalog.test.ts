import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { compile, createOpenApiServer, listedTool, loadCompiledCached, loadSpec, readCatalogFile, toCatalog, writeAtomically } from './index.js';
import { startRecordingServer, type RecordingServer } from './test-support/recording-server.js';

describe('compiled catalog: the start-up cache and the reviewable artifact', () => {
  let work: string;
  let dir: string;
  let api: RecordingServer;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'sb-catalog-'));
    dir = join(work, 'cache');
    cpSync('specs/multi-file', join(work, 'multi-file'), { recursive: true });
    cpSync('specs/serialization-3.1.yaml', join(work, 'serialization.yaml'));
    api = await startRecordingServer();
  });
  afterAll(async () => {
    await api.close();
    rmSync(work, { recursive: true, force: true });
  });

  const listed = (tools: Parameters<typeof listedTool>[0][]) => JSON.parse(JSON.stringify(tools.map(listedTool)));

  it('a miss compiles and writes; a hit serves the identical tool table without parsing the spec', async () => {
    const spec = join(work, 'serialization.yaml');
    const first = await loadCompiledCached(spec, { include: ['GET /**'] }, { dir });
    expect(first.cache).toBe('miss');
    await first.write;
    expect(readdirSync(dir).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const second = await loadCompiledCached(spec, { include: ['GET /**'] }, { dir });
    expect(second.cache).toBe('hit');
    expect(second.table.document).toBeUndefined();
    expect(listed(second.table.tools)).toEqual(listed(first.table.tools));
    expect(second.table.report).toEqual(first.table.report);
    // Another selection is another entry.
    const other = await loadCompiledCached(spec, { include: ['POST /**'] }, { dir });
    expect(other.cache).toBe('miss');
    await other.write;
    expect(readdirSync(dir).filter((f) => f.endsWith('.json'))).toHaveLength(2);
  });

  it('a hit still returns structured results: the document loads on first need, from the unchanged spec', async () => {
    const spec = join(work, 'serialization.yaml');
    const hit = await loadCompiledCached(spec, { include: ['GET /**'] }, { dir });
    expect(hit.cache).toBe('hit');
    const factory = createOpenApiServer(hit.table, { baseUrl: `${api.url}/base`, allowPrivate: true, log: () => {} });
    const [c, s] = InMemoryTransport.createLinkedPair();
    await factory().connect(s);
    const client = new Client({ name: 'catalog', version: '1' });
    await client.connect(c);
    try {
      const result = await client.callTool({ name: 'queryStyles', arguments: { plain: 'x' } });
      expect(result.structuredContent).toEqual({ method: 'GET', url: '/base/query?plain=x' });
    } finally {
      await client.close();
      await factory.close();
    }
  });

  it('a changed spec, or a changed file it references, is a miss', async () => {
    const spec = join(work, 'multi-file', 'main.yaml');
    const a = await loadCompiledCached(spec, {}, { dir });
    await a.write;
    expect((await loadCompiledCached(spec, {}, { dir })).cache).toBe('hit');
    const pet = join(work, 'multi-file', 'schemas', 'pet.yaml');
    writeFileSync(pet, readFileSync(pet, 'utf8').replace(/name:/, 'nickname:'));
    const b = await loadCompiledCached(spec, {}, { dir });
    expect(b.cache).toBe('miss');
    expect(JSON.stringify(b.table.tools)).toContain('nickname');
    await b.write;
    expect((await loadCompiledCached(spec, {}, { dir })).cache).toBe('hit');
    const before = readdirSync(dir).length;
    writeFileSync(spec, readFileSync(spec, 'utf8') + '\n# edited\n');
    const c = await loadCompiledCached(spec, {}, { dir });
    expect(c.cache).toBe('miss');
    await c.write;
    // The edited spec's entry replaced the old one: the cache does not grow with every edit.
    expect(readdirSync(dir).length).toBe(before);
  });

  it('a damaged cache entry is ignored and replaced', async () => {
    const spec = join(work, 'serialization.yaml');
    const fresh = join(work, 'cache-damaged');
    await (await loadCompiledCached(spec, {}, { dir: fresh })).write;
    const [file] = readdirSync(fresh);
    writeFileSync(join(fresh, file!), '{"format":"switchboard-openapi-catalog","version":1,"table":');
    const again = await loadCompiledCached(spec, {}, { dir: fresh });
    expect(again.cache).toBe('miss');
    await again.write;
    expect((await loadCompiledCached(spec, {}, { dir: fresh })).cache).toBe('hit');
  });

  it('a catalog file round-trips; a foreign or other-version file is refused with the command that fixes it', async () => {
    const spec = await loadSpec('specs/serialization-3.1.yaml');
    const table = compile(spec);
    const path = join(work, 'tools.json');
    await writeAtomically(path, JSON.stringify(await toCatalog(spec, table, {})));
    const read = await readCatalogFile(path);
    expect(listed(read.tools)).toEqual(listed(table.tools));
    writeFileSync(join(work, 'foreign.json'), '{"tools": []}');
    await expect(readCatalogFile(join(work, 'foreign.json'))).rejects.toThrow(/not a compiled catalog.*switchboard openapi build/);
    const old = JSON.parse(readFileSync(path, 'utf8'));
    old.version = 0;
    writeFileSync(join(work, 'old.json'), JSON.stringify(old));
    await expect(readCatalogFile(join(work, 'old.json'))).rejects.toThrow(/catalog version 0.*rebuild/);
  });
});
