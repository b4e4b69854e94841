import { describe, expect, it } from 'vitest';
import { DEFAULT_REQUEST_TIMEOUT_MS, requestTimeoutOf } from './remote-transport.js';

describe('requestTimeoutOf', () => {
  it('bounds every call: unset gets the 10 min ceiling, a value is kept, 0 means none', () => {
    expect(DEFAULT_REQUEST_TIMEOUT_MS).toBe(600_000);
    expect(requestTimeoutOf({})).toBe(600_000);
    expect(requestTimeoutOf({ requestTimeoutMs: undefined })).toBe(600_000);
    expect(requestTimeoutOf({ requestTimeoutMs: 2000 })).toBe(2000);
    expect(requestTimeoutOf({ requestTimeoutMs: 0 })).toBeUndefined();
  });
});
