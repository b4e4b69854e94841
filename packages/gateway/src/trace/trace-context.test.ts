import { describe, expect, it } from 'vitest';
import { childContext, formatTraceparent, metaWithTrace, parseTraceparent } from './trace-context.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const VALID = `00-${TRACE}-${PARENT}-01`;

describe('parseTraceparent', () => {
  it('accepts the spec example', () => {
    expect(parseTraceparent(VALID)).toEqual({ traceId: TRACE, parentId: PARENT, flags: '01' });
  });

  it.each([
    ['uppercase hex', VALID.toUpperCase()],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${PARENT}-01`],
    ['all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['version ff', `ff-${TRACE}-${PARENT}-01`],
    ['version 00 with extra fields', `${VALID}-extra`],
    ['short trace id', `00-${TRACE.slice(1)}-${PARENT}-01`],
    ['not a string', 42],
    ['empty', ''],
    ['huge', `${VALID}-${'x'.repeat(1000)}`],
  ])('refuses %s', (_, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it('accepts a later version with more fields (read as version 00)', () => {
    expect(parseTraceparent(`01-${TRACE}-${PARENT}-01-more`)).toEqual({ traceId: TRACE, parentId: PARENT, flags: '01' });
  });
});

describe('childContext', () => {
  const span = () => 'aaaaaaaaaaaaaaaa';

  it('keeps the trace, takes the caller span as parent and starts a new span', () => {
    const ctx = childContext(undefined, { traceparent: VALID, tracestate: 'vendor=1' }, span)!;
    expect(ctx).toEqual({ traceId: TRACE, parentId: PARENT, spanId: 'aaaaaaaaaaaaaaaa', flags: '01', tracestate: 'vendor=1' });
    expect(formatTraceparent(ctx)).toBe(`00-${TRACE}-aaaaaaaaaaaaaaaa-01`);
  });

  it('prefers the message _meta over the HTTP header, and tracestate travels with its own traceparent', () => {
    const other = `00-${'1'.repeat(32)}-${'2'.repeat(16)}-00`;
    const ctx = childContext({ traceparent: other }, { traceparent: VALID, tracestate: 'from=header' }, span)!;
    expect(ctx.traceId).toBe('1'.repeat(32));
    expect(ctx.tracestate).toBeUndefined();
  });

  it('falls back to the header when _meta holds an invalid one, and is undefined when neither is valid', () => {
    expect(childContext({ traceparent: 'garbage' }, { traceparent: VALID }, span)?.traceId).toBe(TRACE);
    expect(childContext({ traceparent: 'garbage' }, { traceparent: 'also-garbage' }, span)).toBeUndefined();
    expect(childContext(undefined, undefined)).toBeUndefined();
  });

  it('generates a distinct, non-zero span id per hop by default', () => {
    const a = childContext(undefined, { traceparent: VALID })!;
    const b = childContext(undefined, { traceparent: VALID })!;
    expect(a.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(a.spanId).not.toBe(b.spanId);
    expect(a.spanId).not.toBe(PARENT);
  });
});

describe('metaWithTrace', () => {
  it('replaces the caller trace with this hop and keeps other keys', () => {
    const ctx = childContext({ traceparent: VALID }, undefined, () => 'bbbbbbbbbbbbbbbb');
    expect(metaWithTrace({ progressToken: 3, traceparent: VALID }, ctx)).toEqual({ progressToken: 3, traceparent: `00-${TRACE}-bbbbbbbbbbbbbbbb-01` });
  });

  it('drops an invalid trace rather than forwarding it, and leaves a traceless _meta alone', () => {
    expect(metaWithTrace({ progressToken: 3, traceparent: 'bad', tracestate: 'x=1' }, undefined)).toEqual({ progressToken: 3 });
    expect(metaWithTrace({ traceparent: 'bad' }, undefined)).toBeUndefined();
    const meta = { progressToken: 1 };
    expect(metaWithTrace(meta, undefined)).toBe(meta);
  });
});
