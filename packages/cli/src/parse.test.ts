import { describe, expect, it } from 'vitest';
import { bytes, duration, keyValues, parseOr } from './parse.js';

describe('flag parsers', () => {
  it('sizes', () => {
    expect(parseOr(bytes, '16mb', 'max-body')).toBe(16 * 1024 ** 2);
    expect(parseOr(bytes, '512KB', 'max-body')).toBe(512 * 1024);
    expect(parseOr(bytes, 1048576, 'max-body')).toBe(1048576);
    expect(parseOr(bytes, '1.5k', 'max-body')).toBe(1536);
    expect(() => parseOr(bytes, '12 parsecs', 'max-body')).toThrow('--max-body: "12 parsecs" is not a size: use e.g. 16mb, 512kb or a number of bytes');
  });

  it('durations', () => {
    expect(parseOr(duration, '30m', 'session-idle-timeout')).toBe(1_800_000);
    expect(parseOr(duration, '250ms', 'grace')).toBe(250);
    expect(parseOr(duration, '90', 'grace')).toBe(90_000);
    expect(parseOr(duration, 0, 'ping-interval')).toBe(0);
    expect(() => parseOr(duration, 'soon', 'grace')).toThrow('--grace: "soon" is not a duration: use e.g. 30m, 15s, 250ms or a number of seconds');
  });

  it('KEY=VALUE lists', () => {
    expect(keyValues(['A=1', 'B=x=y'], 'env')).toEqual({ A: '1', B: 'x=y' });
    expect(() => keyValues(['=1'], 'env')).toThrow('--env "=1": expected KEY=VALUE');
  });
});
