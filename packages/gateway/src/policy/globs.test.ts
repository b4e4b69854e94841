import { describe, expect, it } from 'vitest';
import { GlobSet, ToolFilter, compileGlob } from './globs.js';

describe('globs', () => {
  it.each([
    ['*', 'github.create_issue', true],
    ['github.*', 'github.create_issue', true],
    ['github.*', 'gitlab.create_issue', false],
    ['github.*', 'github', false],
    ['*.read_*', 'fs.read_file', true],
    ['*.read_*', 'fs.write_file', false],
    ['*.read_*', 'fs.readme', false],
    ['fs.read_?ile', 'fs.read_file', true],
    ['fs.read_file', 'fs.read_file', true],
    ['fs.read_file', 'fs.read_files', false],
    ['fs.read_file', 'fsXread_file', false],
    ['a+b.(x)', 'a+b.(x)', true],
    ['a+b.(x)', 'aab.x', false],
    ['[ab].x', 'a.x', false],
    ['[ab].x', '[ab].x', true],
    ['s.tool.with.dots', 's.tool.with.dots', true],
    ['s.*', 's.tool.with.dots', true],
    ['*_admin', 'x.delete_admin', true],
    ['*', '', true],
  ])('%s matches %s: %s', (pattern, text, expected) => {
    expect(compileGlob(pattern).test(text)).toBe(expected);
    expect(new GlobSet([pattern]).matches(text)).toBe(expected);
  });

  it('refuses an empty pattern', () => {
    expect(() => compileGlob('')).toThrow();
  });

  it('an empty set matches nothing', () => {
    expect(new GlobSet([]).matches('a.b')).toBe(false);
  });

  it('deny wins over allow', () => {
    const filter = new ToolFilter({ allow: ['github.*', 'fs.read_*'], deny: ['github.delete_*', '*.read_secret'] });
    expect(filter.permits('github', 'create_issue')).toBe(true);
    expect(filter.permits('github', 'delete_repo')).toBe(false);
    expect(filter.permits('fs', 'read_file')).toBe(true);
    expect(filter.permits('fs', 'read_secret')).toBe(false);
    expect(filter.permits('fs', 'write_file')).toBe(false);
    expect(filter.permits('slack', 'post')).toBe(false);
  });

  it('allows nothing without an allow list', () => {
    expect(new ToolFilter({ allow: [], deny: [] }).permits('a', 'b')).toBe(false);
  });
});
