// A large real spec: GitHub's REST API description as shipped by the pinned devDependency @octokit/openapi
// (api.github.com.json, ~13 MB, 1,200+ operations, 900+ component schemas). It is read from node_modules —
// nothing is downloaded at test time. Timings are printed, not asserted: speed is measured in bench/openapi.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { BuildError, compile, createOpenApiServer, listedTool, loadSpec, TOOL_NAME_PATTERN, type LoadedSpec, type ToolTable } from './index.js';
import { createAjv } from './validate.js';

const require = createRequire(import.meta.url);
const SPEC = join(dirname(require.resolve('@octokit/openapi/package.json')), 'generated', 'api.github.com.json');

let spec: LoadedSpec;
let all: ToolTable;

beforeAll(async () => {
  const t0 = performance.now();
  spec = await loadSpec(SPEC);
  const t1 = performance.now();
  all = compile(spec, { includeDeprecated: true, maxTools: 5000 });
  const t2 = performance.now();
  console.log(
    `[real-spec] GitHub REST (@octokit/openapi ${require('@octokit/openapi/package.json').version}): load ${(t1 - t0).toFixed(0)} ms, ` +
      `compile all ${all.report.toolCount} operations ${(t2 - t1).toFixed(0)} ms, tools/list ≈ ${all.report.estimatedTokens} tokens`,
  );
});

describe('GitHub REST API description (@octokit/openapi)', () => {
  it('is a large real spec: OpenAPI 3.0, over 1,000 operations, every one compiled', () => {
    expect(spec.sourceVersion).toBe('3.0');
    expect(all.report.operationCount).toBeGreaterThanOrEqual(1000);
    expect(all.report.skipped).toEqual([]);
    expect(all.report.toolCount).toBe(all.report.operationCount);
    expect(all.rootServers.map((s) => s.url)).toContain('https://api.github.com');
  });

  it('every emitted input schema compiles with Ajv 2020-12; names are valid and unique', () => {
    const ajv = createAjv();
    const names = new Set<string>();
    const t0 = performance.now();
    for (const tool of all.tools) {
      expect(tool.name).toMatch(TOOL_NAME_PATTERN);
      expect(names.has(tool.name)).toBe(false);
      names.add(tool.name);
      expect(tool.inputSchema.type).toBe('object');
      expect(() => ajv.compile(tool.inputSchema), tool.name).not.toThrow();
      for (const key of Object.keys((tool.inputSchema.properties ?? {}) as object)) expect(key).toMatch(/^[A-Za-z0-9_.-]{1,64}$/);
    }
    console.log(`[real-spec] Ajv 2020-12 compiled ${all.tools.length} input schemas in ${(performance.now() - t0).toFixed(0)} ms`);
    // The listed form is plain JSON (no cycles, no undefined leaking into the payload).
    expect(() => JSON.stringify({ tools: all.tools.map(listedTool) })).not.toThrow();
  });

  it('names and schemas are stable: a second load + compile gives the identical tool list', async () => {
    const t0 = performance.now();
    const again = compile(await loadSpec(SPEC), { includeDeprecated: true, maxTools: 5000 });
    console.log(`[real-spec] second load + compile ${(performance.now() - t0).toFixed(0)} ms`);
    expect(again.tools.map((t) => t.name)).toEqual(all.tools.map((t) => t.name));
    expect(JSON.stringify(again.tools.map(listedTool))).toBe(JSON.stringify(all.tools.map(listedTool)));
  });

  it('a realistic selection (tag:repos, read-only, under maxTools) keeps the names and schemas of the full build', () => {
    const t0 = performance.now();
    const repos = compile(spec, { include: ['tag:repos'], exclude: ['method:DELETE', 'method:PUT', 'method:PATCH', 'method:POST'], maxTools: 120 });
    console.log(`[real-spec] compile tag:repos GETs (${repos.report.toolCount} tools) ${(performance.now() - t0).toFixed(0)} ms, ≈ ${repos.report.estimatedTokens} tokens`);
    expect(repos.report.toolCount).toBeGreaterThan(50);
    expect(repos.report.toolCount).toBeLessThanOrEqual(120);
    const full = new Map(all.tools.map((t) => [t.name, t]));
    for (const tool of repos.tools) {
      expect(tool.method).toBe('get');
      expect(tool.tags).toContain('repos');
      expect(full.get(tool.name)?.inputSchema).toEqual(tool.inputSchema);
      expect(tool.annotations.readOnlyHint).toBe(true);
    }
  });

  it('served, tools/list carries exactly the compiled tools, the same on every call', async () => {
    const factory = createOpenApiServer(all, { log: () => {} });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await factory().connect(serverSide);
    const client = new Client({ name: 'real-spec', version: '1' });
    await client.connect(clientSide);
    try {
      const expected = JSON.parse(JSON.stringify(all.tools.map(listedTool)));
      const first = await client.listTools();
      expect(first.tools).toEqual(expected);
      const second = await client.listTools();
      expect(second.tools).toEqual(expected);
      expect(second.nextCursor).toBeUndefined();
    } finally {
      await client.close();
      await factory.close();
    }
  });

  it('the whole spec under the default maxTools is refused with a narrowing hint', () => {
    expect(() => compile(spec)).toThrow(BuildError);
    expect(() => compile(spec)).toThrow(/more than maxTools \(100\)[\s\S]*tag:/);
  });
});
