import { describe, expect, it } from 'vitest';
import { BuildError, compile, formatInspect, inspect, loadSpec } from './index.js';

describe('inspect and the token budget', () => {
  it('returns the tool table with params, auth and annotations, plus the build report', async () => {
    const table = compile(await loadSpec('specs/petstore-3.0.yaml'));
    const { tools, report } = inspect(table);
    const replace = tools.find((t) => t.name === 'replacePet')!;
    expect(replace).toMatchObject({ method: 'PUT', path: '/pets/{id}', auth: 'bearerAuth | apiKeyAuth', annotations: ['idempotent'] });
    expect(replace.params).toContain('*id (path)');
    expect(replace.params).toContain('*id_body (body:id)');
    expect(tools.find((t) => t.name === 'adminStats')!.auth).toBe('none');
    expect(report.toolCount).toBe(tools.length);
    expect(report.estimatedTokens).toBe(Math.ceil(report.payloadBytes / 4));
    expect(report.skipped.map((s) => s.reason)).toEqual(['x-mcp: false', 'deprecated (set includeDeprecated to expose)']);
    expect(formatInspect({ tools, report })).toMatch(/tools\/list ≈ \d+ tokens/);
  });

  it('fails the build when maxTokens is exceeded, naming the heaviest tools', async () => {
    const spec = await loadSpec('specs/petstore-3.0.yaml');
    const full = compile(spec).report.estimatedTokens;
    expect(() => compile(spec, { maxTokens: full - 1 })).toThrow(BuildError);
    expect(() => compile(spec, { maxTokens: full - 1 })).toThrow(/over maxTokens .*Heaviest tools: replacePet/);
    expect(compile(spec, { maxTokens: full }).tools.length).toBeGreaterThan(0);
  });
});
