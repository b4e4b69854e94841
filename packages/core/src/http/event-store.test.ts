import { describe, expect, it } from 'vitest';
import { EventLog } from './event-store.js';

describe('EventLog', () => {
  it('replays only the named stream, after the given event', () => {
    const log = new EventLog(100, 1 << 20);
    const a1 = log.append('p1', 'a1');
    log.append('p2', 'b1');
    log.append('p1', 'a2');
    log.append('p1', 'a3');
    expect(log.after(a1)!.events.map((e) => e.data)).toEqual(['a2', 'a3']);
  });

  it('is bounded by count and by bytes', () => {
    const byCount = new EventLog(3, 1 << 20);
    for (let i = 0; i < 10; i++) byCount.append('s', `e${i}`);
    expect(byCount.size.events).toBe(3);
    const byBytes = new EventLog(1000, 10);
    for (let i = 0; i < 10; i++) byBytes.append('s', 'xxxx');
    expect(byBytes.size.bytes).toBeLessThanOrEqual(10);
  });

  it('unknown ids cannot be resumed; evicted anchors replay what is left of their stream', () => {
    const log = new EventLog(2, 1 << 20);
    const first = log.append('s', '1');
    log.append('s', '2');
    log.append('s', '3');
    expect(log.after('nope.1')).toBeUndefined();
    expect(log.after('garbage')).toBeUndefined();
    expect(log.after(first)!.events.map((e) => e.data)).toEqual(['2', '3']);
  });

  it('forgets finished streams', () => {
    const log = new EventLog(100, 1 << 20);
    log.append('a', 'x');
    log.append('b', 'y');
    log.forget('a');
    expect(log.size).toEqual({ events: 1, bytes: 1 });
  });
});
