import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { JsonSchema } from './model.js';

// ajv-formats ships CJS with a default export; under NodeNext the namespace wraps it.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;

/** An Ajv (2020-12). With `formats: false`, `format` is an annotation only (unknown formats are ignored either way). */
export function createAjv(formats = true): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false, validateFormats: formats });
  if (formats) addFormats(ajv);
  return ajv;
}

export type CheckResult = { ok: true; value: Record<string, unknown>; formatWarnings?: string } | { ok: false; message: string };

export interface ValidatorOptions {
  /**
   * Refuse arguments whose strings do not match their `format`. Default false: specs often document
   * other shapes than their format says (a `date-time` whose description asks for a plain date), so a
   * mismatch is reported as a warning and the API decides.
   */
  strictFormats?: boolean;
}

/** Validators are compiled per schema on first use (a tool never called costs nothing) and cached. */
export class ArgumentValidator {
  private readonly cache = new WeakMap<object, ValidateFunction>();
  private readonly formatCache = new WeakMap<object, ValidateFunction | null>();
  private lenientAjv?: Ajv2020;
  private formatAjv?: Ajv2020;
  constructor(private readonly options: ValidatorOptions = {}) {}

  private get lenient(): Ajv2020 {
    return (this.lenientAjv ??= createAjv(false));
  }

  private get withFormats(): Ajv2020 {
    return (this.formatAjv ??= createAjv(true));
  }

  compile(schema: JsonSchema): ValidateFunction {
    let fn = this.cache.get(schema);
    if (!fn) {
      fn = (this.options.strictFormats ? this.withFormats : this.lenient).compile(schema);
      this.cache.set(schema, fn);
    }
    return fn;
  }

  /** The format-checking validator, only for schemas that use `format` at all. */
  private formatValidator(schema: JsonSchema): ValidateFunction | null {
    let fn = this.formatCache.get(schema);
    if (fn === undefined) {
      fn = JSON.stringify(schema).includes('"format"') ? this.withFormats.compile(schema) : null;
      this.formatCache.set(schema, fn);
    }
    return fn;
  }

  /** Validates tool arguments, first undoing the common client mistake of JSON-encoding nested values. */
  check(schema: JsonSchema, args: unknown): CheckResult {
    const input = args === undefined || args === null ? {} : args;
    const value = unwrapJsonStrings(input, schema, schema, 0) as Record<string, unknown>;
    const validate = this.compile(schema);
    if (!validate(value)) return { ok: false, message: formatErrors(validate.errors ?? []) };
    if (!this.options.strictFormats) {
      const formats = this.formatValidator(schema);
      if (formats && !formats(value)) {
        const mismatches = (formats.errors ?? []).filter((e) => e.keyword === 'format');
        if (mismatches.length) return { ok: true, value, formatWarnings: formatErrors(mismatches) };
      }
    }
    return { ok: true, value };
  }

  /** Validates a response payload; returns whether it matches. Formats never count as drift. */
  matches(schema: JsonSchema, value: unknown): boolean {
    let fn = this.cache.get(schema);
    if (!fn) {
      fn = this.lenient.compile(schema);
      this.cache.set(schema, fn);
    }
    return fn(value) === true;
  }
}

function resolveLocal(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let current = schema;
  for (let hops = 0; hops < 8 && typeof current.$ref === 'string' && current.$ref.startsWith('#/$defs/'); hops++) {
    const target = (root.$defs as Record<string, JsonSchema> | undefined)?.[current.$ref.slice(8)];
    if (!target) break;
    current = target;
  }
  return current;
}

function expects(schema: JsonSchema, root: JsonSchema, kind: 'object' | 'array'): boolean {
  const s = resolveLocal(schema, root);
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.includes('string')) return false; // a string is legitimately wanted
  if (types.includes(kind)) return true;
  if (kind === 'object' && s.properties) return true;
  if (kind === 'array' && (s.items || s.prefixItems)) return true;
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = s[key];
    if (Array.isArray(list) && list.some((sub) => expects(sub as JsonSchema, root, kind))) {
      if (key !== 'allOf' && list.some((sub) => acceptsString(sub as JsonSchema, root))) return false;
      return true;
    }
  }
  return false;
}

function acceptsString(schema: JsonSchema, root: JsonSchema): boolean {
  const s = resolveLocal(schema, root);
  return s.type === 'string' || (Array.isArray(s.type) && s.type.includes('string'));
}

/**
 * Schema-guided: a string is parsed only where the schema wants an object or array and never
 * a string, and only if it parses to that kind. Bounded depth.
 */
export function unwrapJsonStrings(value: unknown, schema: JsonSchema, root: JsonSchema, depth: number): unknown {
  if (depth > 8) return value;
  const s = resolveLocal(schema, root);
  if (typeof value === 'string') {
    const trimmed = value.trim();
    const wantsObject = trimmed.startsWith('{') && expects(s, root, 'object');
    const wantsArray = trimmed.startsWith('[') && expects(s, root, 'array');
    if (wantsObject || wantsArray) {
      try {
        const parsed = JSON.parse(trimmed) as unknown;
        if (wantsObject ? parsed && typeof parsed === 'object' && !Array.isArray(parsed) : Array.isArray(parsed)) return unwrapJsonStrings(parsed, s, root, depth + 1);
      } catch {
        // Not JSON after all: let validation report the type error.
      }
    }
    return value;
  }
  if (Array.isArray(value)) {
    const items = s.items as JsonSchema | undefined;
    return items && typeof items === 'object' ? value.map((v) => unwrapJsonStrings(v, items, root, depth + 1)) : value;
  }
  if (value && typeof value === 'object') {
    const props = (s.properties ?? {}) as Record<string, JsonSchema>;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = props[key] ? unwrapJsonStrings(item, props[key]!, root, depth + 1) : item;
    return out;
  }
  return value;
}

/** `petId: must be integer (type)`, naming the argument and the rule, one line per problem. */
export function formatErrors(errors: ErrorObject[]): string {
  const lines = new Set<string>();
  for (const error of errors) {
    const path = error.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')).join('.');
    const params = error.params as Record<string, unknown>;
    if (error.keyword === 'required') lines.add(`${path ? path + '.' : ''}${String(params.missingProperty)}: is required (required)`);
    else if (error.keyword === 'additionalProperties') lines.add(`${path ? path + '.' : ''}${String(params.additionalProperty)}: unknown parameter (additionalProperties)`);
    else if (error.keyword === 'enum') lines.add(`${path || '(arguments)'}: must be one of ${JSON.stringify(params.allowedValues)} (enum)`);
    else if (error.keyword === 'if' || error.keyword === 'anyOf' && errors.length > 1) continue;
    else lines.add(`${path || '(arguments)'}: ${error.message ?? 'is invalid'} (${error.keyword})`);
  }
  return [...lines].slice(0, 10).join('\n');
}
