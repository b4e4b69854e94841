import { describe, expect, it } from 'vitest';
import { EXPOSED_NAME_PATTERN, NameTable, defaultPrefix, exposedName, sanitizeNamePart } from './naming.js';

describe('exposedName', () => {
  it('always prefixes, with __', () => {
    expect(exposedName('github', 'create_issue')).toBe('github__create_issue');
  });

  it('keeps the tool name alone under the empty prefix, still safe and within budget', () => {
    expect(exposedName('', 'test_simple_text')).toBe('test_simple_text');
    expect(exposedName('', 'a.b')).toBe('a_b');
    expect(exposedName('', 'x'.repeat(80), 32)).toMatch(/^x{21}_[0-9a-f]{10}$/);
  });

  it.each([
    ['fs.read', 'fs_read'],
    ['héllo wörld', 'h_llo_w_rld'],
    ['a/b:c', 'a_b_c'],
    ['日本', '__'],
    ['', '_'],
    ['tab\tnewline\n', 'tab_newline_'],
    ['😀', '_'],
  ])('replaces characters outside the safe set one for one: %j', (raw, part) => {
    expect(sanitizeNamePart(raw)).toBe(part);
    expect(exposedName('p', raw)).toMatch(EXPOSED_NAME_PATTERN);
  });

  it('keeps names at exactly the budget and shortens one character over', () => {
    const at = 'x'.repeat(64 - 'p__'.length);
    expect(exposedName('p', at)).toBe(`p__${at}`);
    const over = exposedName('p', at + 'y');
    expect(over).toHaveLength(64);
    expect(over).toMatch(/^p__x+_[0-9a-f]{10}$/);
  });

  it('gives long names that share their head distinct, stable names', () => {
    const a = exposedName('server', 'x'.repeat(80) + 'a');
    const b = exposedName('server', 'x'.repeat(80) + 'b');
    expect(a).not.toBe(b);
    expect(a.slice(0, 50)).toBe(b.slice(0, 50));
    // A golden value, computed once by hand (sha-256 of "server\0xxx…a"): a name must not change between
    // versions or replicas, or clients lose their approvals and pins stop matching.
    expect(a).toBe('server__xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx_5dd2f42f4e');
    expect(a).toMatch(EXPOSED_NAME_PATTERN);
  });

  it('hashes the original, so names that sanitise alike but are long stay apart', () => {
    const a = exposedName('p', 'é'.repeat(70));
    const b = exposedName('p', 'è'.repeat(70));
    expect(a).not.toBe(b);
  });

  it.each([20, 16, 40, 63])('honours a budget of %i', (budget) => {
    const name = exposedName('a_rather_long_prefix', 'and_a_rather_long_tool_name_too', budget);
    expect(name.length).toBeLessThanOrEqual(budget);
    expect(name).toMatch(EXPOSED_NAME_PATTERN);
  });

  it.each([15, 65, 0, 1.5, Number.NaN])('refuses a budget of %s', (budget) => {
    expect(() => exposedName('p', 't', budget)).toThrow(RangeError);
  });

  it('derives the default prefix from the key', () => {
    expect(defaultPrefix('my server.io')).toBe('my_server_io');
  });
});

describe('NameTable', () => {
  it('resolves through the reverse map even when prefix and tool contain __', () => {
    const table = NameTable.build([
      { server: 'a', prefix: 'a', names: ['b__c'] },
      { server: 'x', prefix: 'x__y', names: ['z'] },
    ]);
    expect(table.resolve('a__b__c')).toEqual({ exposed: 'a__b__c', server: 'a', original: 'b__c' });
    expect(table.resolve('x__y__z')).toEqual({ exposed: 'x__y__z', server: 'x', original: 'z' });
    expect(table.resolve('a__b')).toBeUndefined();
    expect(table.exposedFor('x', 'z')).toBe('x__y__z');
    expect(table.warnings).toEqual([]);
  });

  it('drops only the colliding tool, with a warning, and keeps the rest', () => {
    const table = NameTable.build([
      { server: 'a', prefix: 'a', names: ['b__c', 'other'] },
      { server: 'a2', prefix: 'a__b', names: ['c', 'fine'] },
    ]);
    expect(table.entries.map((e) => e.exposed)).toEqual(['a__b__c', 'a__other', 'a__b__fine']);
    expect(table.resolve('a__b__c')?.server).toBe('a');
    expect(table.warnings).toHaveLength(1);
    expect(table.warnings[0]).toMatchObject({ kind: 'collision', exposed: 'a__b__c', dropped: { server: 'a2', original: 'c' } });
    expect(table.warnings[0]!.message).toContain('rename');
  });

  it('picks the same collision winner whatever order the upstream lists tools in', () => {
    const forward = NameTable.build([{ server: 's', prefix: 's', names: ['a.b', 'a_b'] }]);
    const backward = NameTable.build([{ server: 's', prefix: 's', names: ['a_b', 'a.b'] }]);
    expect(forward.resolve('s__a_b')?.original).toBe('a.b');
    expect(backward.resolve('s__a_b')?.original).toBe('a.b');
  });

  it('applies renames, and an explicit rename wins a collision', () => {
    const table = NameTable.build([{ server: 's', prefix: 's', names: ['old', 'new'], rename: { old: 'new', ghost: 'g' } }]);
    expect(table.resolve('s__new')?.original).toBe('old');
    expect(table.exposedFor('s', 'new')).toBeUndefined();
    expect(table.warnings.map((w) => w.kind).sort()).toEqual(['collision', 'unknown-rename']);
  });

  it('ignores a name the upstream lists twice, with a warning', () => {
    const table = NameTable.build([{ server: 's', prefix: 's', names: ['t', 't'] }]);
    expect(table.entries).toHaveLength(1);
    expect(table.warnings[0]).toMatchObject({ kind: 'duplicate', original: 't' });
  });

  it('does not treat a rename key inherited from Object.prototype as a rename', () => {
    const table = NameTable.build([{ server: 's', prefix: 's', names: ['toString'], rename: {} }]);
    expect(table.resolve('s__toString')?.original).toBe('toString');
  });

  it('keeps every exposed name valid and distinct at a small budget', () => {
    const names = Array.from({ length: 200 }, (_, i) => `a_very_long_common_tool_name_prefix_${i}`);
    const table = NameTable.build([{ server: 'srv', prefix: 'srv', names }], { budget: 24 });
    expect(table.entries).toHaveLength(200);
    expect(new Set(table.entries.map((e) => e.exposed)).size).toBe(200);
    for (const e of table.entries) expect(e.exposed.length).toBeLessThanOrEqual(24);
  });
});
