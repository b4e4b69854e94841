import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth, so equal values hash equally whatever order a server or an editor
 * wrote them in. `undefined` members are dropped as JSON.stringify does; non-finite numbers become null.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortKeys(v)));
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** sha-256 of the canonical JSON of a value, hex. */
export function canonicalHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
