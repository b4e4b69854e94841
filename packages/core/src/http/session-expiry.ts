/** What the expiry rules read of a session (Streamable HTTP or legacy SSE). */
export interface ExpiringSession {
  lastActivity: number;
  /** The client completed the MCP handshake (sent notifications/initialized). */
  readonly initialized: boolean;
  /** Requests of the client not answered yet. */
  readonly waiting: number;
}

export interface ExpiryLimits {
  /** An initialized session idle this long is closed (when nothing holds it open). */
  idleMs: number;
  /** A session that has not completed the handshake, idle this long with nothing to wait for, is closed. */
  handshakeMs: number;
}

/**
 * A session that never completed the handshake: opened by a bare GET /sse, or an `initialize` never followed by
 * `notifications/initialized`. A real client finishes the handshake at once, so such a session goes after seconds,
 * not the idle timeout. One still waiting on its own initialize (a slow server start) is left alone.
 */
export function handshakeExpired(s: ExpiringSession, now: number, limits: ExpiryLimits): boolean {
  return !s.initialized && s.waiting === 0 && now - s.lastActivity > limits.handshakeMs;
}

/**
 * When every per-session child is running: the session to give its child up for a new one, the longest-idle of those
 * with no stream open and no request waiting (a client that went away without DELETE). Its client, if it comes back,
 * gets 404 and initializes again, as the spec has clients do.
 */
export function idlest<S extends ExpiringSession & { readonly openStreams: number }>(sessions: Iterable<S>): S | undefined {
  let pick: S | undefined;
  for (const s of sessions) {
    if (s.openStreams > 0 || s.waiting > 0) continue;
    if (!pick || s.lastActivity < pick.lastActivity) pick = s;
  }
  return pick;
}

/**
 * When every session slot is taken: the session to give up for a new one, the longest-idle of those that never
 * completed the handshake and wait on nothing. None: the new session is refused.
 */
export function evictionCandidate<S extends ExpiringSession>(sessions: Iterable<S>): S | undefined {
  let pick: S | undefined;
  for (const s of sessions) {
    if (s.initialized || s.waiting > 0) continue;
    if (!pick || s.lastActivity < pick.lastActivity) pick = s;
  }
  return pick;
}
