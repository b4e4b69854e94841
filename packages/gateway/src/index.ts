/**
 * @switchboard-mcp/gateway — the gateway's parts that do not depend on a transport: the config file, exposed names,
 * policy (globs, caller scopes, argument constraints, rate limits), the audit log, tool pinning and the catalog
 * report. The router that wires them onto the core's pipe is built on top.
 */
export * from './errors.js';
export { canonicalJson, canonicalHash, sha256Hex } from './canonical-json.js';
export * from './naming.js';
export { ResourceUriMap, type UpstreamUri } from './resource-uris.js';
export { CursorCodec, type ListPosition } from './cursors.js';
export { collectAllPages, type Page, type CollectResult } from './pagination.js';
export { compileGlob, GlobSet, ToolFilter, toolKey, type AllowDeny } from './policy/globs.js';
export { loadConfig, parseConfig, type ParseConfigOptions } from './config/load.js';
export { parseJsonc } from './config/jsonc.js';
export { configJsonSchema } from './config/json-schema.js';
export { resolveConfigSecrets, resolveReferences, serversWithUnresolved, type UnresolvedReference, type ResolveOptions, type Resolved } from './config/secrets.js';
export { detectPlainSecrets, looksLikeSecret } from './config/plain-secrets.js';
export { diffConfigs, serverHash, serverLaunchHash, type ConfigDiff } from './config/diff.js';
export { KeyRing, generateApiKey, hashApiKey, loadKeyFile, parseKeyFile, type ApiKeyEntry } from './config/key-file.js';
export type * from './config/types.js';
export { callerPolicy, serverExposes, API_KEY_SCHEME, JWT_SCHEME, type CallerIdentity, type CallerPolicy } from './policy/scopes.js';
export { ArgumentPolicy } from './policy/constraints.js';
export {
  RateLimiter,
  MemoryRateLimitStore,
  bucketOf,
  takeTokens,
  type Bucket,
  type BucketState,
  type TakeResult,
  type RateLimitStore,
  type RateLimitRules,
  type MemoryStoreOptions,
} from './policy/rate-limit.js';
export { AuditLog, argumentsHash, type AuditCallInput, type AuditPinInput, type AuditOutcome, type AuditFs, type AuditLogOptions } from './audit.js';
export {
  hashToolDefinition,
  createLock,
  readLock,
  writeLock,
  lockPathFor,
  comparePins,
  type ToolDefinition,
  type PinEntry,
  type PinLock,
  type PinComparison,
  type ChangedPin,
} from './pinning.js';
export { scanDescription, scanText, scanToolDefinition, escapeText, type Finding, type FindingKind, type ScanOptions } from './description-scan.js';
export { lineDiff } from './line-diff.js';
export {
  buildCatalogReport,
  renderCatalogReport,
  estimateTokens,
  type BackendCatalog,
  type BackendState,
  type CatalogReport,
  type CatalogReportInput,
  type BackendRow,
  type ToolRow,
  type PinStatus,
} from './catalog-report.js';
export { Backend, type BackendOptions } from './router/backend.js';
export { GatewayRouter, type RouterOptions, type RoutingTables } from './router/router.js';
export { GatewaySession, GATEWAY_INFO } from './router/session.js';
export { createGateway, reloadGateway, upstreamFor, type GatewayOptions } from './gateway.js';
export { refusalError, RATE_LIMITED_CODE, type JsonRpcError } from './policy/refusal.js';
export { RedisRateLimitStore, connectRedisStore, type RedisStoreOptions } from './policy/redis-store.js';
