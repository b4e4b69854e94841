import { describe, expect, it } from 'vitest';
import { GatewayConfigError } from '../errors.js';
import { parseJsonc } from './jsonc.js';

describe('parseJsonc', () => {
  it('reads comments and trailing commas, and keeps comment-like text inside strings', () => {
    expect(parseJsonc('{ /* a */ "u": "http://x//y", // b\n "l": [1, 2,], }', 'f')).toEqual({ u: 'http://x//y', l: [1, 2] });
    expect(parseJsonc('{"s": "/* not a comment */"}', 'f')).toEqual({ s: '/* not a comment */' });
  });

  it.each([
    ['', /empty/],
    ['  \n ', /empty/],
    ['// only a comment', /only comments/],
    ['{ "a": 1 "b": 2 }', /expected "," or "}", found """ at line 1, column 10/],
    ['{\n  "a": \n}', /expected a value, found "}" at line 3/],
    ['{ "a": 1, "a": 2 }', /property "a" appears twice/],
    ['{ "x": { "__proto__": {} } }', /"__proto__" is not allowed/],
    ['[{ "k": 1, "k": 1 }]', /property "k" appears twice/],
    ["{ 'a': 1 }", /expected a "quoted" property name/],
    ['{ "token": "sk-live-123" x }', /^(?![\s\S]*sk-live)/],
  ])('refuses %j with a located message', (text, expected) => {
    try {
      parseJsonc(text, 'cfg.json');
      throw new Error('should have failed');
    } catch (e) {
      expect(e).toBeInstanceOf(GatewayConfigError);
      expect((e as Error).message).toMatch(/^cfg\.json is not a valid gateway config/);
      expect((e as Error).message).toMatch(expected);
    }
  });

  it('allows the same key in different objects', () => {
    expect(parseJsonc('{ "a": { "k": 1 }, "b": { "k": 2 } }', 'f')).toEqual({ a: { k: 1 }, b: { k: 2 } });
  });
});
