import { describe, expect, it } from 'vitest';
import { SwitchboardError } from '@switchboard-mcp/core/serve';
import { ArgumentConstraintError, CursorError, RateLimitedError, ToolDeniedError } from '../errors.js';
import { RATE_LIMITED_CODE, refusalError } from './refusal.js';

describe('refusalError', () => {
  it('carries the retry time for a rate limit', () => {
    expect(refusalError(new RateLimitedError('gh__x', 1500.2))).toEqual({
      code: RATE_LIMITED_CODE,
      message: 'rate limit reached for gh__x; retry in 1501 ms',
      data: { code: 'SB_RATE_LIMITED', retryAfterMs: 1501, tool: 'gh__x' },
    });
  });

  it('answers denied tools, bad arguments and bad cursors as invalid params', () => {
    expect(refusalError(new ToolDeniedError('gh__x'))).toMatchObject({ code: -32602, data: { code: 'SB_TOOL_DENIED', tool: 'gh__x' } });
    expect(refusalError(new ArgumentConstraintError('fs__w', 'path', 'must stay under /srv/'))).toMatchObject({
      code: -32602,
      message: 'fs__w: argument "path" must stay under /srv/',
      data: { code: 'SB_ARG_CONSTRAINT', argument: 'path' },
    });
    expect(refusalError(new CursorError('altered'))).toMatchObject({ code: -32602, data: { code: 'SB_CURSOR_INVALID' } });
  });

  it('leaves other errors alone', () => {
    expect(refusalError(new Error('x'))).toBeUndefined();
    expect(refusalError(new SwitchboardError('SB_OTHER', 'x'))).toBeUndefined();
    expect(refusalError('string')).toBeUndefined();
  });

  it('keeps every policy error a SwitchboardError', () => {
    for (const e of [new RateLimitedError('t', 1), new ToolDeniedError('t'), new ArgumentConstraintError('t', 'a', 'r'), new CursorError('r')]) {
      expect(e).toBeInstanceOf(SwitchboardError);
      expect(e.name).toBe(e.constructor.name);
    }
  });
});
