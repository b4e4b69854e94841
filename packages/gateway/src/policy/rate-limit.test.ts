import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '../errors.js';
import { MemoryRateLimitStore, RateLimiter, bucketOf, takeTokens } from './rate-limit.js';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('takeTokens', () => {
  const bucket = bucketOf({ calls: 2, per: 1000 });

  it('starts full, empties, then says exactly when the next token is back', () => {
    let state: ReturnType<typeof takeTokens>['state'] | undefined;
    let r = takeTokens(undefined, bucket, 0);
    expect(r.result).toEqual({ allowed: true, remaining: 1, retryAfterMs: 0 });
    r = takeTokens((state = r.state), bucket, 0);
    expect(r.result.allowed).toBe(true);
    r = takeTokens((state = r.state), bucket, 100);
    expect(r.result).toEqual({ allowed: false, remaining: 0, retryAfterMs: 400 });
    r = takeTokens((state = r.state), bucket, 499);
    expect(r.result).toMatchObject({ allowed: false, retryAfterMs: 1 });
    r = takeTokens((state = r.state), bucket, 500);
    expect(r.result.allowed).toBe(true);
    expect(state).toBeDefined();
  });

  it('never fills past capacity, and a clock that steps back does not mint tokens', () => {
    let { state } = takeTokens(undefined, bucket, 0);
    ({ state } = takeTokens(state, bucket, 1_000_000));
    expect(state.tokens).toBe(1);
    const back = takeTokens({ tokens: 0, updatedMs: 5000 }, bucket, 1000);
    expect(back.result.allowed).toBe(false);
  });

  it('uses burst as capacity', () => {
    expect(bucketOf({ calls: 1, per: 60_000, burst: 5 })).toEqual({ capacity: 5, refillPerMs: 1 / 60_000 });
  });

  it('says Infinity for a cost the bucket can never hold', () => {
    expect(takeTokens(undefined, bucket, 0, 3).result).toMatchObject({ allowed: false, retryAfterMs: Infinity });
  });
});

describe('MemoryRateLimitStore', () => {
  it('keeps one bucket per key, on the injected clock', async () => {
    const c = clock();
    const store = new MemoryRateLimitStore({ now: c.now });
    const b = bucketOf({ calls: 1, per: 10_000 });
    expect((await store.take('a', b)).allowed).toBe(true);
    expect((await store.take('a', b)).allowed).toBe(false);
    expect((await store.take('b', b)).allowed).toBe(true);
    c.advance(10_000);
    expect((await store.take('a', b)).allowed).toBe(true);
  });

  it('stays within maxKeys, dropping the least recently used', async () => {
    const c = clock();
    const store = new MemoryRateLimitStore({ now: c.now, maxKeys: 3 });
    const b = bucketOf({ calls: 1, per: 60_000 });
    for (const k of ['a', 'b', 'c']) await store.take(k, b);
    await store.take('a', b); // a is now the most recent
    await store.take('d', b); // evicts b
    expect(store.size).toBe(3);
    expect((await store.take('a', b)).allowed).toBe(false);
    expect((await store.take('b', b)).allowed).toBe(true); // forgotten, so full again
  });
});

describe('RateLimiter', () => {
  const rules = { default: { calls: 100, per: 1000 }, tools: [{ tools: 'github.create_*', rule: { calls: 1, per: 60_000 } }, { tools: 'github.*', rule: { calls: 10, per: 1000 } }] };

  it('picks the caller rule, else the first matching tool rule, else the default', () => {
    const limiter = new RateLimiter(new MemoryRateLimitStore(), rules);
    expect(limiter.bucketFor('github', 'create_issue')).toEqual(bucketOf(rules.tools[0]!.rule));
    expect(limiter.bucketFor('github', 'get_issue')).toEqual(bucketOf(rules.tools[1]!.rule));
    expect(limiter.bucketFor('fs', 'read')).toEqual(bucketOf(rules.default));
    expect(limiter.bucketFor('github', 'create_issue', { calls: 7, per: 1 })).toEqual(bucketOf({ calls: 7, per: 1 }));
    expect(new RateLimiter(new MemoryRateLimitStore(), {}).bucketFor('a', 'b')).toBeUndefined();
  });

  it('counts per caller × tool and throws with the retry time', async () => {
    const c = clock();
    const limiter = new RateLimiter(new MemoryRateLimitStore({ now: c.now }), rules);
    await limiter.enforce('alice', 'github', 'create_issue', 'github__create_issue');
    await limiter.enforce('bob', 'github', 'create_issue', 'github__create_issue');
    await limiter.enforce('alice', 'github', 'create_pr', 'github__create_pr');
    c.advance(15_000);
    const error = await limiter.enforce('alice', 'github', 'create_issue', 'github__create_issue').catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ code: 'SB_RATE_LIMITED', retryAfterMs: 45_000, tool: 'github__create_issue' });
    expect(error.message).toMatch(/retry in 45000 ms/);
  });

  it('allows everything without any rule', async () => {
    const limiter = new RateLimiter(new MemoryRateLimitStore(), {});
    for (let i = 0; i < 50; i++) expect((await limiter.check('a', 's', 't')).allowed).toBe(true);
  });

  it('does not confuse callers whose ids contain the separator characters', async () => {
    const c = clock();
    const limiter = new RateLimiter(new MemoryRateLimitStore({ now: c.now }), { default: { calls: 1, per: 60_000 } });
    expect((await limiter.check('a.b', 'c', 'd')).allowed).toBe(true);
    expect((await limiter.check('a', 'b.c', 'd')).allowed).toBe(true);
  });
});
