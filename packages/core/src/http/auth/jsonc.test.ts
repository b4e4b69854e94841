import { describe, expect, it } from 'vitest';
import { JsoncSyntaxError, parseJsonc } from './jsonc.js';

describe('parseJsonc', () => {
  it('reads comments and trailing commas, and keeps comment-like text inside strings', () => {
    expect(parseJsonc('{ /* a */ "u": "http://x//y", // b\n "l": [1, 2,], }')).toEqual({ u: 'http://x//y', l: [1, 2] });
    expect(parseJsonc('{"s": "/* not a comment */"}')).toEqual({ s: '/* not a comment */' });
    expect(parseJsonc('{ "a": { "k": 1 }, "b": { "k": 2 } }')).toEqual({ a: { k: 1 }, b: { k: 2 } });
  });

  it.each([
    ['{ "a": 1 "b": 2 }', 1, 10, /expected "," or "}"/],
    ['{\n  "a": \n}', 3, 1, /expected a value/],
    ['{ "a": 1,\n  "a": 2 }', 2, 3, /"a" appears twice/],
    ['{ "x": { "__proto__": {} } }', 1, 10, /"__proto__" is not allowed/],
    ["{ 'a': 1 }", 1, 3, /quoted/],
    ['', 1, 1, /end of file/],
  ])('refuses %j at its line and column, without quoting the text', (text, line, column, what) => {
    try {
      parseJsonc(text);
      throw new Error('should have failed');
    } catch (e) {
      expect(e).toBeInstanceOf(JsoncSyntaxError);
      expect(e).toMatchObject({ line, column });
      expect((e as JsoncSyntaxError).what).toMatch(what);
    }
  });

  it('never puts a secret from the text into its message', () => {
    expect(() => parseJsonc('{ "key": "sk-live-abcdef" "x": 1 }')).toThrow(/^(?!.*sk-live)/);
  });
});
