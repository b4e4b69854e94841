import type { OpenAPIV3 } from 'openapi-types';
import { BuildError } from './errors.js';
import { HTTP_METHODS, type HttpMethod, type SkippedOperation } from './model.js';
import type { OpenApiDocument } from './load.js';
import { RefResolver, encodePointer } from './refs.js';

/** One operation found in the spec, in a deterministic order (path, then method). */
export interface OperationEntry {
  method: HttpMethod;
  path: string;
  pointer: string;
  operation: OpenAPIV3.OperationObject;
  pathItem: OpenAPIV3.PathItemObject;
  operationId?: string;
  tags: string[];
  deprecated: boolean;
  /** Effective `x-mcp` flag (operation > path > root), undefined when none is set. */
  xMcp?: boolean;
}

export interface SelectionOptions {
  /**
   * Filters that admit operations (OR). Each is one of `operationId:GLOB`, `tag:GLOB`,
   * `method:GET`, `path:GLOB`, `METHOD /path/glob`; a bare `/path/glob` is a path glob, a bare
   * HTTP method is a method filter, anything else an operationId glob. `*` stays within a path
   * segment, `**` crosses segments. With no include, every operation is a candidate.
   * Operations marked `x-mcp: true` are admitted even when no include matches them; an explicit
   * include admits operations marked `x-mcp: false` (the operator's choice wins over the spec's).
   */
  include?: string[];
  /** Same syntax as include; exclude always wins (also over `x-mcp: true`). */
  exclude?: string[];
  /** Deprecated operations are skipped unless this is true. */
  includeDeprecated?: boolean;
  /** Refuse to build more tools than this (default 100). */
  maxTools?: number;
}

export function listOperations(document: OpenApiDocument, resolver = new RefResolver(document)): OperationEntry[] {
  const entries: OperationEntry[] = [];
  const rootFlag = readFlag((document as unknown as Record<string, unknown>)['x-mcp']);
  const paths = (document.paths ?? {}) as Record<string, unknown>;
  for (const path of Object.keys(paths).sort()) {
    const pathPointer = encodePointer(['paths', path]);
    const { value: pathItem } = resolver.deref<OpenAPIV3.PathItemObject>(paths[path], pathPointer);
    if (!pathItem || typeof pathItem !== 'object') continue;
    const pathFlag = readFlag((pathItem as Record<string, unknown>)['x-mcp']);
    for (const method of HTTP_METHODS) {
      const operation = (pathItem as Record<string, unknown>)[method] as OpenAPIV3.OperationObject | undefined;
      if (!operation || typeof operation !== 'object') continue;
      const opFlag = readFlag((operation as Record<string, unknown>)['x-mcp']);
      const xMcp = opFlag ?? pathFlag ?? rootFlag;
      entries.push({
        method,
        path,
        pointer: encodePointer(['paths', path, method]),
        operation,
        pathItem,
        ...(typeof operation.operationId === 'string' && operation.operationId.trim() ? { operationId: operation.operationId } : {}),
        tags: Array.isArray(operation.tags) ? operation.tags.map(String) : [],
        deprecated: operation.deprecated === true,
        ...(xMcp !== undefined ? { xMcp } : {}),
      });
    }
  }
  return entries;
}

function readFlag(value: unknown): boolean | undefined {
  if (value === true || value === false) return value;
  // Some tools use an object form (`x-mcp: {name, description}`); its presence means "include".
  if (value && typeof value === 'object') return (value as { enabled?: unknown }).enabled !== false;
  return undefined;
}

type Matcher = (entry: OperationEntry) => boolean;

export function parseFilter(text: string): Matcher {
  const filter = text.trim();
  const methodPath = /^([A-Za-z]+)\s+(\/.*)$/.exec(filter);
  if (methodPath && isMethod(methodPath[1]!)) {
    const method = methodPath[1]!.toLowerCase();
    const path = globToRegExp(methodPath[2]!, true);
    return (e) => e.method === method && path.test(e.path);
  }
  const prefixed = /^(operationId|opId|tag|method|path):(.*)$/i.exec(filter);
  if (prefixed) {
    const kind = prefixed[1]!.toLowerCase();
    const value = prefixed[2]!.trim();
    if (kind === 'tag') {
      const re = globToRegExp(value, false);
      return (e) => e.tags.some((t) => re.test(t));
    }
    if (kind === 'method') {
      const methods = value.toLowerCase().split(/[,|]/).map((m) => m.trim());
      return (e) => methods.includes(e.method);
    }
    if (kind === 'path') {
      const re = globToRegExp(value, true);
      return (e) => re.test(e.path);
    }
    const re = globToRegExp(value, false);
    return (e) => e.operationId !== undefined && re.test(e.operationId);
  }
  if (filter.startsWith('/')) {
    const re = globToRegExp(filter, true);
    return (e) => re.test(e.path);
  }
  if (isMethod(filter) && filter === filter.toUpperCase()) {
    const method = filter.toLowerCase();
    return (e) => e.method === method;
  }
  const re = globToRegExp(filter, false);
  return (e) => e.operationId !== undefined && re.test(e.operationId);
}

function isMethod(text: string): boolean {
  return (HTTP_METHODS as readonly string[]).includes(text.toLowerCase());
}

export function globToRegExp(glob: string, segmentAware: boolean): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '*') {
      if (glob[i + 1] === '*') {
        source += '.*';
        i++;
      } else source += segmentAware ? '[^/]*' : '.*';
    } else if (char === '?') source += segmentAware ? '[^/]' : '.';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

export interface SelectionResult {
  selected: OperationEntry[];
  skipped: SkippedOperation[];
}

export function selectOperations(entries: OperationEntry[], options: SelectionOptions = {}): SelectionResult {
  const include = (options.include ?? []).filter((f) => f.trim()).map(parseFilter);
  const exclude = (options.exclude ?? []).filter((f) => f.trim()).map(parseFilter);
  const selected: OperationEntry[] = [];
  const skipped: SkippedOperation[] = [];
  const skip = (e: OperationEntry, reason: string) =>
    skipped.push({ method: e.method.toUpperCase(), path: e.path, ...(e.operationId ? { operationId: e.operationId } : {}), reason });
  for (const entry of entries) {
    if (exclude.some((m) => m(entry))) {
      skip(entry, 'matched an exclude filter');
      continue;
    }
    const included = include.length > 0 ? include.some((m) => m(entry)) : undefined;
    if (entry.xMcp === false && included !== true) {
      skip(entry, 'x-mcp: false');
      continue;
    }
    if (included === false && entry.xMcp !== true) {
      skip(entry, 'not matched by any include filter');
      continue;
    }
    if (entry.deprecated && !options.includeDeprecated) {
      skip(entry, 'deprecated (set includeDeprecated to expose)');
      continue;
    }
    selected.push(entry);
  }
  const maxTools = options.maxTools ?? 100;
  if (selected.length > maxTools) throw new BuildError(tooManyMessage(selected, maxTools), 'TOO_MANY_TOOLS');
  return { selected, skipped };
}

function tooManyMessage(selected: OperationEntry[], maxTools: number): string {
  const byTag = new Map<string, number>();
  for (const e of selected) for (const tag of e.tags.length ? e.tags : ['(untagged)']) byTag.set(tag, (byTag.get(tag) ?? 0) + 1);
  const tags = [...byTag.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 8);
  const firstSegments = new Map<string, number>();
  for (const e of selected) {
    const segment = '/' + (e.path.split('/')[1] ?? '');
    firstSegments.set(segment, (firstSegments.get(segment) ?? 0) + 1);
  }
  const prefixes = [...firstSegments.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
  const example = tags[0]?.[0] !== '(untagged)' && tags[0] ? `--include 'tag:${tags[0][0]}'` : `--include '${prefixes[0]?.[0] ?? '/path'}/**'`;
  return [
    `${selected.length} operations selected, more than maxTools (${maxTools}). Large tool lists flood the model's context; narrow the selection:`,
    `  by tag:        ${tags.map(([t, n]) => `${t} (${n})`).join(', ')}`,
    `  by path:       ${prefixes.map(([p, n]) => `${p}/** (${n})`).join(', ')}`,
    `  e.g.           ${example}   --exclude 'method:DELETE'   --include 'operationId:get*'`,
    `  or mark operations with x-mcp: true/false in the spec, or raise maxTools.`,
  ].join('\n');
}
