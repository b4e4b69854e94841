import { randomBytes } from 'node:crypto';

/** A W3C Trace Context (https://www.w3.org/TR/trace-context/) as the gateway carries it one hop further. */
export interface TraceContext {
  traceId: string;
  /** The span of the caller that sent us the request. */
  parentId: string;
  /** The span this hop starts: what the backend sees as its parent. */
  spanId: string;
  flags: string;
  tracestate?: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);
/** The spec's bound on tracestate: 32 list members; a longer header is dropped, not truncated mid-member. */
const MAX_TRACESTATE = 512;

/**
 * A traceparent header's parts, or undefined when it is not one: the spec says an invalid traceparent is ignored
 * (and not forwarded), never repaired. Version 00 is exact; a later version may append fields, which are dropped
 * since we forward as version 00. Version ff is invalid by definition.
 */
export function parseTraceparent(value: unknown): { traceId: string; parentId: string; flags: string } | undefined {
  if (typeof value !== 'string' || value.length > 512) return undefined;
  const m = TRACEPARENT.exec(value);
  if (!m) return undefined;
  const [, version, traceId, parentId, flags, rest] = m as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (traceId === ZERO_TRACE || parentId === ZERO_SPAN) return undefined;
  return { traceId, parentId, flags };
}

/**
 * The context for one forwarded request: the message's own `_meta.traceparent` if valid, else the HTTP request's
 * header (the message is the more specific of the two: one POST may carry a batch). A new span id per hop.
 * tracestate travels only with the traceparent it came with.
 */
export function childContext(
  meta: { traceparent?: unknown; tracestate?: unknown } | undefined,
  header: { traceparent?: string; tracestate?: string } | undefined,
  newSpanId: () => string = randomSpanId,
): TraceContext | undefined {
  const fromMeta = parseTraceparent(meta?.traceparent);
  const parent = fromMeta ?? parseTraceparent(header?.traceparent);
  if (!parent) return undefined;
  const state = fromMeta ? meta?.tracestate : header?.tracestate;
  return {
    ...parent,
    spanId: newSpanId(),
    ...(typeof state === 'string' && state.length > 0 && state.length <= MAX_TRACESTATE ? { tracestate: state } : {}),
  };
}

export function formatTraceparent(ctx: TraceContext): string {
  return `00-${ctx.traceId}-${ctx.spanId}-${ctx.flags}`;
}

/** The `_meta` to send on: the caller's other keys kept, the trace context replaced by this hop's (or removed when invalid). */
export function metaWithTrace(meta: Record<string, unknown> | undefined, ctx: TraceContext | undefined): Record<string, unknown> | undefined {
  if (!ctx) {
    if (!meta || !('traceparent' in meta || 'tracestate' in meta)) return meta;
    const { traceparent: _p, tracestate: _s, ...rest } = meta;
    return Object.keys(rest).length ? rest : undefined;
  }
  const { tracestate: _s, ...rest } = meta ?? {};
  return { ...rest, traceparent: formatTraceparent(ctx), ...(ctx.tracestate ? { tracestate: ctx.tracestate } : {}) };
}

function randomSpanId(): string {
  for (;;) {
    const id = randomBytes(8).toString('hex');
    if (id !== ZERO_SPAN) return id;
  }
}
