// 2026-07-28 Streamable HTTP: tool arguments a server marks with `x-mcp-header` in the input schema travel twice,
// in the body and in an `Mcp-Param-<Name>` request header (so gateways can route on them). The SDK's client adds
// them in callTool(); a raw pipe never calls that, so the remote transport mirrors them itself from the tool
// schemas it has seen pass by in tools/list results.

/** A declared header: where its value sits in `arguments`, and the header's name suffix. */
export interface ParamHeader {
  path: string[];
  name: string;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const PRIMITIVE = new Set(['string', 'integer', 'boolean']);
/** Places a declaration may not be: only a chain of `properties` from the root is statically reachable. */
const ELSEWHERE = ['items', 'prefixItems', 'contains', 'additionalProperties', 'unevaluatedProperties', 'unevaluatedItems', 'propertyNames', 'not', 'if', 'then', 'else', 'oneOf', 'anyOf', 'allOf'];
const ELSEWHERE_MAPS = ['patternProperties', 'dependentSchemas', '$defs', 'definitions'];

/**
 * The `x-mcp-header` declarations of one input schema, or undefined when the schema declares them in a way the
 * spec forbids (such a tool is invalid: a client sends it no headers, and the server will refuse its calls anyway).
 * `number`-typed declarations are not permitted either, but are kept: the server still checks them.
 */
export function scanParamHeaders(schema: unknown): ParamHeader[] | undefined {
  const found: ParamHeader[] = [];
  const names = new Set<string>();
  let ok = true;
  const walk = (node: unknown, path: string[], reachable: boolean): void => {
    if (!ok || !node || typeof node !== 'object' || Array.isArray(node)) return;
    const s = node as Record<string, unknown>;
    if ('x-mcp-header' in s) {
      const name = s['x-mcp-header'];
      const type = s.type;
      if (!reachable || !path.length || typeof name !== 'string' || !TOKEN.test(name) || !(PRIMITIVE.has(type as string) || type === 'number') || names.has(name.toLowerCase())) {
        ok = false;
        return;
      }
      names.add(name.toLowerCase());
      found.push({ path, name });
    }
    if (s.properties && typeof s.properties === 'object') for (const [k, child] of Object.entries(s.properties)) walk(child, [...path, k], reachable);
    for (const k of ELSEWHERE) {
      const sub = s[k];
      for (const b of Array.isArray(sub) ? sub : [sub]) walk(b, [...path, `<${k}>`], false);
    }
    for (const k of ELSEWHERE_MAPS) {
      const sub = s[k];
      if (sub && typeof sub === 'object') for (const b of Object.values(sub)) walk(b, [...path, `<${k}>`], false);
    }
  };
  walk(schema, [], true);
  return ok ? found : undefined;
}

/** A header value as the spec writes it: printable ASCII as is, anything else (or ambiguous) as `=?base64?…?=`. */
export function encodeParamValue(value: string): string {
  const plain = value.length > 0 && value === value.trim() && /^[\t\x20-\x7e]*$/.test(value) && !(value.startsWith('=?base64?') && value.endsWith('?='));
  return plain ? value : `=?base64?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

function stringOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number' && Number.isFinite(v) && (!Number.isInteger(v) || Number.isSafeInteger(v))) return String(v);
  return undefined;
}

/** The argument a declaration's path names (undefined when any step is missing). */
export function argumentAt(args: unknown, path: readonly string[]): unknown {
  let v: unknown = args;
  for (const k of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/** `Mcp-Param-*` headers for one call: absent, null and non-primitive values send no header. */
export function paramHeadersFor(declared: ParamHeader[], args: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of declared) {
    const s = stringOf(argumentAt(args, d.path));
    if (s !== undefined) out[`Mcp-Param-${d.name}`] = encodeParamValue(s);
  }
  return out;
}

/** Tool name → declarations, fed by every tools/list result that passes through. */
export class ParamHeaderCache {
  private readonly tools = new Map<string, ParamHeader[] | undefined>();

  /** Records the tools of one tools/list page. */
  learn(result: unknown): void {
    const tools = (result as { tools?: unknown } | undefined)?.tools;
    if (!Array.isArray(tools)) return;
    for (const t of tools as { name?: unknown; inputSchema?: unknown }[]) {
      if (typeof t?.name === 'string') this.tools.set(t.name, scanParamHeaders(t.inputSchema));
    }
  }

  knows(tool: string): boolean {
    return this.tools.has(tool);
  }

  /** A tool's declarations: undefined for a tool not seen, or one whose declaration is invalid. */
  declared(tool: string): ParamHeader[] | undefined {
    return this.tools.get(tool);
  }

  headersFor(tool: string, args: unknown): Record<string, string> {
    const d = this.tools.get(tool);
    return d?.length ? paramHeadersFor(d, args) : {};
  }
}
