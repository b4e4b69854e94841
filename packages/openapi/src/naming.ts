import { createHash } from 'node:crypto';
import { BuildError } from './errors.js';
import type { OperationEntry } from './select.js';

/** The charset every major client accepts (no dots: OpenAI rejects them). */
export const TOOL_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export interface NamingOptions {
  /** Maximum name length, ≤ 64. Lower it to leave room for client prefixes such as `mcp__server__`. */
  nameBudget?: number;
  /** operationId (or `METHOD /path`) → tool name, applied before anything else. */
  rename?: Record<string, string>;
}

export function stableHash(text: string, length = 8): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** Rewrites any text into the safe charset: transliterate accents, everything else becomes `_`. */
export function sanitizeName(raw: string): string {
  const ascii = raw.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  const cleaned = ascii.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/_{2,}/g, '_').replace(/^[_-]+|[_-]+$/g, '');
  return cleaned;
}

function baseName(entry: OperationEntry): string {
  const fromId = entry.operationId ? sanitizeName(entry.operationId) : '';
  if (fromId) return fromId;
  // No usable operationId: method + path, with `{param}` rendered as `by_param`.
  const path = entry.path.replace(/\{([^}]+)\}/g, 'by_$1');
  return sanitizeName(`${entry.method}_${path}`) || `${entry.method}_root`;
}

/** Cuts to budget keeping a readable head and a hash of the identity so shortened names stay distinct and stable. */
export function fitName(name: string, budget: number, identity: string): string {
  if (name.length <= budget) return name;
  const suffix = '_' + stableHash(identity, 8);
  const head = name.slice(0, Math.max(1, budget - suffix.length)).replace(/[_-]+$/, '');
  return head + suffix;
}

export function identityOf(entry: OperationEntry): string {
  return `${entry.method.toUpperCase()} ${entry.path}`;
}

/**
 * Names every operation in the spec (not only the selected ones) so a tool's name does not
 * change when the selection does. Order is the deterministic operation order.
 */
export function assignNames(entries: OperationEntry[], options: NamingOptions = {}): Map<OperationEntry, string> {
  const budget = options.nameBudget ?? 64;
  if (!Number.isInteger(budget) || budget < 8 || budget > 64) throw new BuildError(`nameBudget must be an integer between 8 and 64 (got ${budget}).`, 'BAD_OPTION');
  const rename = options.rename ?? {};
  const names = new Map<OperationEntry, string>();
  const taken = new Map<string, OperationEntry>();
  const renamedKeys = new Set<string>();

  // Explicit renames claim their names first so generated names route around them.
  for (const entry of entries) {
    const key = entry.operationId !== undefined && rename[entry.operationId] !== undefined ? entry.operationId : rename[identityOf(entry)] !== undefined ? identityOf(entry) : undefined;
    if (key === undefined) continue;
    const wanted = rename[key]!;
    if (!TOOL_NAME_PATTERN.test(wanted) || wanted.length > budget) {
      throw new BuildError(`rename ${key}=${wanted}: tool names must match ${TOOL_NAME_PATTERN} and be at most ${budget} characters.`, 'BAD_NAME');
    }
    if (taken.has(wanted)) throw new BuildError(`rename ${key}=${wanted}: name already used by ${identityOf(taken.get(wanted)!)}.`, 'NAME_COLLISION');
    names.set(entry, wanted);
    taken.set(wanted, entry);
    renamedKeys.add(key);
  }
  for (const key of Object.keys(rename)) {
    if (!renamedKeys.has(key)) throw new BuildError(`rename ${key}=${rename[key]}: no operation has operationId (or "METHOD /path") ${key}.`, 'BAD_NAME');
  }

  for (const entry of entries) {
    if (names.has(entry)) continue;
    const identity = identityOf(entry);
    let name = fitName(baseName(entry), budget, identity);
    if (taken.has(name)) {
      const suffix = '_' + stableHash(identity, 6);
      name = name.slice(0, budget - suffix.length).replace(/[_-]+$/, '') + suffix;
    }
    if (taken.has(name)) {
      throw new BuildError(`Tool name ${name} for ${identity} collides with ${identityOf(taken.get(name)!)}; add a rename.`, 'NAME_COLLISION');
    }
    names.set(entry, name);
    taken.set(name, entry);
  }
  return names;
}
