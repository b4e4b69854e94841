import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { GatewayConfigError } from '../errors.js';
import { fromZodIssues } from './issues.js';
import { parseJsonc } from './jsonc.js';
import { allowDenySchema, rateRuleSchema, type RateRule } from './schema.js';

/**
 * The API key file: `{ "keys": [ { "id": "ci", "hash": "sha256:…", "allow": ["github.*"], "deny": [], "rateLimit": {…} } ] }`.
 *
 * Keys are stored as a sha-256, not a slow password hash: generated keys carry 256 random bits, which no
 * guessing can cover, and a slow hash would cost every request. The file therefore holds nothing that lets
 * its reader call the gateway.
 */
export interface ApiKeyEntry {
  id: string;
  hash: string;
  /** Default ["*"]: a key may use every tool unless the file narrows it. */
  allow: string[];
  deny: string[];
  rateLimit?: RateRule;
  disabled: boolean;
}

const HASH = /^sha256:[0-9a-f]{64}$/;
const KIND = 'API key file';

const entrySchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'must be 1-64 characters from A-Z a-z 0-9 . _ @ -'),
  hash: z.string().regex(HASH, 'must be "sha256:" and 64 lowercase hex digits; store the hash (`printf %s "$KEY" | sha256sum`), never the key'),
  ...allowDenySchema.shape,
  rateLimit: rateRuleSchema.optional(),
  disabled: z.boolean().optional(),
});

const keyFileSchema = z.strictObject({ $schema: z.string().optional(), keys: z.array(entrySchema) });

export function hashApiKey(key: string): string {
  return 'sha256:' + createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new key and the hash to store. Show the key once; keep only the hash. */
export function generateApiKey(): { key: string; hash: string } {
  const key = 'sbk_' + randomBytes(32).toString('base64url');
  return { key, hash: hashApiKey(key) };
}

export function parseKeyFile(text: string, source = 'key file'): ApiKeyEntry[] {
  const raw = parseJsonc(text.replace(/^\uFEFF/, ''), source, KIND);
  const parsed = keyFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new GatewayConfigError(
      source,
      fromZodIssues(parsed.error.issues, (path) => (path.length === 0 ? Object.keys(keyFileSchema.shape) : path[0] === 'keys' ? Object.keys(entrySchema.shape) : [])),
      KIND,
    );
  }
  const issues: { path: string; message: string }[] = [];
  const ids = new Map<string, number>();
  const hashes = new Map<string, number>();
  parsed.data.keys.forEach((entry, i) => {
    const sameId = ids.get(entry.id);
    if (sameId !== undefined) issues.push({ path: `keys[${i}].id`, message: `"${entry.id}" is also the id of keys[${sameId}]; ids must be unique` });
    const sameHash = hashes.get(entry.hash);
    if (sameHash !== undefined) issues.push({ path: `keys[${i}].hash`, message: `is the same key as keys[${sameHash}]` });
    ids.set(entry.id, i);
    hashes.set(entry.hash, i);
  });
  if (issues.length) throw new GatewayConfigError(source, issues, KIND);
  return parsed.data.keys.map((e) => ({
    id: e.id,
    hash: e.hash,
    allow: e.allow ?? ['*'],
    deny: e.deny ?? [],
    ...(e.rateLimit ? { rateLimit: e.rateLimit } : {}),
    disabled: e.disabled ?? false,
  }));
}

export async function loadKeyFile(path: string): Promise<KeyRing> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new GatewayConfigError(path, [{ path: '', message: `cannot read the key file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` }], KIND);
  }
  return new KeyRing(parseKeyFile(text, path));
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
