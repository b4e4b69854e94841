import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from './config/load.js';

// The config example in the repository README is what users copy: it must load as written.
describe('the README gateway example', () => {
  it('parses without errors or warnings', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
    const section = readme.slice(readme.indexOf('## `switchboard gateway`'));
    const example = /```jsonc\n([\s\S]*?)\n```/.exec(section)?.[1];
    expect(example).toBeDefined();
    const { config, warnings } = parseConfig(example!, { baseDir: '/tmp' });
    expect(warnings).toEqual([]);
    expect(config.servers.map((s) => [s.key, s.kind])).toEqual([
      ['fs', 'stdio'],
      ['docs', 'remote'],
      ['pets', 'openapi'],
    ]);
    expect(config.gateway.pinning).toBe('enforce');
  });
});
