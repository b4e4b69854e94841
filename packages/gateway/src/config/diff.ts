import { canonicalHash } from '../canonical-json.js';
import type { GatewayConfig } from './types.js';

export interface ConfigDiff {
  added: string[];
  removed: string[];
  /** Servers whose resolved config differs in any way: hot reload restarts these and only these. */
  changed: string[];
  unchanged: string[];
  gatewayChanged: boolean;
  /** Top-level keys of the gateway block that differ (`listen`, `auth`, …). */
  gatewaySections: string[];
}

/** A stable fingerprint of one server's resolved config (canonical JSON, so key order does not matter). */
export function serverHash(server: GatewayConfig['servers'][number]): string {
  // Where the entry sits in the file is not part of what it runs.
  const { path: _path, ...rest } = server;
  return canonicalHash(rest);
}

/**
 * Compares two resolved configs. Resolve secrets first: a rotated token is a changed server. Server keys are
 * the identity, so a renamed key reads as one removed and one added.
 */
export function diffConfigs(previous: GatewayConfig, next: GatewayConfig): ConfigDiff {
  const before = new Map(previous.servers.map((s) => [s.key, serverHash(s)]));
  const after = new Map(next.servers.map((s) => [s.key, serverHash(s)]));
  const diff: ConfigDiff = { added: [], removed: [], changed: [], unchanged: [], gatewayChanged: false, gatewaySections: [] };
  for (const [key, hash] of after) {
    const old = before.get(key);
    if (old === undefined) diff.added.push(key);
    else if (old !== hash) diff.changed.push(key);
    else diff.unchanged.push(key);
  }
  for (const key of before.keys()) if (!after.has(key)) diff.removed.push(key);
  const sections = new Set([...Object.keys(previous.gateway), ...Object.keys(next.gateway)]);
  for (const section of [...sections].sort()) {
    const a = (previous.gateway as unknown as Record<string, unknown>)[section];
    const b = (next.gateway as unknown as Record<string, unknown>)[section];
    if (canonicalHash(a ?? null) !== canonicalHash(b ?? null)) diff.gatewaySections.push(section);
  }
  diff.gatewayChanged = diff.gatewaySections.length > 0;
  return diff;
}
