import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { GatewayConfigError, type ConfigIssue } from '../errors.js';
import { NAME_SEPARATOR, defaultPrefix } from '../naming.js';
import { parseJsonc } from './jsonc.js';
import { fromZodIssues, joinPath } from './issues.js';
import {
  FOREIGN_SERVER_KEYS,
  FOREIGN_TOP_KEYS,
  allowDenySchema,
  authSchema,
  auditSchema,
  constraintSchema,
  fileSchema,
  gatewaySchema,
  jwtSchema,
  limitsSchema,
  listenSchema,
  openApiSchema,
  rateRuleSchema,
  serverSchema,
  type RawFile,
  type RawServer,
} from './schema.js';
import type { ConfigWarning, GatewayConfig, GatewaySettings, LoadedConfig, ServerConfig } from './types.js';

const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

export interface ParseConfigOptions {
  /** What to call the text in messages (its path, usually). */
  source?: string;
  /** Directory relative paths are resolved against. Default: the source's directory, else the process's cwd. */
  baseDir?: string;
}

/** Reads, validates and normalises a config file. Secret references are left in place: see resolveConfigSecrets. */
export async function loadConfig(path: string): Promise<LoadedConfig> {
  const absolute = resolve(path);
  let text: string;
  try {
    const buffer = await readFile(absolute);
    if (buffer.length > MAX_CONFIG_BYTES) throw new GatewayConfigError(path, [{ path: '', message: `the file is larger than ${MAX_CONFIG_BYTES} bytes` }]);
    text = buffer.toString('utf8');
  } catch (e) {
    if (e instanceof GatewayConfigError) throw e;
    throw new GatewayConfigError(path, [{ path: '', message: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` }]);
  }
  return parseConfig(text, { source: absolute, baseDir: dirname(absolute) });
}

/** Same as loadConfig for text in hand. Throws GatewayConfigError listing every issue, each with its JSON path. */
export function parseConfig(text: string, options: ParseConfigOptions = {}): LoadedConfig {
  const source = options.source ?? 'config';
  const baseDir = options.baseDir ?? (options.source ? dirname(resolve(options.source)) : process.cwd());
  const raw = parseJsonc(text.replace(/^\uFEFF/, ''), source);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new GatewayConfigError(source, [{ path: '', message: 'the file must hold a JSON object, e.g. { "mcpServers": { … } }' }]);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) throw new GatewayConfigError(source, fromZodIssues(parsed.error.issues, knownKeysAt));
  const issues: ConfigIssue[] = [];
  const warnings: ConfigWarning[] = [];
  const config = normalise(parsed.data, baseDir, issues, warnings);
  if (options.source) config.source = options.source;
  if (issues.length) throw new GatewayConfigError(source, issues);
  return { config, warnings };
}

function normalise(file: RawFile, baseDir: string, issues: ConfigIssue[], warnings: ConfigWarning[]): GatewayConfig {
  for (const key of FOREIGN_TOP_KEYS) {
    if ((file as Record<string, unknown>)[key] !== undefined) warnings.push({ path: key, message: 'is ignored by the gateway' });
  }
  if (file.mcpServers && file.servers) {
    issues.push({ path: 'servers', message: 'use either "mcpServers" or "servers", not both' });
  }
  const rootKey = file.servers && !file.mcpServers ? 'servers' : 'mcpServers';
  const entries = Object.entries(file.mcpServers ?? file.servers ?? {});
  if (entries.length === 0) warnings.push({ path: rootKey, message: 'no servers are configured; the gateway will expose nothing' });

  const servers: ServerConfig[] = [];
  const prefixOwners = new Map<string, string>();
  for (const [key, raw] of entries) {
    const path = joinPath(rootKey, key);
    const server = normaliseServer(key, path, raw, baseDir, issues, warnings);
    if (!server) continue;
    const folded = server.prefix.toLowerCase();
    const owner = prefixOwners.get(folded);
    if (owner !== undefined) {
      issues.push({
        path: raw.prefix !== undefined ? joinPath(path, 'prefix') : path,
        message:
          server.prefix === ''
            ? `the empty prefix is already used by ${owner}: only one server may keep its names unprefixed; give this one a "prefix"`
            : `prefix "${server.prefix}" is already used by ${owner} (prefixes must differ ignoring case); set a distinct "prefix"`,
      });
    } else {
      prefixOwners.set(folded, key);
    }
    servers.push(server);
  }
  const gateway = normaliseGateway(file.gateway ?? {}, baseDir, issues);
  for (const server of servers) {
    // A shortened name keeps `prefix__` + 1 character + `_` + a 10-character hash; a longer prefix gets cut.
    if (server.prefix.length + NAME_SEPARATOR.length + 12 > gateway.nameBudget) {
      warnings.push({
        path: server.path,
        message: `prefix "${server.prefix}" is too long for nameBudget ${gateway.nameBudget}: shortened tool names would cut into it; set a shorter "prefix"`,
      });
    }
  }
  return { baseDir, servers, gateway };
}

function normaliseServer(key: string, path: string, raw: RawServer, baseDir: string, issues: ConfigIssue[], warnings: ConfigWarning[]): ServerConfig | undefined {
  if (key.length === 0) {
    issues.push({ path, message: 'a server key may not be empty' });
    return undefined;
  }
  if (key.includes('.')) {
    warnings.push({ path, message: 'the key contains ".", which makes "server.tool" globs ambiguous; prefer - or _' });
  }
  for (const foreign of FOREIGN_SERVER_KEYS) {
    if ((raw as Record<string, unknown>)[foreign] !== undefined) warnings.push({ path: joinPath(path, foreign), message: 'is ignored by the gateway' });
  }
  const present = (['command', 'url', 'openapi'] as const).filter((k) => raw[k] !== undefined);
  if (present.length !== 1) {
    issues.push({
      path,
      message:
        present.length === 0
          ? 'needs one of "command" (a local stdio server), "url" (a remote server) or "openapi" (an OpenAPI spec)'
          : `has ${present.map((k) => `"${k}"`).join(' and ')}; a server is exactly one of a command, a url or an openapi spec`,
    });
    return undefined;
  }
  const kind = present[0] === 'command' ? 'stdio' : present[0] === 'url' ? 'remote' : 'openapi';
  if (raw.type !== undefined && (raw.type === 'stdio') !== (kind === 'stdio')) {
    issues.push({ path: joinPath(path, 'type'), message: `"${raw.type}" does not match a server with "${present[0]}"` });
  }
  const misplaced = (field: keyof RawServer, applies: string) => {
    if (raw[field] !== undefined) issues.push({ path: joinPath(path, field), message: `applies to ${applies} only` });
  };
  if (kind !== 'stdio') for (const f of ['args', 'env', 'cwd', 'isolation'] as const) misplaced(f, 'stdio servers (with "command")');
  if (kind !== 'remote') for (const f of ['transport', 'headers', 'callerHeaders'] as const) misplaced(f, 'remote servers (with "url")');

  const prefix = raw.prefix ?? defaultPrefix(key);
  if (raw.prefix === undefined && prefix.length > 32) {
    issues.push({ path, message: 'the key is longer than 32 characters, too long for a tool-name prefix; set a shorter "prefix"' });
  }
  const common = {
    key,
    path,
    prefix,
    rename: raw.rename ?? {},
    tools: { allow: raw.tools?.allow ?? ['*'], deny: raw.tools?.deny ?? [] },
    ...(raw.timeout !== undefined ? { timeoutMs: raw.timeout } : {}),
    disabled: raw.disabled ?? false,
  };
  if (kind === 'stdio') {
    return {
      ...common,
      kind,
      command: raw.command!,
      args: raw.args ?? [],
      env: raw.env ?? {},
      ...(raw.cwd !== undefined ? { cwd: raw.cwd } : {}),
      isolation: raw.isolation ?? 'shared',
    };
  }
  if (kind === 'remote') {
    const fromType = raw.type === 'sse' ? 'sse' : raw.type === 'http' ? 'auto' : raw.type === 'streamable-http' || raw.type === 'streamableHttp' ? 'streamable-http' : undefined;
    if (raw.transport !== undefined && fromType !== undefined && raw.transport !== fromType && fromType !== 'auto') {
      issues.push({ path: joinPath(path, 'transport'), message: `"${raw.transport}" contradicts "type": "${raw.type}"` });
    }
    return { ...common, kind, url: raw.url!, transport: raw.transport ?? fromType ?? 'auto', headers: raw.headers ?? {}, callerHeaders: raw.callerHeaders ?? {} };
  }
  const openapi = { ...raw.openapi! };
  if (!/^https?:\/\//i.test(openapi.spec)) openapi.spec = resolvePath(baseDir, openapi.spec);
  if (openapi.authFile !== undefined) openapi.authFile = resolvePath(baseDir, openapi.authFile);
  return { ...common, kind, openapi };
}

function normaliseGateway(raw: NonNullable<RawFile['gateway']>, baseDir: string, issues: ConfigIssue[]): GatewaySettings {
  const limits = raw.limits ?? {};
  const maxProcessesPerServer = limits.maxProcessesPerServer ?? 4;
  const maxProcesses = limits.maxProcesses ?? 32;
  if (maxProcessesPerServer > maxProcesses) {
    issues.push({ path: 'gateway.limits.maxProcessesPerServer', message: `(${maxProcessesPerServer}) is more than gateway.limits.maxProcesses (${maxProcesses})` });
  }
  const auth = raw.auth;
  return {
    listen: {
      ...raw.listen,
      host: raw.listen?.host ?? '127.0.0.1',
      port: raw.listen?.port ?? 8080,
      basePath: raw.listen?.basePath ?? '',
      mcpPath: raw.listen?.mcpPath ?? '/mcp',
      ssePath: raw.listen?.ssePath ?? '/sse',
      messagesPath: raw.listen?.messagesPath ?? '/messages',
    },
    ...(auth
      ? {
          auth: {
            ...(auth.keys !== undefined ? { keys: resolvePath(baseDir, auth.keys) } : {}),
            ...(auth.jwt
              ? {
                  jwt: {
                    issuer: auth.jwt.issuer,
                    audience: Array.isArray(auth.jwt.audience) ? auth.jwt.audience : [auth.jwt.audience],
                    jwksUrl: auth.jwt.jwksUrl,
                    scopes: Object.fromEntries(Object.entries(auth.jwt.scopes).map(([scope, r]) => [scope, { allow: r.allow ?? [], deny: r.deny ?? [] }])),
                    ...(auth.jwt.clockTolerance !== undefined ? { clockToleranceMs: auth.jwt.clockTolerance } : {}),
                  },
                }
              : {}),
          },
        }
      : {}),
    limits: {
      deadlineMs: limits.deadline ?? 1000,
      maxProcessesPerServer,
      maxProcesses,
      ...(limits.rateLimit ? { rateLimit: limits.rateLimit } : {}),
      toolRateLimits: Object.entries(limits.toolRateLimits ?? {}).map(([tools, rule]) => ({ tools, rule })),
    },
    ...(raw.audit ? { audit: { path: resolvePath(baseDir, raw.audit.path), maxBytes: raw.audit.maxBytes ?? 16 * 1024 * 1024, keep: raw.audit.keep ?? 5 } } : {}),
    ...(raw.redis !== undefined ? { redis: { url: typeof raw.redis === 'string' ? raw.redis : raw.redis.url } } : {}),
    pinning: raw.pinning ?? 'warn',
    nameBudget: raw.nameBudget ?? 64,
    constraints: raw.constraints ?? {},
    trustedHosts: raw.trustedHosts ?? [],
  };
}

/** Leaves paths that hold a reference alone: they are resolved with the secrets, relative to the same directory. */
function resolvePath(baseDir: string, path: string): string {
  return path.includes('${') || isAbsolute(path) ? path : resolve(baseDir, path);
}

/** The keys allowed at a path of the raw file, for "did you mean" suggestions. */
function knownKeysAt(path: readonly PropertyKey[]): readonly string[] {
  const shapes: Record<string, { shape: object }> = {
    '': fileSchema,
    server: serverSchema,
    'server.openapi': openApiSchema,
    'server.tools': allowDenySchema,
    gateway: gatewaySchema,
    'gateway.listen': listenSchema,
    'gateway.auth': authSchema,
    'gateway.auth.jwt': jwtSchema,
    'gateway.auth.jwt.scope': allowDenySchema,
    'gateway.limits': limitsSchema,
    'gateway.limits.rule': rateRuleSchema,
    'gateway.audit': auditSchema,
    'gateway.constraint': constraintSchema,
  };
  const p = path.map(String);
  let key: string;
  if (p[0] === 'mcpServers' || p[0] === 'servers') key = ['server', ...p.slice(2)].join('.');
  else if (p[0] === 'gateway' && p[1] === 'auth' && p[2] === 'jwt' && p[3] === 'scopes') key = 'gateway.auth.jwt.scope';
  else if (p[0] === 'gateway' && p[1] === 'limits' && p.length > 2) key = 'gateway.limits.rule';
  else if (p[0] === 'gateway' && p[1] === 'constraints') key = 'gateway.constraint';
  else key = p.join('.');
  const shape = shapes[key]?.shape;
  return shape ? Object.keys(shape) : [];
}
