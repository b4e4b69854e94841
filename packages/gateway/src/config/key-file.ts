import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { KeyFileError, parseKeyFile as parseKeys, type ApiKey } from '@switchboard-mcp/core/serve';
import type { z } from 'zod';
import { GatewayConfigError, type ConfigIssue } from '../errors.js';
import { fromZodIssues } from './issues.js';
import { allowDenySchema, rateRuleSchema, type RateRule } from './schema.js';

/**
 * The API key file: the same file the bridge reads (`--api-key-file`), parsed by core. Per key the gateway reads
 * its `allow`/`deny` globs over `server.tool` and an optional `rateLimit`:
 *
 *     { "keys": [ { "id": "ci", "sha256": "<hex>", "allow": ["github.*"], "deny": [], "rateLimit": { "calls": 60, "per": "1m" } } ] }
 *
 * `"hash": "sha256:<hex>"` (this file's first spelling) is still read. Keys are stored as a sha-256, not a slow
 * password hash: generated keys carry 256 random bits, which no guessing can cover, and a slow hash would cost
 * every request. The file therefore holds nothing that lets its reader call the gateway.
 */
export interface ApiKeyEntry {
  id: string;
  /** `sha256:<hex>` of the key. */
  hash: string;
  /** Default ["*"]: a key may use every tool unless the file narrows it. */
  allow: string[];
  deny: string[];
  rateLimit?: RateRule;
  disabled: boolean;
  /** The key's scopes as the bridge reads them (AuthInfo.scopes); gateway policy uses allow/deny. */
  scopes?: string[];
}

const KIND = 'API key file';

export function hashApiKey(key: string): string {
  return 'sha256:' + createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new key and the hash to store. Show the key once; keep only the hash. */
export function generateApiKey(): { key: string; hash: string } {
  const key = 'sbk_' + randomBytes(32).toString('base64url');
  return { key, hash: hashApiKey(key) };
}

/** Core's parse (format, ids, hashes, `${env:X}` keys), then the gateway's judgement of globs and rate rules. */
export function parseKeyFile(text: string, source = 'key file', env: NodeJS.ProcessEnv = process.env): ApiKeyEntry[] {
  let keys: ApiKey[];
  try {
    keys = parseKeys(text, source, env);
  } catch (err) {
    if (!(err instanceof KeyFileError)) throw err;
    throw new GatewayConfigError(source, [{ path: err.where ?? '', message: err.problem }], KIND);
  }
  const issues: ConfigIssue[] = [];
  const entries = keys.map((key, i): ApiKeyEntry => {
    const rules = allowDenySchema.safeParse({ allow: key.allow, deny: key.deny });
    if (!rules.success) issues.push(...located(`keys[${i}]`, rules.error.issues));
    let rateLimit: RateRule | undefined;
    if (key.rateLimit !== undefined) {
      const rate = rateRuleSchema.safeParse(key.rateLimit);
      if (rate.success) rateLimit = rate.data;
      else issues.push(...located(`keys[${i}].rateLimit`, rate.error.issues, Object.keys(rateRuleSchema.shape)));
    }
    return {
      id: key.id,
      hash: `sha256:${key.digest.toString('hex')}`,
      allow: key.allow ?? ['*'],
      deny: key.deny ?? [],
      ...(rateLimit ? { rateLimit } : {}),
      disabled: key.disabled ?? false,
      ...(key.scopes ? { scopes: key.scopes } : {}),
    };
  });
  if (issues.length) throw new GatewayConfigError(source, issues, KIND);
  return entries;
}

function located(base: string, issues: readonly z.core.$ZodIssue[], known: readonly string[] = []): ConfigIssue[] {
  return fromZodIssues(issues, () => known).map((i) => ({ ...i, path: !i.path ? base : i.path.startsWith('[') ? base + i.path : `${base}.${i.path}` }));
}

export async function loadKeyFile(path: string, env: NodeJS.ProcessEnv = process.env): Promise<KeyRing> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new GatewayConfigError(path, [{ path: '', message: `cannot read the key file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` }], KIND);
  }
  return new KeyRing(parseKeyFile(text, path, env));
}

/** Looks a presented key up by its hash; the key itself is never stored or compared. */
export class KeyRing {
  private readonly byHash = new Map<string, ApiKeyEntry>();
  private readonly byId = new Map<string, ApiKeyEntry>();
  constructor(readonly entries: readonly ApiKeyEntry[]) {
    for (const entry of entries) {
      this.byHash.set(entry.hash, entry);
      this.byId.set(entry.id, entry);
    }
  }
  /** The entry for a presented key, unless unknown or disabled. */
  authenticate(presented: string): ApiKeyEntry | undefined {
    const entry = this.byHash.get(hashApiKey(presented));
    return entry && !entry.disabled ? entry : undefined;
  }
  get(id: string): ApiKeyEntry | undefined {
    return this.byId.get(id);
  }
}
