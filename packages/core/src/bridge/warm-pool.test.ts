import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../log.js';
import type { UpstreamTransport } from '../upstream/upstream.js';
import { WarmPool } from './warm-pool.js';

/** A connection whose start and loss the test drives (the e2e test covers real processes). */
class Fake implements UpstreamTransport {
  onmessage?: UpstreamTransport['onmessage'];
  onerror?: (e: Error) => void;
  onclose?: () => void;
  alive = true;
  inflight = 0;
  starts = 0;
  closed = false;
  constructor(private readonly failStart = false) {}
  async start() {
    this.starts++;
    if (this.failStart) throw new Error('spawn failed');
  }
  async send() {}
  async close() {
    this.closed = true;
    this.onclose?.();
  }
  /** The child was given up by its supervisor (crash loop). */
  die() {
    this.alive = false;
    this.onclose?.();
  }
}

/** Opens a Fake and remembers it; with failFirst the first one cannot start. */
function opener(opened: Fake[], failFirst = false) {
  return () => {
    const f = new Fake(failFirst && opened.length === 0);
    opened.push(f);
    return f;
  };
}

describe('WarmPool', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps `size` started, hands one out without starting it again, and refills afterwards', async () => {
    const opened: Fake[] = [];
    const pool = new WarmPool({ size: 2, logger: silentLogger, open: opener(opened) });
    pool.fill();
    expect(pool.size).toBe(2);
    expect(opened.map((f) => f.starts)).toEqual([1, 1]);
    const t = pool.take()!;
    await t.start();
    expect(opened[0]!.starts).toBe(1);
    expect(pool.size).toBe(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(pool.size).toBe(2);
    expect(opened).toHaveLength(3);
  });

  it('opens nothing when the budget has no room, and fills once it has', () => {
    let room = 1;
    const pool = new WarmPool({ size: 3, logger: silentLogger, open: () => (room-- > 0 ? new Fake() : undefined) });
    pool.fill();
    expect(pool.size).toBe(1);
    room = 2;
    pool.fill();
    expect(pool.size).toBe(3);
  });

  it('replaces a lost connection only after a delay that doubles per consecutive loss (no spawn loop)', async () => {
    const opened: Fake[] = [];
    const pool = new WarmPool({ size: 1, logger: silentLogger, backoffMs: 1000, maxBackoffMs: 4000, open: opener(opened) });
    pool.fill();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const n = opened.length;
      opened.at(-1)!.die();
      expect(pool.size).toBe(0);
      pool.fill(); // a session leaving asks for a refill: the backoff still holds
      expect(opened).toHaveLength(n);
      let waited = 0;
      while (opened.length === n && waited < 10_000) {
        await vi.advanceTimersByTimeAsync(250);
        waited += 250;
      }
      delays.push(waited);
    }
    expect(delays).toEqual([1000, 2000, 4000, 4000]);
    // A connection taken by a session proves the command works: the next loss starts from the first delay again.
    pool.take();
    await vi.advanceTimersByTimeAsync(0);
    opened.at(-1)!.die();
    await vi.advanceTimersByTimeAsync(1000);
    expect(pool.size).toBe(1);
  });

  it('a connection that cannot start counts as lost and is closed', async () => {
    const opened: Fake[] = [];
    const pool = new WarmPool({ size: 1, logger: silentLogger, backoffMs: 1000, open: opener(opened, true) });
    pool.fill();
    await vi.advanceTimersByTimeAsync(0);
    expect(opened[0]!.closed).toBe(true);
    expect(pool.size).toBe(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(pool.size).toBe(1);
    expect(opened).toHaveLength(2);
  });

  it('close() stops the waiting connections and opens no more', async () => {
    const opened: Fake[] = [];
    const pool = new WarmPool({ size: 2, logger: silentLogger, open: opener(opened) });
    pool.fill();
    opened[0]!.die();
    await pool.close();
    expect(opened.every((f) => f.closed || !f.alive)).toBe(true);
    pool.fill();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(opened).toHaveLength(2);
    expect(pool.size).toBe(0);
  });
});
