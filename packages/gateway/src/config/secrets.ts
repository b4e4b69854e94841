import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { joinPath } from './issues.js';
import type { GatewayConfig, ServerConfig } from './types.js';

/**
 * Secrets live outside the config file and are named in it by reference: `${env:NAME}` (an environment
 * variable) or `${file:path}` (a file's content, relative to the config file, one trailing newline dropped).
 * `$${` writes a literal `${`. References may sit inside a longer value (`Bearer ${env:TOKEN}`).
 * Claude Code's `.mcp.json` forms are read too, so those files load unchanged: `${NAME}` is `${env:NAME}`, and
 * `${NAME:-default}` falls back to the default when NAME is unset or empty.
 *
 * Resolution is a step of its own, after validation, and never throws: it reports every reference it could not
 * resolve with its JSON path, so `check` can list them offline and the router can refuse only the servers
 * that need them.
 */
export interface UnresolvedReference {
  /** JSON path of the value in the file. */
  path: string;
  /** The reference as written, e.g. `${env:GITHUB_TOKEN}`. Never a secret. */
  reference: string;
  reason: string;
}

export interface ResolveOptions {
  /** Default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Directory `${file:…}` paths are relative to. */
  baseDir: string;
  /** Default: fs.readFileSync. Gets an absolute path. */
  readFile?: (path: string) => Buffer | string;
  /** Called with every resolved value, e.g. to register it with the logger's secret masking. */
  onSecret?: (value: string) => void;
}

const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SHORTHAND = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;
const MAX_SECRET_FILE_BYTES = 64 * 1024;

export interface Resolved<T> {
  value: T;
  unresolved: UnresolvedReference[];
}

/** Resolves every reference in every string of a value (objects and arrays walked; keys left alone). */
export function resolveReferences<T>(value: T, basePath: string, options: ResolveOptions): Resolved<T> {
  const unresolved: UnresolvedReference[] = [];
  const walk = (v: unknown, path: string): unknown => {
    if (typeof v === 'string') return resolveString(v, path, options, unresolved);
    if (Array.isArray(v)) return v.map((item, i) => walk(item, joinPath(path, i)));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) out[k] = walk(item, joinPath(path, k));
      return out;
    }
    return v;
  };
  return { value: walk(value, basePath) as T, unresolved };
}

function resolveString(text: string, path: string, options: ResolveOptions, unresolved: UnresolvedReference[]): string {
  if (!text.includes('${')) return text;
  return text.replace(REFERENCE, (whole, body: string | undefined) => {
    if (whole === '$${') return '${';
    const fail = (reason: string) => {
      unresolved.push({ path, reference: whole, reason });
      return whole;
    };
    const shorthand = SHORTHAND.exec(body!);
    if (shorthand) {
      const [, name, fallback] = shorthand;
      const found = (options.env ?? process.env)[name!];
      if (found !== undefined && found !== '') {
        options.onSecret?.(found);
        return found;
      }
      if (fallback !== undefined) return fallback;
      return fail(`environment variable ${name} is ${found === '' ? 'empty' : 'not set'}`);
    }
    const colon = body!.indexOf(':');
    const kind = colon < 0 ? body! : body!.slice(0, colon);
    const arg = colon < 0 ? '' : body!.slice(colon + 1);
    if (kind === 'env') {
      if (!ENV_NAME.test(arg)) return fail(`"${arg}" is not an environment variable name`);
      const found = (options.env ?? process.env)[arg];
      if (found === undefined) return fail(`environment variable ${arg} is not set`);
      if (found === '') return fail(`environment variable ${arg} is empty`);
      options.onSecret?.(found);
      return found;
    }
    if (kind === 'file') {
      if (!arg) return fail('names no file');
      const file = isAbsolute(arg) ? arg : resolve(options.baseDir, arg);
      let content: string;
      try {
        const data = (options.readFile ?? readFileSync)(file);
        if (data.length > MAX_SECRET_FILE_BYTES) return fail(`${file} is larger than ${MAX_SECRET_FILE_BYTES} bytes`);
        content = data.toString().replace(/\r?\n$/, '');
      } catch (e) {
        return fail(`cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      if (content === '') return fail(`${file} is empty`);
      options.onSecret?.(content);
      return content;
    }
    return fail('unsupported reference; use ${env:NAME}, ${NAME}, ${NAME:-default} or ${file:path} (write $${ for a literal ${)');
  });
}

function isHttpUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** Fields that name files: resolved against the config's directory once their references are filled in. */
function absolutise(baseDir: string, path: string): string {
  return path.includes('${') || isAbsolute(path) || /^https?:\/\//i.test(path) ? path : resolve(baseDir, path);
}

/** The whole config: every server's strings and the gateway block. The input is not modified. */
export function resolveConfigSecrets(config: GatewayConfig, options: Omit<ResolveOptions, 'baseDir'> & { baseDir?: string } = {}): Resolved<GatewayConfig> {
  const opts: ResolveOptions = { ...options, baseDir: options.baseDir ?? config.baseDir };
  const unresolved: UnresolvedReference[] = [];
  const servers = config.servers.map((server) => {
    const { key, path, prefix, kind, ...fields } = server;
    const r = resolveReferences(fields, path, opts);
    unresolved.push(...r.unresolved);
    const resolved = { ...r.value, key, path, prefix, kind } as ServerConfig;
    if (resolved.kind === 'remote' && server.kind === 'remote' && server.url.startsWith('${') && !r.unresolved.length && !isHttpUrl(resolved.url)) {
      unresolved.push({ path: `${path}.url`, reference: server.url, reason: 'resolves to something that is not an http:// or https:// URL' });
    }
    if (resolved.kind === 'openapi') {
      resolved.openapi = { ...resolved.openapi, spec: absolutise(opts.baseDir, resolved.openapi.spec) };
      if (resolved.openapi.authFile !== undefined) resolved.openapi.authFile = absolutise(opts.baseDir, resolved.openapi.authFile);
    }
    return resolved;
  });
  const g = resolveReferences(config.gateway, 'gateway', opts);
  unresolved.push(...g.unresolved);
  const gateway = g.value;
  if (gateway.auth?.keys !== undefined) gateway.auth = { ...gateway.auth, keys: absolutise(opts.baseDir, gateway.auth.keys) };
  if (gateway.audit) gateway.audit = { ...gateway.audit, path: absolutise(opts.baseDir, gateway.audit.path) };
  return { value: { ...config, servers, gateway }, unresolved };
}

/** The server keys whose config still holds an unresolved reference: the router must not start them. */
export function serversWithUnresolved(config: GatewayConfig, unresolved: readonly UnresolvedReference[]): Set<string> {
  const out = new Set<string>();
  for (const server of config.servers) {
    if (unresolved.some((u) => u.path === server.path || u.path.startsWith(server.path + '.') || u.path.startsWith(server.path + '['))) out.add(server.key);
  }
  return out;
}
