import { z } from 'zod';
import { compileGlob } from '../policy/globs.js';
import { bytes, duration } from './units.js';

/** `${env:X}` / `${file:p}` stand in for values validated only after resolution, so a URL may hold one. */
export function withPlaceholders(value: string): string {
  return value.replace(/\$\{[^}]*\}/g, 'x');
}

const nonEmpty = z.string().min(1, 'must not be empty');

const httpUrl = nonEmpty.refine((v) => {
  // A URL that starts with a reference gets its scheme from it; resolveConfigSecrets checks the result.
  if (v.startsWith('${')) return true;
  try {
    const url = new URL(withPlaceholders(v));
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an http:// or https:// URL');

const stringRecord = z.record(z.string(), z.string());

const headerRecord = z.record(
  z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'is not a valid HTTP header name'),
  z.string().refine((v) => !/[\r\n\0]/.test(v), 'header values may not contain line breaks or NUL'),
);

const glob = nonEmpty.refine((v) => {
  try {
    compileGlob(v);
    return true;
  } catch {
    return false;
  }
}, 'is not a valid glob');

export const allowDenySchema = z.strictObject({
  allow: z.array(glob).optional(),
  deny: z.array(glob).optional(),
});

const namePart = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters from A-Z a-z 0-9 _ -');

export const rateRuleSchema = z.strictObject({
  /** Calls allowed per `per`. */
  calls: z.number().int().min(1, 'must be at least 1'),
  per: duration.refine((ms) => ms > 0, 'must be longer than 0'),
  /** Bucket size: how many calls may come at once after a quiet spell. Default: `calls`. */
  burst: z.number().int().min(1, 'must be at least 1').optional(),
});

const authValueSchema = z.union([
  nonEmpty,
  z.strictObject({ username: z.string(), password: z.string() }),
  z.strictObject({
    clientId: nonEmpty,
    clientSecret: nonEmpty,
    scopes: z.array(z.string()).optional(),
    audience: z.string().optional(),
    tokenUrl: httpUrl.optional(),
  }),
]);

/** Mirrors @switchboard-mcp/openapi's LoadOptions, CompileOptions and RuntimeOptions, minus what only code can pass. */
export const openApiSchema = z.strictObject({
  /** Path (relative to the config file) or http(s) URL of the spec. */
  spec: nonEmpty,
  include: z.array(nonEmpty).optional(),
  exclude: z.array(nonEmpty).optional(),
  includeDeprecated: z.boolean().optional(),
  maxTools: z.number().int().min(1).optional(),
  maxTokens: z.number().int().min(1).optional(),
  descriptionBudget: z.number().int().min(1).optional(),
  baseUrl: httpUrl.optional(),
  serverVars: stringRecord.optional(),
  auth: z.record(z.string(), authValueSchema).optional(),
  authFile: nonEmpty.optional(),
  defaultHeaders: headerRecord.optional(),
  allowedHosts: z.array(nonEmpty).optional(),
  allowPrivate: z.boolean().optional(),
  allowHttp: z.boolean().optional(),
  allowedRefHosts: z.array(nonEmpty).optional(),
  timeout: duration.optional(),
  maxResponseBytes: bytes.optional(),
  maxSpecBytes: bytes.optional(),
  retries: z.number().int().min(0).max(10).optional(),
  maxRedirects: z.number().int().min(0).max(20).optional(),
});

/** Keys other clients put in their server entries: accepted, so their files load unchanged, and ignored. */
export const FOREIGN_SERVER_KEYS = ['envFile', 'autoApprove', 'alwaysAllow', 'dev', 'gallery', 'version', 'description', 'transportType'] as const;

export const serverSchema = z.strictObject({
  /** VS Code / Cursor: stdio | http | sse. `http` means Streamable HTTP with SSE fallback, i.e. transport auto. */
  type: z.enum(['stdio', 'http', 'sse', 'streamable-http', 'streamableHttp']).optional(),
  command: nonEmpty.optional(),
  args: z.array(z.string()).optional(),
  env: stringRecord.optional(),
  cwd: nonEmpty.optional(),
  url: httpUrl.optional(),
  transport: z.enum(['streamable-http', 'sse', 'auto']).optional(),
  headers: headerRecord.optional(),
  /** Per caller (API key id, or a JWT's client id / subject): headers merged over `headers` for that caller's connection. */
  callerHeaders: z.record(z.string().min(1, 'must not be empty'), headerRecord).optional(),
  openapi: openApiSchema.optional(),
  /** "" exposes the server's names and resource URIs unchanged (one server at most): a gateway in front of one server. */
  prefix: z.string().regex(/^[A-Za-z0-9_-]{0,32}$/, 'must be 0-32 characters from A-Z a-z 0-9 _ - ("" for none)').optional(),
  rename: z.record(nonEmpty, namePart).optional(),
  tools: allowDenySchema.optional(),
  isolation: z.enum(['shared', 'per-client']).optional(),
  timeout: duration.refine((ms) => ms > 0, 'must be longer than 0').optional(),
  disabled: z.boolean().optional(),
  ...Object.fromEntries(FOREIGN_SERVER_KEYS.map((k) => [k, z.unknown().optional()])),
});

const pathSchema = z.string().regex(/^\/[^\s?#]*$/, 'must start with / and contain no spaces, ? or #');

export const listenSchema = z.strictObject({
  host: nonEmpty.optional(),
  port: z.number().int().min(0).max(65535).optional(),
  basePath: z.union([z.literal(''), pathSchema]).optional(),
  mcpPath: pathSchema.optional(),
  ssePath: pathSchema.optional(),
  messagesPath: pathSchema.optional(),
  publicUrl: httpUrl.optional(),
  trustProxy: z.boolean().optional(),
  allowedHosts: z.array(nonEmpty).optional(),
  cors: z.array(nonEmpty).optional(),
});

export const jwtSchema = z.strictObject({
  issuer: httpUrl,
  audience: z.union([nonEmpty, z.array(nonEmpty).min(1, 'must name at least one audience')]),
  jwksUrl: httpUrl,
  /** OAuth scope → the `server.tool` globs it grants. A token with no mapped scope may call nothing. */
  scopes: z.record(nonEmpty, allowDenySchema),
  clockTolerance: duration.optional(),
});

export const authSchema = z.strictObject({
  /** Path of the API key file (relative to the config file). */
  keys: nonEmpty.optional(),
  jwt: jwtSchema.optional(),
});

export const limitsSchema = z.strictObject({
  /** How long a list fan-out waits for one backend before answering without it. */
  deadline: duration.refine((ms) => ms > 0, 'must be longer than 0').optional(),
  maxProcessesPerServer: z.number().int().min(1).optional(),
  maxProcesses: z.number().int().min(1).optional(),
  /** Default token bucket for every caller × tool. */
  rateLimit: rateRuleSchema.optional(),
  /** `server.tool` glob → bucket; the first matching glob (in file order) wins over the default. */
  toolRateLimits: z.record(glob, rateRuleSchema).optional(),
});

export const auditSchema = z.strictObject({
  path: nonEmpty,
  maxBytes: bytes.refine((n) => n >= 1024, 'must be at least 1kb').optional(),
  keep: z.number().int().min(0).max(100).optional(),
});

const redisUrl = nonEmpty.refine((v) => /^rediss?:\/\//i.test(v), 'must be a redis:// or rediss:// URL');

export const constraintSchema = z
  .strictObject({
    /** The argument is a path that must stay under this directory (after resolving `.`, `..` and `//`). */
    prefix: z.string().regex(/^\//, 'must be an absolute path starting with /').optional(),
    enum: z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])).min(1, 'must list at least one value').optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    minLength: z.number().int().min(0).optional(),
    maxLength: z.number().int().min(0).optional(),
    pattern: nonEmpty
      .refine((p) => {
        try {
          new RegExp(p, 'u');
          return true;
        } catch {
          return false;
        }
      }, 'is not a valid regular expression')
      .optional(),
    /** Refuse the call when the argument is absent (default: an absent argument passes). */
    required: z.boolean().optional(),
  })
  .refine((c) => c.min === undefined || c.max === undefined || c.min <= c.max, 'min is greater than max')
  .refine((c) => c.minLength === undefined || c.maxLength === undefined || c.minLength <= c.maxLength, 'minLength is greater than maxLength');

export const gatewaySchema = z.strictObject({
  listen: listenSchema.optional(),
  auth: authSchema.refine((a) => a.keys !== undefined || a.jwt !== undefined, 'name a "keys" file, a "jwt" block, or both').optional(),
  limits: limitsSchema.optional(),
  audit: auditSchema.optional(),
  redis: z.union([redisUrl, z.strictObject({ url: redisUrl })]).optional(),
  pinning: z.enum(['enforce', 'warn', 'off']).optional(),
  /** Longest exposed name, 16-64. Lower it to leave room for a client's own prefix (`mcp__name__`). */
  nameBudget: z.number().int().min(16).max(64).optional(),
  /** Exposed tool name → argument (dotted path for nested objects) → constraint. */
  constraints: z.record(namePart, z.record(nonEmpty, constraintSchema)).optional(),
  /** Hosts that tool descriptions may link to without a finding in `check`. */
  trustedHosts: z.array(nonEmpty).optional(),
});

/** Keys other clients put at the top level (VS Code's `inputs`): accepted and ignored. */
export const FOREIGN_TOP_KEYS = ['inputs'] as const;

export const fileSchema = z.strictObject({
  $schema: z.string().optional(),
  mcpServers: z.record(z.string(), serverSchema).optional(),
  servers: z.record(z.string(), serverSchema).optional(),
  gateway: gatewaySchema.optional(),
  ...Object.fromEntries(FOREIGN_TOP_KEYS.map((k) => [k, z.unknown().optional()])),
});

export type RawFile = z.output<typeof fileSchema>;
export type RawServer = z.output<typeof serverSchema>;
export type RateRule = z.output<typeof rateRuleSchema>;
export type ArgumentConstraint = z.output<typeof constraintSchema>;
