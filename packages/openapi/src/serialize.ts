import { ArgumentError } from './errors.js';
import type { ParamBinding } from './model.js';

/**
 * Parameter serialisation per the OpenAPI "style" table (path: simple/label/matrix; query:
 * form/spaceDelimited/pipeDelimited/deepObject; header: simple; cookie: form), with explode.
 */

const RESERVED = /[:/?#[\]@!$&'()*+,;=]/;

/** RFC 3986 percent-encoding: everything but unreserved characters (and reserved ones when allowed). */
export function percentEncode(text: string, allowReserved = false): string {
  let out = '';
  for (const char of text) {
    if (/[A-Za-z0-9\-._~]/.test(char) || (allowReserved && RESERVED.test(char))) out += char;
    else out += encodeURIComponent(char).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  }
  return out;
}

export function primitiveText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

type Kind = 'primitive' | 'array' | 'object';
function kindOf(value: unknown): Kind {
  if (Array.isArray(value)) return 'array';
  if (value && typeof value === 'object') return 'object';
  return 'primitive';
}

function entriesOf(value: unknown): Array<[string, string]> {
  return Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [k, primitiveText(v)]);
}

export function serializePath(binding: ParamBinding, value: unknown): string {
  const v = binding.contentType ? JSON.stringify(value) : value;
  const enc = (text: string) => percentEncode(text, binding.allowReserved);
  const kind = binding.contentType ? 'primitive' : kindOf(v);
  const items = kind === 'array' ? (v as unknown[]).map(primitiveText) : [];
  const pairs = kind === 'object' ? entriesOf(v) : [];
  let out: string;
  switch (binding.style) {
    case 'label': {
      const sep = binding.explode ? '.' : ',';
      if (kind === 'array') out = '.' + items.map(enc).join(sep);
      else if (kind === 'object') out = '.' + (binding.explode ? pairs.map(([k, x]) => `${enc(k)}=${enc(x)}`).join('.') : pairs.flatMap(([k, x]) => [enc(k), enc(x)]).join(','));
      else out = '.' + enc(primitiveText(v));
      break;
    }
    case 'matrix': {
      const name = enc(binding.name);
      if (kind === 'array') out = binding.explode ? items.map((i) => `;${name}=${enc(i)}`).join('') : `;${name}=${items.map(enc).join(',')}`;
      else if (kind === 'object') out = binding.explode ? pairs.map(([k, x]) => `;${enc(k)}=${enc(x)}`).join('') : `;${name}=${pairs.flatMap(([k, x]) => [enc(k), enc(x)]).join(',')}`;
      else out = `;${name}=${enc(primitiveText(v))}`;
      break;
    }
    default: {
      if (kind === 'array') out = items.map(enc).join(',');
      else if (kind === 'object') out = binding.explode ? pairs.map(([k, x]) => `${enc(k)}=${enc(x)}`).join(',') : pairs.flatMap(([k, x]) => [enc(k), enc(x)]).join(',');
      else out = enc(primitiveText(v));
    }
  }
  // Dots are unreserved, so "." and ".." survive encoding and would climb the URL path.
  if (out === '.' || out === '..' || out === '') {
    throw new ArgumentError(`Path parameter "${binding.arg}" must not be empty, "." or "..".`);
  }
  return out;
}

/** Returns `name=value` pairs, already encoded, in order. */
export function serializeQuery(binding: ParamBinding, value: unknown): string[] {
  const name = percentEncode(binding.name);
  const enc = (text: string) => percentEncode(text, binding.allowReserved);
  if (binding.contentType) return [`${name}=${enc(JSON.stringify(value))}`];
  const kind = kindOf(value);
  if (binding.style === 'deepObject') {
    if (kind === 'primitive') return [`${name}=${enc(primitiveText(value))}`];
    return flattenBrackets(binding.name, value).map(([k, x]) => `${bracketEncode(k)}=${enc(x)}`);
  }
  const delimiter = binding.style === 'spaceDelimited' ? '%20' : binding.style === 'pipeDelimited' ? '|' : ',';
  if (kind === 'array') {
    const items = (value as unknown[]).map(primitiveText);
    if (items.length === 0) return [];
    if (binding.explode) return items.map((i) => `${name}=${enc(i)}`);
    return [`${name}=${items.map(enc).join(delimiter)}`];
  }
  if (kind === 'object') {
    const pairs = entriesOf(value);
    if (binding.explode) return pairs.map(([k, x]) => `${percentEncode(k)}=${enc(x)}`);
    return [`${name}=${pairs.flatMap(([k, x]) => [enc(k), enc(x)]).join(delimiter)}`];
  }
  return [`${name}=${enc(primitiveText(value))}`];
}

/** Bracket notation for nested structures: `a[b][c]=v`, arrays indexed `a[0]=v`. */
export function flattenBrackets(prefix: string, value: unknown, depth = 0): Array<[string, string]> {
  if (depth > 16) throw new ArgumentError(`Value of "${prefix}" is nested too deeply.`);
  if (Array.isArray(value)) return value.flatMap((item, index) => flattenBrackets(`${prefix}[${index}]`, item, depth + 1));
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .flatMap(([key, item]) => flattenBrackets(`${prefix}[${key}]`, item, depth + 1));
  }
  return [[prefix, primitiveText(value)]];
}

function bracketEncode(key: string): string {
  return key.split(/([[\]])/).map((part) => (part === '[' || part === ']' ? part : percentEncode(part))).join('');
}

function assertHeaderSafe(binding: ParamBinding, text: string): string {
  if (/[\r\n\0]/.test(text)) throw new ArgumentError(`Header parameter "${binding.arg}" must not contain line breaks or NUL.`);
  return text;
}

export function serializeHeader(binding: ParamBinding, value: unknown): string {
  if (binding.contentType) return assertHeaderSafe(binding, JSON.stringify(value));
  const kind = kindOf(value);
  let out: string;
  if (kind === 'array') out = (value as unknown[]).map(primitiveText).join(',');
  else if (kind === 'object') {
    const pairs = entriesOf(value);
    out = binding.explode ? pairs.map(([k, x]) => `${k}=${x}`).join(',') : pairs.flat().join(',');
  } else out = primitiveText(value);
  return assertHeaderSafe(binding, out);
}

/** Returns cookie pairs `name=value`; values percent-encoded so `;` or `,` cannot inject cookies. */
export function serializeCookie(binding: ParamBinding, value: unknown): string[] {
  const name = binding.name;
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) throw new ArgumentError(`Cookie name "${name}" is not a valid token.`);
  const enc = (text: string) => percentEncode(text);
  if (binding.contentType) return [`${name}=${enc(JSON.stringify(value))}`];
  const kind = kindOf(value);
  if (kind === 'array') {
    const items = (value as unknown[]).map(primitiveText);
    return binding.explode ? items.map((i) => `${name}=${enc(i)}`) : [`${name}=${items.map(enc).join(',')}`];
  }
  if (kind === 'object') {
    const pairs = entriesOf(value);
    return binding.explode ? pairs.map(([k, x]) => `${enc(k)}=${enc(x)}`) : [`${name}=${pairs.flatMap(([k, x]) => [enc(k), enc(x)]).join(',')}`];
  }
  return [`${name}=${enc(primitiveText(value))}`];
}
