import { describe, expect, it } from 'vitest';
import { ArgumentConstraintError } from '../errors.js';
import { ArgumentPolicy } from './constraints.js';

const policy = new ArgumentPolicy({
  fs__write_file: { path: { prefix: '/srv/data/', required: true } },
  root__any: { path: { prefix: '/' } },
  t__mixed: {
    mode: { enum: ['r', 'w', 1, null] },
    count: { min: 1, max: 10 },
    name: { minLength: 2, maxLength: 4, pattern: '[a-z]+' },
    'opts.level': { max: 3 },
    tags: { maxLength: 2 },
  },
});

function refusal(tool: string, args: unknown): string | undefined {
  try {
    policy.check(tool, args);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(ArgumentConstraintError);
    expect((e as ArgumentConstraintError).code).toBe('SB_ARG_CONSTRAINT');
    return (e as Error).message;
  }
}

describe('ArgumentPolicy: path prefix', () => {
  it.each(['/srv/data', '/srv/data/', '/srv/data/a.txt', '/srv/data/sub/../b', '/srv//data//c', '/srv/data/./d', '/srv/data/..b'])('allows %s', (path) => {
    expect(refusal('fs__write_file', { path })).toBeUndefined();
  });

  it.each([
    ['/srv/data/../etc/passwd', /must stay under \/srv\/data\//],
    ['/srv/data/../../etc', /must stay under/],
    ['/srv/database/x', /must stay under/],
    ['/srv/dat', /must stay under/],
    ['//etc/passwd', /must stay under/],
    ['/etc/passwd', /must stay under/],
    ['/srv/data/..', /must stay under/],
    ['srv/data/x', /must be an absolute path/],
    ['./srv/data/x', /must be an absolute path/],
    ['../srv/data/x', /must be an absolute path/],
    ['', /must be an absolute path/],
    ['/srv/data/x\0/../../etc', /NUL/],
    ['/srv/data/..\\..\\etc', /backslashes/],
    [42, /must be a path/],
    [['/srv/data/x'], /must be a path/],
  ])('refuses %j', (path, reason) => {
    const message = refusal('fs__write_file', { path });
    expect(message).toMatch(/^fs__write_file: argument "path" /);
    expect(message).toMatch(reason);
  });

  it('refuses a missing required argument, and allows a missing optional one', () => {
    expect(refusal('fs__write_file', {})).toMatch(/argument "path" is required/);
    expect(refusal('fs__write_file', undefined)).toMatch(/is required/);
    expect(refusal('t__mixed', {})).toBeUndefined();
  });

  it('treats "/" as any absolute path', () => {
    expect(refusal('root__any', { path: '/etc/x' })).toBeUndefined();
    expect(refusal('root__any', { path: 'etc/x' })).toMatch(/absolute/);
  });

  it('never puts the value in the message', () => {
    expect(refusal('fs__write_file', { path: '/home/alice/secret-plan.txt' })).not.toContain('alice');
  });
});

describe('ArgumentPolicy: other rules', () => {
  it.each([
    [{ mode: 'x' }, /"mode" must be one of "r", "w", 1, null/],
    [{ mode: '1' }, /"mode" must be one of/],
    [{ count: 0 }, /"count" must be at least 1/],
    [{ count: 11 }, /"count" must be at most 10/],
    [{ count: '5' }, /"count" must be a number/],
    [{ count: Number.NaN }, /"count" must be a number/],
    [{ name: 'a' }, /"name" must be at least 2 long/],
    [{ name: 'abcde' }, /"name" must be at most 4 long/],
    [{ name: 'AB' }, /"name" must match \[a-z\]\+/],
    [{ name: 'ab\nc' }, /"name" must match/],
    [{ name: 5 }, /"name" must be a string or an array/],
    [{ opts: { level: 4 } }, /"opts\.level" must be at most 3/],
    [{ tags: ['a', 'b', 'c'] }, /"tags" must be at most 2 long/],
  ])('refuses %j', (args, reason) => {
    expect(refusal('t__mixed', args)).toMatch(reason);
  });

  it.each([{ mode: 'r' }, { mode: null }, { mode: 1 }, { count: 1 }, { count: 10 }, { name: 'ab' }, { name: 'abcd' }, { opts: { level: 3 } }, { opts: 'flat' }, { tags: ['a', 'b'] }])('allows %j', (args) => {
    expect(refusal('t__mixed', args)).toBeUndefined();
  });

  it('counts characters, not UTF-16 units, for lengths', () => {
    expect(refusal('t__mixed', { tags: '😀😀' })).toBeUndefined();
  });

  it('lets through tools without constraints, and does not read inherited properties', () => {
    expect(refusal('other__tool', { anything: 1 })).toBeUndefined();
    expect(refusal('fs__write_file', Object.create({ path: '/etc/passwd' }))).toMatch(/is required/);
  });
});
