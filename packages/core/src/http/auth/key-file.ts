import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../errors.js';
import { parseJsonc, JsoncSyntaxError } from './jsonc.js';

/** One accepted API key: its id (for logs and policy), its scopes, and only the sha-256 of the secret. */
export interface ApiKey {
  id: string;
  scopes?: string[];
  /** sha-256 of the secret (32 bytes). */
  digest: Buffer;
  /** The gateway's `server.tool` globs for this key (the bridge has no tools to filter and ignores them). */
  allow?: string[];
  deny?: string[];
  /** The gateway's per-key rate limit, as written: the gateway validates it (`{ "calls": 60, "per": "1m" }`). */
  rateLimit?: unknown;
  /** A revoked key kept in the file for the record: it authenticates nobody. */
  disabled?: boolean;
}

/** A key-file entry in the recommended (hashed) form, as `switchboard keys add` would append it. */
export interface KeyFileEntry {
  id: string;
  sha256: string;
  scopes?: string[];
}

/** Short keys can be guessed over the network; 16 characters of a random key is the floor. */
export const MIN_KEY_LENGTH = 16;
export const KEY_ID_PATTERN = /^[A-Za-z0-9_.@-]{1,64}$/;
const SCOPE_PATTERN = /^[\x21\x23-\x5b\x5d-\x7e]+$/; // RFC 6749 scope-token

/** A key file or key source the user must fix; names the file and where in it. */
export class KeyFileError extends ConfigError {
  constructor(
    readonly source: string,
    /** The JSON path (`keys[2].sha256`) or line of the problem. */
    readonly where: string | undefined,
    readonly problem: string,
  ) {
    super(`${source}${where ? ` (${where})` : ''}: ${problem}`);
  }
}

/** Hex sha-256 of a key: the `sha256` of a key-file entry. */
export function hashApiKey(secret: string): string {
  if (!secret) throw new ConfigError('hashApiKey: the key is empty');
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** The id given to keys that come without one: stable per key, and 32 bits of a hash give nothing to guess with. */
export function defaultKeyId(secret: string): string {
  return `key-${hashApiKey(secret).slice(0, 8)}`;
}

/**
 * Checks a raw key from any source (--api-key, SWITCHBOARD_API_KEY, a key file) and hashes it. `source` and `where`
 * name it in errors; the key itself never appears in one.
 */
export function apiKeyFromSecret(
  secret: string | undefined,
  options: { source: string; where?: string; id?: string; scopes?: string[] },
): ApiKey {
  const { source, where } = options;
  if (secret === undefined || secret.trim() === '')
    // An empty SWITCHBOARD_API_KEY=… must fail loudly: silently dropping it would leave the server open.
    throw new KeyFileError(source, where, 'the key is empty. Set a key (e.g. `openssl rand -base64 32`) or remove the setting');
  if (/[\s\x00-\x1f\x7f]/.test(secret))
    throw new KeyFileError(source, where, 'the key contains whitespace or control characters (two keys on one line?); keys are sent in an HTTP header');
  if (secret.length < MIN_KEY_LENGTH)
    throw new KeyFileError(source, where, `the key is ${secret.length} characters long; use at least ${MIN_KEY_LENGTH} (e.g. \`openssl rand -base64 32\`)`);
  return {
    id: options.id ?? defaultKeyId(secret),
    ...(options.scopes ? { scopes: options.scopes } : {}),
    digest: createHash('sha256').update(secret, 'utf8').digest(),
  };
}

/**
 * A new key and the entry that stores it hashed, for `switchboard keys add <id>`: show `secret` to the user once,
 * append `entry` to the file's "keys" array. The file then never holds the key itself.
 */
export function createKeyEntry(id: string, options: { scopes?: string[]; secret?: string } = {}): { secret: string; entry: KeyFileEntry } {
  if (!KEY_ID_PATTERN.test(id)) throw new ConfigError(`key id "${id.slice(0, 80)}": use 1-64 characters from A-Z a-z 0-9 _ . @ -`);
  for (const s of options.scopes ?? []) if (!SCOPE_PATTERN.test(s)) throw new ConfigError(`scope "${s.slice(0, 80)}" is not a valid scope token (no spaces, quotes or backslashes)`);
  const secret = options.secret ?? randomBytes(32).toString('base64url');
  const key = apiKeyFromSecret(secret, { source: 'new key' });
  return { secret, entry: { id, sha256: key.digest.toString('hex'), ...(options.scopes?.length ? { scopes: options.scopes } : {}) } };
}

/** Reads and parses a key file (either format, see parseKeyFile). */
export function readKeyFile(path: string, env: NodeJS.ProcessEnv = process.env): ApiKey[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new KeyFileError(path, undefined, code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? (err as Error).message})`);
  }
  return parseKeyFile(text, path, env);
}

/**
 * Parses a key file: the one format of the bridge and the gateway. The format is recognised by content: a file
 * whose first significant character is "{" is JSON (comments and trailing commas allowed):
 *
 *     { "keys": [ { "id": "alice", "sha256": "<hex sha-256 of the key>", "scopes": ["tools:read"] },
 *                 { "id": "ci", "key": "${env:CI_KEY}", "allow": ["github.*"], "deny": ["github.delete_*"],
 *                   "rateLimit": { "calls": 60, "per": "1m" } },
 *                 { "id": "old", "sha256": "…", "disabled": true } ] }
 *
 * `allow`, `deny` and `rateLimit` are the gateway's (the bridge ignores them); `"hash": "sha256:<hex>"`, the
 * gateway's earlier spelling, is read as `sha256`. Anything else is the line format: one key per line, `#`
 * comments, blank lines ignored, ids `key-<8 hex>`.
 * Never returns an empty list: a key file without keys is a mistake, not "no authentication".
 */
export function parseKeyFile(text: string, source: string, env: NodeJS.ProcessEnv = process.env): ApiKey[] {
  const keys = looksLikeJson(text) ? parseJsonKeys(text, source, env) : parseLineKeys(text, source);
  if (!keys.length) throw new KeyFileError(source, undefined, 'has no keys');
  return keys;
}

function looksLikeJson(text: string): boolean {
  const significant = text
    .replace(/^\uFEFF/, '')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l && !l.startsWith('#') && !l.startsWith('//'));
  return significant?.startsWith('{') ?? false;
}

function parseLineKeys(text: string, source: string): ApiKey[] {
  const byId = new Map<string, ApiKey>();
  const digests = new Map<string, string>();
  text.split(/\r?\n/).forEach((raw, n) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const key = apiKeyFromSecret(line, { source, where: `line ${n + 1}` });
    const hex = key.digest.toString('hex');
    if (digests.has(hex)) return; // the same key twice is harmless
    if (byId.has(key.id))
      throw new KeyFileError(source, `line ${n + 1}`, `two different keys share the id ${key.id}; use the JSON format to name them`);
    digests.set(hex, key.id);
    byId.set(key.id, key);
  });
  return [...byId.values()];
}

const ENTRY_FIELDS = ['id', 'sha256', 'hash', 'key', 'scopes', 'allow', 'deny', 'rateLimit', 'disabled', 'description'];
const GLOB_LIST = (v: unknown): v is string[] => Array.isArray(v) && v.every((g) => typeof g === 'string' && g.length > 0);

function parseJsonKeys(text: string, source: string, env: NodeJS.ProcessEnv): ApiKey[] {
  let doc: unknown;
  try {
    doc = parseJsonc(text);
  } catch (err) {
    if (err instanceof JsoncSyntaxError) throw new KeyFileError(source, `line ${err.line}, column ${err.column}`, `not valid JSON: ${err.message.replace(/^line \d+, column \d+: /, '')}`);
    throw err;
  }
  const bad = (where: string | undefined, problem: string): never => {
    throw new KeyFileError(source, where, problem);
  };
  if (!isObject(doc) || !Array.isArray(doc.keys)) return bad(undefined, 'expected { "keys": [ { "id": …, "sha256": … }, … ] }');
  for (const field of Object.keys(doc)) if (field !== 'keys' && field !== '$schema') bad(field, 'unknown field (expected "keys")');

  const ids = new Map<string, string>();
  const digests = new Map<string, string>();
  return doc.keys.map((entry: unknown, n: number): ApiKey => {
    const at = `keys[${n}]`;
    if (!isObject(entry)) return bad(at, 'expected an object { "id": …, "sha256": … }');
    for (const field of Object.keys(entry)) {
      if (ENTRY_FIELDS.includes(field)) continue;
      const near = ENTRY_FIELDS.find((f) => nearlyEqual(f, field));
      bad(`${at}.${field}`, near ? `unknown field; did you mean "${near}"?` : `unknown field (expected ${ENTRY_FIELDS.join(', ')})`);
    }

    const id = entry.id;
    if (typeof id !== 'string') return bad(`${at}.id`, 'missing: every key needs an id (used in logs and policies)');
    if (!KEY_ID_PATTERN.test(id)) bad(`${at}.id`, 'use 1-64 characters from A-Z a-z 0-9 _ . -');
    if (ids.has(id)) bad(`${at}.id`, `duplicate id "${id}" (also ${ids.get(id)})`);
    ids.set(id, `${at}.id`);

    let scopes: string[] | undefined;
    if (entry.scopes !== undefined) {
      if (!Array.isArray(entry.scopes)) return bad(`${at}.scopes`, 'expected an array of strings');
      scopes = entry.scopes.map((s: unknown, k: number) =>
        typeof s === 'string' && SCOPE_PATTERN.test(s) ? s : bad(`${at}.scopes[${k}]`, 'expected a scope: a string without spaces, quotes or backslashes'),
      );
    }

    const given = ['sha256', 'hash', 'key'].filter((f) => entry[f] !== undefined);
    if (given.length !== 1) bad(at, 'give exactly one of "sha256" (recommended: the hex sha-256 of the key) or "key"');
    const policy = policyFields(entry, at, bad);
    let key: ApiKey;
    if (entry.sha256 !== undefined || entry.hash !== undefined) {
      // "hash": "sha256:<hex>" is how gateway key files spelled it first; both stay readable.
      const field = entry.sha256 !== undefined ? 'sha256' : 'hash';
      const raw = entry[field];
      const hex = typeof raw === 'string' ? (field === 'hash' ? /^sha256:([0-9a-fA-F]{64})$/ : /^([0-9a-fA-F]{64})$/).exec(raw)?.[1] : undefined;
      if (!hex)
        return bad(
          `${at}.${field}`,
          `expected ${field === 'hash' ? '"sha256:" and ' : ''}64 hex digits (e.g. \`printf %s "$KEY" | sha256sum\`); store the hash, never the key`,
        );
      key = { id, ...(scopes ? { scopes } : {}), digest: Buffer.from(hex, 'hex'), ...policy };
    } else {
      if (typeof entry.key !== 'string') return bad(`${at}.key`, 'expected a string (a key or "${env:NAME}")');
      const secret = expandEnv(entry.key, env, (name, problem) => bad(`${at}.key`, `environment variable ${name} ${problem}`));
      key = { ...apiKeyFromSecret(secret, { source, where: `${at}.key`, id, ...(scopes ? { scopes } : {}) }), ...policy };
    }
    const hex = key.digest.toString('hex');
    if (digests.has(hex)) bad(at, `same key as ${digests.get(hex)}: one key, one id`);
    digests.set(hex, at);
    return key;
  });
}

/** The gateway's fields of an entry, checked for shape here (globs and rate rules are the gateway's to judge). */
function policyFields(entry: Record<string, unknown>, at: string, bad: (where: string, problem: string) => never): Partial<ApiKey> {
  const out: Partial<ApiKey> = {};
  for (const field of ['allow', 'deny'] as const) {
    if (entry[field] === undefined) continue;
    if (!GLOB_LIST(entry[field])) bad(`${at}.${field}`, 'expected an array of "server.tool" globs (non-empty strings)');
    out[field] = entry[field] as string[];
  }
  if (entry.rateLimit !== undefined) {
    if (!isObject(entry.rateLimit)) bad(`${at}.rateLimit`, 'expected an object such as { "calls": 60, "per": "1m" }');
    out.rateLimit = entry.rateLimit;
  }
  if (entry.disabled !== undefined) {
    if (typeof entry.disabled !== 'boolean') bad(`${at}.disabled`, 'expected true or false');
    if (entry.disabled) out.disabled = true;
  }
  if (entry.description !== undefined && typeof entry.description !== 'string') bad(`${at}.description`, 'expected a string');
  return out;
}

/** A likely typo: one edit apart, or the same letters in another case. */
function nearlyEqual(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x === y) return true;
  if (Math.abs(x.length - y.length) > 1) return false;
  let i = 0;
  while (i < x.length && x[i] === y[i]) i++;
  // Past the common head, the rest must match after one deletion, insertion or substitution.
  return x.slice(i + (x.length >= y.length ? 1 : 0)) === y.slice(i + (y.length >= x.length ? 1 : 0));
}

/** `${env:NAME}` anywhere in the string; unset or empty variables are errors, never an empty key. */
function expandEnv(value: string, env: NodeJS.ProcessEnv, fail: (name: string, problem: string) => never): string {
  return value.replace(/\$\{env:([^}]*)\}/g, (_, name: string) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return fail(`"${name.slice(0, 64)}"`, 'is not a valid variable name');
    const v = env[name];
    if (v === undefined) return fail(name, 'is not set');
    if (v === '') return fail(name, 'is set but empty');
    return v;
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
