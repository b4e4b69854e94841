import type { Bucket, RateLimitStore, TakeResult } from './rate-limit.js';

/**
 * The token bucket as one Lua script: read, refill from the Redis server's clock, take, write, expire once full
 * again. One EVALSHA per call is atomic, so replicas behind a load balancer share limits with no lock and no
 * clock agreement between them. Mirrors takeTokens() (rate-limit.ts), which the memory store runs in process.
 */
const SCRIPT = `
local capacity = tonumber(ARGV[1])
local refill = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local s = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = capacity
if s[1] then
  local elapsed = math.max(0, now - tonumber(s[2]))
  tokens = math.min(capacity, tonumber(s[1]) + elapsed * refill)
end
local allowed = 0
local retry = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
elseif cost > capacity then
  retry = -1
else
  retry = math.max(1, math.ceil((cost - tokens) / refill - 1e-9))
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / refill) + 1000)
return { allowed, math.floor(tokens), retry }
`;

interface ScriptClient {
  scriptLoad(script: string): Promise<string>;
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  quit?(): Promise<unknown>;
  close?(): Promise<unknown>;
}

export interface RedisStoreOptions {
  /** Every key starts with this (several gateways may share one Redis). */
  prefix?: string;
}

export class RedisRateLimitStore implements RateLimitStore {
  private sha?: Promise<string>;
  private readonly prefix: string;

  constructor(
    private readonly client: ScriptClient,
    options: RedisStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? 'switchboard:rl:';
  }

  async take(key: string, bucket: Bucket, cost = 1): Promise<TakeResult> {
    const args = { keys: [this.prefix + key], arguments: [String(bucket.capacity), String(bucket.refillPerMs), String(cost)] };
    this.sha ??= this.client.scriptLoad(SCRIPT);
    let raw: unknown;
    try {
      raw = await this.client.evalSha(await this.sha, args);
    } catch (err) {
      // A Redis restart forgets loaded scripts: run it in full once, which loads it again.
      if (!/NOSCRIPT/.test((err as Error).message)) throw err;
      this.sha = undefined;
      raw = await this.client.eval(SCRIPT, args);
    }
    const [allowed, remaining, retry] = raw as [number, number, number];
    return { allowed: allowed === 1, remaining, retryAfterMs: allowed === 1 ? 0 : retry < 0 ? Infinity : retry };
  }
}

/** Connects to Redis (the client library loads only when a config names Redis). */
export async function connectRedisStore(url: string, options: RedisStoreOptions = {}): Promise<{ store: RedisRateLimitStore; close(): Promise<void> }> {
  const { createClient } = await import('redis');
  const client = createClient({ url, socket: { reconnectStrategy: (retries: number) => Math.min(retries * 200, 5000) } });
  client.on('error', () => {}); // reconnects by itself; a call made meanwhile fails and is reported by the caller
  await client.connect();
  return {
    store: new RedisRateLimitStore(client as unknown as ScriptClient, options),
    close: async () => {
      await client.close().catch(() => {});
    },
  };
}
