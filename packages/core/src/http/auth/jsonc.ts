/**
 * The one JSON-with-comments parser of the toolkit: key files and the gateway's config. Why not JSON.parse: V8's
 * messages quote the text around the error ("…"abc-secret", }" is not valid JSON"), and a key file or config may
 * hold raw secrets; these errors give a line and a column only. Accepts // and /* *\/ comments and trailing commas
 * (as VS Code's JSONC does); nothing else beyond JSON. A key that appears twice in one object, and the key
 * "__proto__", are refused: the first would silently replace an entry, the second invites prototype confusion.
 */
export class JsoncSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    /** The problem without its position. */
    readonly what: string,
  ) {
    super(`line ${line}, column ${column}: ${what}`);
  }
}

export function parseJsonc(text: string): unknown {
  let i = 0;

  const fail = (what: string, at = i): never => {
    let line = 1;
    let lineStart = 0;
    for (let k = 0; k < at && k < text.length; k++) {
      if (text[k] === '\n') {
        line++;
        lineStart = k + 1;
      }
    }
    throw new JsoncSyntaxError(line, at - lineStart + 1, what);
  };

  const skip = () => {
    for (;;) {
      const c = text[i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\uFEFF') i++;
      else if (c === '/' && text[i + 1] === '/') {
        while (i < text.length && text[i] !== '\n') i++;
      } else if (c === '/' && text[i + 1] === '*') {
        const end = text.indexOf('*/', i + 2);
        if (end < 0) fail('unterminated /* comment');
        i = end + 2;
      } else return;
    }
  };

  const describe = (c: string | undefined) => (c === undefined ? 'end of file' : /[\x21-\x7e]/.test(c) ? `"${c}"` : 'a character');

  const string = (): string => {
    const start = i;
    i++;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        i++;
        // JSON.parse of a well-formed string literal: cannot quote anything back, it only decodes escapes.
        try {
          return JSON.parse(text.slice(start, i)) as string;
        } catch {
          return fail('invalid escape or control character in a string', start);
        }
      }
      if (c === '\\') i += 2;
      else if (c === '\n') fail('unterminated string', start);
      else i++;
    }
    return fail('unterminated string', start);
  };

  const value = (depth: number): unknown => {
    if (depth > 64) fail('nested too deeply');
    skip();
    const c = text[i];
    if (c === '{') {
      i++;
      const out: Record<string, unknown> = {};
      skip();
      while (text[i] !== '}') {
        if (text[i] !== '"') fail(`expected a "quoted" property name or "}", found ${describe(text[i])}`);
        const keyAt = i;
        const key = string();
        if (key === '__proto__') fail('the property name "__proto__" is not allowed', keyAt);
        skip();
        if (text[i] !== ':') fail(`expected ":" after a property name, found ${describe(text[i])}`);
        i++;
        if (Object.hasOwn(out, key)) fail(`property "${key.slice(0, 40)}" appears twice`, keyAt);
        out[key] = value(depth + 1);
        skip();
        if (text[i] === ',') {
          i++;
          skip();
        } else if (text[i] !== '}') fail(`expected "," or "}", found ${describe(text[i])}`);
      }
      i++;
      return out;
    }
    if (c === '[') {
      i++;
      const out: unknown[] = [];
      skip();
      while (text[i] !== ']') {
        out.push(value(depth + 1));
        skip();
        if (text[i] === ',') {
          i++;
          skip();
        } else if (text[i] !== ']') fail(`expected "," or "]", found ${describe(text[i])}`);
      }
      i++;
      return out;
    }
    if (c === '"') return string();
    const m = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 64));
    if (!m) return fail(`expected a value, found ${describe(c)}`);
    i += m[0].length;
    return JSON.parse(m[0]);
  };

  const out = value(0);
  skip();
  if (i < text.length) fail(`unexpected ${describe(text[i])} after the end of the document`);
  return out;
}
