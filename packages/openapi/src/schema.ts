import type { JsonSchema } from './model.js';
import { type RefResolver, decodePointer } from './refs.js';

/** Which side of the wire a schema describes: request inputs drop readOnly props, responses drop writeOnly. */
export type SchemaDirection = 'request' | 'response';

const PASS_THROUGH = new Set([
  'type', 'enum', 'const', 'format', 'default', 'minimum', 'maximum', 'multipleOf', 'minLength', 'maxLength',
  'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties', 'contentEncoding', 'contentMediaType',
]);
const SCHEMA_MAP_KEYS = ['properties', 'patternProperties', 'dependentSchemas'];
const SCHEMA_LIST_KEYS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const SCHEMA_SINGLE_KEYS = ['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames', 'unevaluatedProperties', 'unevaluatedItems'];
const MAX_DEPTH = 64;
const STRUCTURAL = new Set(['paths', 'schema', 'items', 'content', 'requestBody', 'responses', 'properties', 'additionalProperties', 'allOf', 'anyOf', 'oneOf', 'parameters', 'get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace', 'prefixItems', 'not', 'definitions', '$defs']);

export interface SchemaConverterOptions {
  /** OpenAPI 3.0 semantics (nullable, boolean exclusive bounds, ref siblings ignored). */
  openapi30: boolean;
  direction: SchemaDirection;
  /** Maximum characters kept of each nested description (tokens matter). */
  descriptionBudget?: number;
  warn?: (message: string) => void;
}

/**
 * Converts OpenAPI schemas into JSON Schema 2020-12 for one tool. Every `$ref` becomes an entry
 * in a tool-local `$defs` holding only what the tool uses; a def is named before its body is
 * converted, so cycles end in a `$ref` instead of infinite inlining. `finish()` inlines defs used
 * once and not part of a cycle, keeping `$defs` for what is genuinely shared or recursive.
 */
export class SchemaConverter {
  private readonly defNames = new Map<string, string>();
  private readonly usedNames = new Set<string>();
  private readonly defs: Record<string, JsonSchema> = {};

  constructor(private readonly resolver: RefResolver, private readonly options: SchemaConverterOptions) {}

  convert(schema: unknown, depth = 0): JsonSchema {
    if (schema === true || schema === undefined || schema === null) return {};
    if (schema === false) return { not: {} };
    if (typeof schema !== 'object' || Array.isArray(schema)) return {};
    if (depth > MAX_DEPTH) return {};
    const node = schema as Record<string, unknown>;
    if (typeof node.$ref === 'string') {
      const ref = this.refTo(node.$ref, depth);
      if (this.options.openapi30) return ref;
      // 3.1 allows keywords beside $ref; keep the ones that constrain or describe.
      const siblings = Object.keys(node).filter((k) => k !== '$ref' && !k.startsWith('x-'));
      if (siblings.length === 0) return ref;
      const rest = this.convert(Object.fromEntries(siblings.map((k) => [k, node[k]])), depth + 1);
      return Object.keys(rest).length ? { allOf: [ref, rest] } : ref;
    }
    return this.convertObject(node, depth);
  }

  private refTo(ref: string, depth: number): JsonSchema {
    let name = this.defNames.get(ref);
    if (!name) {
      name = this.defName(ref);
      this.defNames.set(ref, name);
      this.defs[name] = {}; // placeholder: recursive uses see the name already
      const target = this.resolver.get(ref);
      if (target === undefined) {
        this.options.warn?.(`Unresolvable $ref ${ref}; accepted as any value.`);
        this.defs[name] = {};
      } else this.defs[name] = this.convert(target, depth + 1);
    }
    return { $ref: `#/$defs/${name}` };
  }

  private defName(ref: string): string {
    let segments: string[];
    try {
      segments = decodePointer(ref);
    } catch {
      segments = [ref];
    }
    // `#/components/schemas/Pet` → `Pet`; a bundled pointer such as
    // `#/paths/~1pets/post/requestBody/content/application~1json/schema` → `pets_post`.
    const componentIndex = segments.indexOf('components');
    const meaningful = componentIndex >= 0 && segments.length > componentIndex + 2
      ? segments.slice(componentIndex + 2)
      : segments.filter((s) => !STRUCTURAL.has(s) && !s.includes('/') || s.startsWith('/')).map((s) => s.replace(/[{}]/g, ''));
    const joined = meaningful.map((s) => s.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+|_+$/g, '')).filter(Boolean).join('_');
    const base = joined.slice(-48).replace(/^[_.-]+/, '') || 'def';
    let name = base;
    for (let i = 2; this.usedNames.has(name); i++) name = `${base}_${i}`;
    this.usedNames.add(name);
    return name;
  }

  private convertObject(node: Record<string, unknown>, depth: number): JsonSchema {
    const out: JsonSchema = {};
    const { openapi30, direction } = this.options;
    for (const [key, value] of Object.entries(node)) {
      if (PASS_THROUGH.has(key)) out[key] = value;
    }
    if (typeof node.description === 'string' && node.description.trim()) {
      out.description = trimText(node.description, this.options.descriptionBudget ?? 300);
    }
    if (typeof node.pattern === 'string' && isUsablePattern(node.pattern)) out.pattern = node.pattern;
    else if (typeof node.pattern === 'string') this.options.warn?.(`Dropped pattern ${JSON.stringify(node.pattern)}: not a valid ECMAScript unicode regular expression.`);

    if (out.format === 'binary' || out.format === 'byte') {
      // Binary travels through JSON as base64; never as a local path the server would read.
      delete out.format;
      out.type = 'string';
      out.contentEncoding = 'base64';
    }
    if (openapi30) {
      if (node.exclusiveMinimum === true && typeof node.minimum === 'number') {
        out.exclusiveMinimum = node.minimum;
        delete out.minimum;
      }
      if (node.exclusiveMaximum === true && typeof node.maximum === 'number') {
        out.exclusiveMaximum = node.maximum;
        delete out.maximum;
      }
    } else {
      if (typeof node.exclusiveMinimum === 'number') out.exclusiveMinimum = node.exclusiveMinimum;
      if (typeof node.exclusiveMaximum === 'number') out.exclusiveMaximum = node.exclusiveMaximum;
    }

    for (const key of SCHEMA_MAP_KEYS) {
      const map = node[key];
      if (!map || typeof map !== 'object') continue;
      const converted: Record<string, JsonSchema> = {};
      for (const [prop, sub] of Object.entries(map as Record<string, unknown>)) {
        if (key === 'properties' && this.hiddenInDirection(sub)) continue;
        converted[prop] = this.convert(sub, depth + 1);
      }
      out[key] = converted;
    }
    for (const key of SCHEMA_LIST_KEYS) {
      const list = node[key];
      if (Array.isArray(list) && list.length) out[key] = list.map((s) => this.convert(s, depth + 1));
    }
    for (const key of SCHEMA_SINGLE_KEYS) {
      const sub = node[key];
      if (sub === undefined) continue;
      if (typeof sub === 'boolean') out[key] = sub;
      else if (key === 'items' && Array.isArray(sub)) out.prefixItems = sub.map((s) => this.convert(s, depth + 1)); // draft-04 tuple form
      else out[key] = this.convert(sub, depth + 1);
    }
    if (Array.isArray(node.required)) {
      const props = out.properties as Record<string, unknown> | undefined;
      const required = node.required.filter((r): r is string => typeof r === 'string' && (!props || r in props || !node.properties || !(r in (node.properties as object))));
      if (required.length) out.required = [...new Set(required)];
    }
    if (Array.isArray(node.examples) && direction === 'request' && node.examples.length && !openapi30) {
      // One example helps a model; more only cost tokens.
      out.examples = [node.examples[0]];
    }
    if (out.type === 'array' && out.items === undefined && out.prefixItems === undefined) out.items = {}; // strict clients demand items
    if (openapi30 && node.nullable === true) return makeNullable(out);
    return out;
  }

  private hiddenInDirection(sub: unknown): boolean {
    if (!sub || typeof sub !== 'object') return false;
    const resolved = this.resolver.deref<Record<string, unknown>>(sub).value;
    if (!resolved) return false;
    return this.options.direction === 'request' ? resolved.readOnly === true : resolved.writeOnly === true;
  }

  /** Wraps a root schema with the defs it used, inlining single-use non-recursive defs. */
  finish(root: JsonSchema): JsonSchema {
    const names = Object.keys(this.defs);
    if (names.length === 0) return root;
    const counts = new Map<string, number>();
    const edges = new Map<string, Set<string>>();
    const countRefs = (node: unknown, from: string | undefined) => {
      walk(node, (obj) => {
        const ref = obj.$ref;
        if (typeof ref === 'string' && ref.startsWith('#/$defs/')) {
          const target = ref.slice(8);
          counts.set(target, (counts.get(target) ?? 0) + 1);
          if (from) (edges.get(from) ?? edges.set(from, new Set()).get(from)!).add(target);
        }
      });
    };
    countRefs(root, undefined);
    for (const name of names) countRefs(this.defs[name], name);
    const recursive = new Set<string>();
    for (const name of names) if (reaches(edges, name, name)) recursive.add(name);
    const inlinable = new Set(names.filter((n) => counts.get(n) === 1 && !recursive.has(n)));
    const substitute = (node: JsonSchema): JsonSchema => replaceRefs(node, (target) => (inlinable.has(target) ? substitute(this.defs[target]!) : undefined));
    const result = substitute(root);
    const kept: Record<string, JsonSchema> = {};
    for (const name of names) if (!inlinable.has(name)) kept[name] = substitute(this.defs[name]!);
    // Drop defs no longer referenced after inlining (e.g. only used by an inlined def that was itself dropped).
    const live = new Set<string>();
    const mark = (node: unknown) =>
      walk(node, (obj) => {
        const ref = obj.$ref;
        if (typeof ref === 'string' && ref.startsWith('#/$defs/')) {
          const target = ref.slice(8);
          if (!live.has(target) && kept[target]) {
            live.add(target);
            mark(kept[target]);
          }
        }
      });
    mark(result);
    const finalDefs = Object.fromEntries(Object.keys(kept).filter((n) => live.has(n)).sort().map((n) => [n, kept[n]!]));
    return Object.keys(finalDefs).length ? { ...result, $defs: finalDefs } : result;
  }
}

function reaches(edges: Map<string, Set<string>>, from: string, target: string): boolean {
  const stack = [...(edges.get(from) ?? [])];
  const seen = new Set<string>();
  while (stack.length) {
    const next = stack.pop()!;
    if (next === target) return true;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(edges.get(next) ?? []));
  }
  return false;
}

function walk(node: unknown, visit: (obj: Record<string, unknown>) => void): void {
  const stack: unknown[] = [node];
  while (stack.length) {
    const current = stack.pop();
    if (!current || typeof current !== 'object') continue;
    if (Array.isArray(current)) {
      stack.push(...current);
      continue;
    }
    visit(current as Record<string, unknown>);
    for (const [key, value] of Object.entries(current)) {
      if (key === 'enum' || key === 'const' || key === 'default' || key === 'examples') continue;
      if (value && typeof value === 'object') stack.push(value);
    }
  }
}

function replaceRefs(node: JsonSchema, lookup: (target: string) => JsonSchema | undefined): JsonSchema {
  if (typeof node.$ref === 'string' && node.$ref.startsWith('#/$defs/')) {
    const replacement = lookup(node.$ref.slice(8));
    if (replacement) return replacement;
  }
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'enum' || key === 'const' || key === 'default' || key === 'examples' || key === 'required' || key === 'type') out[key] = value;
    else if (Array.isArray(value)) out[key] = value.map((v) => (v && typeof v === 'object' ? replaceRefs(v as JsonSchema, lookup) : v));
    else if (value && typeof value === 'object') {
      out[key] =
        key === 'properties' || key === 'patternProperties' || key === 'dependentSchemas' || key === '$defs'
          ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v && typeof v === 'object' ? replaceRefs(v as JsonSchema, lookup) : v]))
          : replaceRefs(value as JsonSchema, lookup);
    } else out[key] = value;
  }
  return out;
}

/** 3.0 `nullable` → 2020-12: extend `type`/`enum` when present, otherwise union with null. */
function makeNullable(schema: JsonSchema): JsonSchema {
  if (typeof schema.type === 'string') {
    const out: JsonSchema = { ...schema, type: [schema.type, 'null'] };
    if (Array.isArray(schema.enum) && !schema.enum.includes(null)) out.enum = [...schema.enum, null];
    return out;
  }
  if (Array.isArray(schema.type)) return schema.type.includes('null') ? schema : { ...schema, type: [...schema.type, 'null'] };
  if (Object.keys(schema).length === 0) return schema;
  return { anyOf: [schema, { type: 'null' }] };
}

function isUsablePattern(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

export function trimText(text: string, budget: number): string {
  const clean = text.replace(/\r\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
  if (clean.length <= budget) return clean;
  const cut = clean.slice(0, Math.max(0, budget - 1));
  const lastSpace = cut.lastIndexOf(' ');
  return (lastSpace > budget * 0.6 ? cut.slice(0, lastSpace) : cut).trimEnd() + '…';
}
