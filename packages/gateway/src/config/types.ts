import type { AllowDeny } from '../policy/globs.js';
import type { ArgumentConstraint, RateRule } from './schema.js';
import type { z } from 'zod';
import type { listenSchema, openApiSchema } from './schema.js';

export type { ArgumentConstraint, RateRule };

interface ServerCommon {
  /** The server's key in the file. */
  key: string;
  /** JSON path of the entry in the file (`mcpServers.github`), for messages. */
  path: string;
  prefix: string;
  rename: Record<string, string>;
  /** Globs over this server's own tool names (no server part). */
  tools: AllowDeny;
  timeoutMs?: number;
  disabled: boolean;
}

export interface StdioServerConfig extends ServerCommon {
  kind: 'stdio';
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  isolation: 'shared' | 'per-client';
}

export interface RemoteServerConfig extends ServerCommon {
  kind: 'remote';
  url: string;
  transport: 'streamable-http' | 'sse' | 'auto';
  headers: Record<string, string>;
  /** caller id → headers merged over `headers` on a connection of that caller's own. */
  callerHeaders: Record<string, Record<string, string>>;
}

export type OpenApiSourceConfig = z.output<typeof openApiSchema>;

export interface OpenApiServerConfig extends ServerCommon {
  kind: 'openapi';
  openapi: OpenApiSourceConfig;
}

export type ServerConfig = StdioServerConfig | RemoteServerConfig | OpenApiServerConfig;

export type ListenConfig = Required<Pick<z.output<typeof listenSchema>, 'host' | 'port' | 'basePath' | 'mcpPath' | 'ssePath' | 'messagesPath'>> &
  Omit<z.output<typeof listenSchema>, 'host' | 'port' | 'basePath' | 'mcpPath' | 'ssePath' | 'messagesPath'>;

export interface JwtConfig {
  issuer: string;
  audience: string[];
  jwksUrl: string;
  scopes: Record<string, AllowDeny>;
  clockToleranceMs?: number;
}

export interface AuthConfig {
  /** Absolute path of the API key file. */
  keys?: string;
  jwt?: JwtConfig;
}

export interface LimitsConfig {
  deadlineMs: number;
  maxProcessesPerServer: number;
  maxProcesses: number;
  rateLimit?: RateRule;
  toolRateLimits: Array<{ tools: string; rule: RateRule }>;
}

export interface AuditConfig {
  /** Absolute path. */
  path: string;
  maxBytes: number;
  keep: number;
}

export type PinningMode = 'enforce' | 'warn' | 'off';

export interface GatewaySettings {
  listen: ListenConfig;
  /** Absent: no authentication (local use); every caller may use every tool the servers' own filters let through. */
  auth?: AuthConfig;
  limits: LimitsConfig;
  audit?: AuditConfig;
  redis?: { url: string };
  pinning: PinningMode;
  nameBudget: number;
  constraints: Record<string, Record<string, ArgumentConstraint>>;
  trustedHosts: string[];
}

export interface GatewayConfig {
  /** The file it was read from, when it was. */
  source?: string;
  /** Relative paths in the file (`${file:…}`, keys, audit, specs) are resolved against this directory. */
  baseDir: string;
  /** In file order. */
  servers: ServerConfig[];
  gateway: GatewaySettings;
}

export interface ConfigWarning {
  path: string;
  message: string;
}

export interface LoadedConfig {
  config: GatewayConfig;
  warnings: ConfigWarning[];
}
