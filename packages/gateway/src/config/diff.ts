import { canonicalHash } from '../canonical-json.js';
import type { GatewayConfig } from './types.js';

export interface ConfigDiff {
  added: string[];
  removed: string[];
  /** Servers whose launch config (command, env, url, headers, spec, isolation, disabled, …) differs: hot reload restarts these and only these. */
  changed: string[];
  /** Same launch config, different exposure (prefix, rename, tools filter, timeout): re-list and rename, no restart. */
  exposureChanged: string[];
  unchanged: string[];
  gatewayChanged: boolean;
  /** Top-level keys of the gateway block that differ (`listen`, `auth`, …). */
  gatewaySections: string[];
}

type Server = GatewayConfig['servers'][number];

/** A stable fingerprint of one server's resolved config (canonical JSON, so key order does not matter). */
export function serverHash(server: Server): string {
  // Where the entry sits in the file is not part of what it runs.
  const { path: _path, ...rest } = server;
  return canonicalHash(rest);
}

/** The fingerprint of what it takes to start the server: fields that only shape what clients see are left out. */
export function serverLaunchHash(server: Server): string {
  const { path: _path, prefix: _prefix, rename: _rename, tools: _tools, timeoutMs: _timeout, ...launch } = server;
  return canonicalHash(launch);
}

/**
 * Compares two resolved configs. Resolve secrets first: a rotated token is a changed server. Server keys are
 * the identity, so a renamed key reads as one removed and one added.
 */
export function diffConfigs(previous: GatewayConfig, next: GatewayConfig): ConfigDiff {
  const before = new Map(previous.servers.map((s) => [s.key, s]));
  const diff: ConfigDiff = { added: [], removed: [], changed: [], exposureChanged: [], unchanged: [], gatewayChanged: false, gatewaySections: [] };
  for (const server of next.servers) {
    const old = before.get(server.key);
    if (old === undefined) diff.added.push(server.key);
    else if (serverLaunchHash(old) !== serverLaunchHash(server)) diff.changed.push(server.key);
    else if (serverHash(old) !== serverHash(server)) diff.exposureChanged.push(server.key);
    else diff.unchanged.push(server.key);
  }
  const after = new Set(next.servers.map((s) => s.key));
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
