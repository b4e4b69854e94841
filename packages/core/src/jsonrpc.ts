import type { JSONRPCMessage } from '@modelcontextprotocol/server';

export type { JSONRPCMessage };
export type RequestId = string | number;

/** A JSON-RPC message as it crosses the wire: we keep it loose so nothing unknown is lost. */
export type Message = JSONRPCMessage & Record<string, unknown>;

export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** The SDKs' "connection closed" code: the upstream went away mid-call. */
  ConnectionClosed: -32000,
  /** 2025-era streamable HTTP: the session id is unknown or expired. */
  SessionNotFound: -32001,
  /** 2026-07-28: Mcp-Method / Mcp-Name headers disagree with the body. */
  HeaderMismatch: -32020,
  /** 2026-07-28: the server needs a client capability the request did not declare. */
  MissingRequiredClientCapability: -32021,
  /** 2026-07-28: unsupported protocol version. */
  UnsupportedProtocolVersion: -32022,
} as const;

export function isRequest(m: unknown): m is Message & { id: RequestId; method: string; params?: Record<string, unknown> } {
  return typeof m === 'object' && m !== null && 'method' in m && 'id' in m && (m as { id: unknown }).id !== undefined;
}

export function isNotification(m: unknown): m is Message & { method: string; params?: Record<string, unknown> } {
  return typeof m === 'object' && m !== null && 'method' in m && !('id' in m);
}

export function isResponse(m: unknown): m is Message & { id: RequestId; result?: unknown; error?: unknown } {
  return typeof m === 'object' && m !== null && !('method' in m) && 'id' in m && ('result' in m || 'error' in m);
}

export function errorResponse(id: RequestId | null, code: number, message: string, data?: unknown): Message {
  const error: Record<string, unknown> = { code, message };
  if (data !== undefined) error.data = data;
  return { jsonrpc: '2.0', id, error } as unknown as Message;
}

/** A message is structurally JSON-RPC 2.0 if it is an object with the version tag and one of the three shapes. */
export function isJsonRpcMessage(m: unknown): m is Message {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return false;
  const o = m as Record<string, unknown>;
  if (o.jsonrpc !== '2.0') return false;
  if (typeof o.method === 'string') return o.id === undefined || typeof o.id === 'string' || typeof o.id === 'number';
  return (typeof o.id === 'string' || typeof o.id === 'number' || o.id === null) && ('result' in o || 'error' in o);
}

export function progressTokenOf(m: object): string | number | undefined {
  const params = (m as { params?: { _meta?: { progressToken?: unknown } } }).params;
  const t = params?._meta?.progressToken;
  return typeof t === 'string' || typeof t === 'number' ? t : undefined;
}

/**
 * The exact text a message arrived as, when it crossed unchanged: writing it again saves a
 * JSON.stringify of every answer. Non-enumerable, so a rewritten copy ({...m, id}) never inherits it.
 */
const RAW = Symbol('switchboard.raw');

export function withRaw<T extends object>(message: T, text: string): T {
  Object.defineProperty(message, RAW, { value: text, enumerable: false });
  return message;
}

export function serialize(message: object): string {
  return (message as { [RAW]?: string })[RAW] ?? JSON.stringify(message);
}

/**
 * The raw text of an answer whose id was rewritten, when the id can be swapped as text: servers write
 * the id first (`{"jsonrpc":"2.0","id":7,…`) or last (`…,"id":7}`). Anything else is serialised anew.
 */
export function withRewrittenId<T extends object>(original: object, rewritten: T, fromId: RequestId, toId: RequestId): T {
  const raw = (original as { [RAW]?: string })[RAW];
  if (!raw) return rewritten;
  const from = `"id":${JSON.stringify(fromId)}`;
  const to = `"id":${JSON.stringify(toId)}`;
  const head = `{"jsonrpc":"2.0",${from},`;
  if (raw.startsWith(head)) return withRaw(rewritten, `{"jsonrpc":"2.0",${to},` + raw.slice(head.length));
  const tail = `,${from}}`;
  if (raw.endsWith(tail)) return withRaw(rewritten, raw.slice(0, -tail.length) + `,${to}}`);
  return rewritten;
}

/**
 * Marks a client's number that JavaScript cannot hold exactly (`1e400`, 2^60): it travels as this tag plus its
 * text (see http/ids.ts), and clientText() writes it back as the bare number.
 */
export const EXACT_NUMBER_TAG = '\u0000sb#';
const TAGGED = /"(id|progressToken|requestId)":"\\u0000sb#(-?[0-9][0-9.eE+-]*)"/g;

/** A message as the client must read it: serialize(), with every tagged number written back as its exact text. */
export function clientText(message: object): string {
  const text = serialize(message);
  return text.includes('\\u0000sb#') ? text.replace(TAGGED, '"$1":$2') : text;
}
