import type { RateRule } from '../config/types.js';
import { RateLimitedError } from '../errors.js';
import { GlobSet, toolKey } from './globs.js';

/** A token bucket: up to `capacity` calls at once, refilled continuously at `refillPerMs`. */
export interface Bucket {
  capacity: number;
  refillPerMs: number;
}

export function bucketOf(rule: RateRule): Bucket {
  return { capacity: rule.burst ?? rule.calls, refillPerMs: rule.calls / rule.per };
}

export interface TakeResult {
  allowed: boolean;
  /** Whole tokens left after this call. */
  remaining: number;
  /** When refused: how long until `cost` tokens are back. 0 when allowed. */
  retryAfterMs: number;
}

/**
 * Where bucket state lives. One call is one atomic read-refill-take-write on one key, with the rule passed in,
 * so a Redis store can be a single EVAL of a Lua script (HMGET tokens/updated, refill from redis TIME, take,
 * HSET, PEXPIRE until full) and replicas share limits without a lock. The store owns the clock: in memory an
 * injected one, in Redis the server's, so replicas with skewed clocks agree.
 */
export interface RateLimitStore {
  take(key: string, bucket: Bucket, cost?: number): Promise<TakeResult>;
}

export interface BucketState {
  tokens: number;
  updatedMs: number;
}

/** The whole algorithm, pure; stores only keep the state. */
export function takeTokens(state: BucketState | undefined, bucket: Bucket, nowMs: number, cost = 1): { state: BucketState; result: TakeResult } {
  const elapsed = state ? Math.max(0, nowMs - state.updatedMs) : 0;
  const tokens = state ? Math.min(bucket.capacity, state.tokens + elapsed * bucket.refillPerMs) : bucket.capacity;
  if (tokens >= cost) {
    const left = tokens - cost;
    return { state: { tokens: left, updatedMs: nowMs }, result: { allowed: true, remaining: Math.floor(left), retryAfterMs: 0 } };
  }
  // The epsilon keeps float noise (0.998 tokens after 399 ms at 0.002/ms) from adding a spurious millisecond.
  const retryAfterMs = cost > bucket.capacity ? Infinity : Math.max(1, Math.ceil((cost - tokens) / bucket.refillPerMs - 1e-9));
  return { state: { tokens, updatedMs: nowMs }, result: { allowed: false, remaining: Math.floor(tokens), retryAfterMs } };
}

export interface MemoryStoreOptions {
  now?: () => number;
  /** Buckets kept at most; the least recently used go first (they are the likeliest to be full anyway). */
  maxKeys?: number;
}

export class MemoryRateLimitStore implements RateLimitStore {
  private readonly buckets = new Map<string, BucketState>();
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(options: MemoryStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  async take(key: string, bucket: Bucket, cost = 1): Promise<TakeResult> {
    const previous = this.buckets.get(key);
    const { state, result } = takeTokens(previous, bucket, this.now(), cost);
    // Re-inserting moves the key to the end: Map order is then least- to most-recently used.
    this.buckets.delete(key);
    this.buckets.set(key, state);
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    return result;
  }

  get size(): number {
    return this.buckets.size;
  }
}

export interface RateLimitRules {
  /** Every caller × tool, unless something narrower applies. */
  default?: RateRule;
  /** `server.tool` glob → rule; the first match wins over the default. */
  tools?: ReadonlyArray<{ tools: string; rule: RateRule }>;
}

/** Counts tool calls per caller × tool. Other requests (lists, pings) are not counted. */
export class RateLimiter {
  private readonly toolRules: Array<{ match: GlobSet; bucket: Bucket }>;
  private readonly defaultBucket: Bucket | undefined;

  constructor(
    private readonly store: RateLimitStore,
    rules: RateLimitRules,
  ) {
    this.toolRules = (rules.tools ?? []).map((r) => ({ match: new GlobSet([r.tools]), bucket: bucketOf(r.rule) }));
    this.defaultBucket = rules.default ? bucketOf(rules.default) : undefined;
  }

  /** The bucket for a call: the caller's own rule (from its key), else the first matching tool rule, else the default. */
  bucketFor(server: string, tool: string, callerRule?: RateRule): Bucket | undefined {
    if (callerRule) return bucketOf(callerRule);
    const key = toolKey(server, tool);
    return this.toolRules.find((r) => r.match.matches(key))?.bucket ?? this.defaultBucket;
  }

  async check(callerId: string, server: string, tool: string, callerRule?: RateRule): Promise<TakeResult> {
    const bucket = this.bucketFor(server, tool, callerRule);
    if (!bucket) return { allowed: true, remaining: Infinity, retryAfterMs: 0 };
    return this.store.take(`${callerId}\u0000${toolKey(server, tool)}`, bucket);
  }

  /** As check, but throws RateLimitedError (with the retry time) when the bucket is empty. */
  async enforce(callerId: string, server: string, tool: string, exposedName: string, callerRule?: RateRule): Promise<void> {
    const result = await this.check(callerId, server, tool, callerRule);
    if (!result.allowed) throw new RateLimitedError(exposedName, result.retryAfterMs);
  }
}
