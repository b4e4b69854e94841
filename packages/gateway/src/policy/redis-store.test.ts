// The Redis store against a real redis-server (started here on 127.0.0.1; skipped where redis-server is missing —
// .ci/run installs it): two stores sharing one Redis act as one limit, and a Redis that restarted (scripts
// forgotten) keeps working.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisAvailable, startRedis } from '../../../../test/helpers/redis.js';
import { connectRedisStore } from './redis-store.js';
import { bucketOf } from './rate-limit.js';

const available = redisAvailable();
let redis: Awaited<ReturnType<typeof startRedis>>;

beforeAll(async () => {
  if (available) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

describe.skipIf(!available)('RedisRateLimitStore', () => {
  it('two replicas share one bucket: the limit holds across them', async () => {
    const a = await connectRedisStore(redis.url, { prefix: 't1:' });
    const b = await connectRedisStore(redis.url, { prefix: 't1:' });
    const bucket = bucketOf({ calls: 5, per: 60_000 });
    const results = [];
    for (let i = 0; i < 8; i++) results.push(await (i % 2 ? a : b).store.take('alice|tool', bucket));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
    const refused = results.filter((r) => !r.allowed);
    expect(refused).toHaveLength(3);
    for (const r of refused) {
      expect(r.retryAfterMs).toBeGreaterThan(0);
      expect(r.retryAfterMs).toBeLessThanOrEqual(12_000);
    }
    // Another caller has its own bucket.
    expect((await a.store.take('bob|tool', bucket)).allowed).toBe(true);
    await a.close();
    await b.close();
  });

  it('scripts forgotten by Redis (a restart, SCRIPT FLUSH) are loaded again', async () => {
    const { spawnSync } = await import('node:child_process');
    const a = await connectRedisStore(redis.url, { prefix: 't3:' });
    const bucket = bucketOf({ calls: 3, per: 60_000 });
    expect((await a.store.take('k', bucket)).allowed).toBe(true);
    expect(spawnSync('redis-cli', ['-p', String(redis.port), 'SCRIPT', 'FLUSH'], { encoding: 'utf8' }).stdout.trim()).toBe('OK');
    const r = await a.store.take('k', bucket);
    expect(r).toMatchObject({ allowed: true, remaining: 1 });
    await a.close();
  });

  it('a cost larger than the bucket is never allowed (retry: Infinity)', async () => {
    const a = await connectRedisStore(redis.url, { prefix: 't2:' });
    const r = await a.store.take('x', bucketOf({ calls: 2, per: 1000 }), 3);
    expect(r).toMatchObject({ allowed: false, retryAfterMs: Infinity });
    await a.close();
  });
});
