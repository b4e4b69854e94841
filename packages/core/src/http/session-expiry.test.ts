import { describe, expect, it } from 'vitest';
import { evictionCandidate, handshakeExpired, idlest } from './session-expiry.js';

const limits = { idleMs: 60_000, handshakeMs: 10_000 };
const s = (name: string, lastActivity: number, initialized: boolean, waiting = 0, openStreams = 0) => ({ name, lastActivity, initialized, waiting, openStreams });

describe('session expiry', () => {
  it('a session without a completed handshake goes after handshakeMs idle, unless it waits on its initialize', () => {
    expect(handshakeExpired(s('a', 0, false), 10_001, limits)).toBe(true);
    expect(handshakeExpired(s('a', 0, false), 9_999, limits)).toBe(false);
    expect(handshakeExpired(s('a', 0, false, 1), 50_000, limits)).toBe(false);
    expect(handshakeExpired(s('a', 0, true), 50_000, limits)).toBe(false);
  });

  it('makes room with the longest-idle session that never completed the handshake, never with a completed one', () => {
    expect(evictionCandidate([s('done', 0, true), s('new', 20, false), s('old', 10, false), s('busy', 1, false, 1)])?.name).toBe('old');
    expect(evictionCandidate([s('done', 0, true), s('busy', 1, false, 1)])).toBeUndefined();
  });

  it('frees a child from the longest-idle session with no stream open and nothing waiting', () => {
    expect(idlest([s('streaming', 0, true, 0, 1), s('b', 20, true), s('a', 10, true), s('calling', 1, true, 1)])?.name).toBe('a');
    expect(idlest([s('streaming', 0, true, 0, 1)])).toBeUndefined();
  });
});
