import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PendingCalls, type Pending } from './pending.js';

describe('PendingCalls', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function table(limit = 1000) {
    const timedOut: Array<{ id: string | number; method: string; limit: number }> = [];
    const calls = new PendingCalls({
      limitFor: (method) => (method === 'initialize' ? 5 * limit : limit),
      onTimeout: (id, p: Pending, ms) => timedOut.push({ id, method: p.method, limit: ms }),
    });
    return { calls, timedOut };
  }

  it('times a silent request out once, untracked, with the limit of its method', () => {
    const { calls, timedOut } = table();
    calls.track({ id: 1, method: 'tools/call' }, 0);
    calls.track({ id: 2, method: 'initialize' }, 0);
    expect(calls.inflight).toBe(2);
    vi.advanceTimersByTime(1001);
    expect(timedOut).toEqual([{ id: 1, method: 'tools/call', limit: 1000 }]);
    expect(calls.get(1)).toBeUndefined();
    vi.advanceTimersByTime(4000);
    expect(timedOut.map((t) => t.id)).toEqual([1, 2]);
    expect(calls.inflight).toBe(0);
  });

  it('progress on a request’s token restarts its cut-off; an answered request never times out', () => {
    const { calls, timedOut } = table();
    calls.track({ id: 'a', method: 'tools/call', params: { _meta: { progressToken: 'tok' } } }, 0);
    calls.track({ id: 'b', method: 'tools/call' }, 0);
    calls.untrack('b');
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(900);
      calls.progressed('tok');
    }
    expect(timedOut).toEqual([]);
    vi.advanceTimersByTime(1001);
    expect(timedOut.map((t) => t.id)).toEqual(['a']);
  });

  it('our own requests resolve with their answer, do not count as in flight, and reject on their own timeout', async () => {
    const { calls } = table();
    const answered = calls.expect('switchboard-ping-1', 0, 500, () => new Error('late'));
    const silent = calls.expect('switchboard-ping-2', 0, 500, () => new Error('late'));
    expect(calls.inflight).toBe(0);
    calls.get('switchboard-ping-1')!.internal!({ jsonrpc: '2.0', id: 'switchboard-ping-1', result: {} });
    await expect(answered).resolves.toMatchObject({ result: {} });
    vi.advanceTimersByTime(501);
    await expect(silent).rejects.toThrow('late');
  });
});
