import { describe, expect, it } from 'vitest';
import { configJsonSchema } from './json-schema.js';

type Schema = { properties?: Record<string, Schema>; additionalProperties?: Schema | boolean; [k: string]: unknown };

describe('configJsonSchema', () => {
  const schema = configJsonSchema() as Schema;
  const server = (schema.properties!['mcpServers']!.additionalProperties as Schema)!;

  it('describes the file the loader reads', () => {
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(schema.properties!)).toEqual(expect.arrayContaining(['mcpServers', 'servers', 'gateway', 'inputs']));
    expect(Object.keys(server.properties!)).toEqual(expect.arrayContaining(['command', 'args', 'env', 'url', 'transport', 'headers', 'openapi', 'prefix', 'rename', 'tools', 'isolation', 'timeout', 'disabled']));
    expect(Object.keys(schema.properties!['gateway']!.properties!)).toEqual(
      expect.arrayContaining(['listen', 'auth', 'limits', 'audit', 'redis', 'pinning', 'nameBudget', 'constraints', 'trustedHosts']),
    );
  });

  it('refuses unknown keys, as the loader does, so editors flag typos', () => {
    expect(schema.additionalProperties).toBe(false);
    expect(server.additionalProperties).toBe(false);
  });

  it('accepts durations as strings or numbers (the input form)', () => {
    expect(JSON.stringify(server.properties!['timeout'])).toMatch(/"number".*"string"|"string".*"number"/);
  });
});
