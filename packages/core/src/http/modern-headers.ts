import type { IncomingHttpHeaders } from 'node:http';
import { ErrorCode } from '../jsonrpc.js';
import { MODERN_PROTOCOL_VERSION, NAMED_METHODS, REMOVED_IN_MODERN } from '../protocol.js';

/** A refusal of a 2026-07-28 request before it reaches any upstream: HTTP status and JSON-RPC error. */
export interface ModernRefusal {
  status: number;
  code: number;
  message: string;
  data?: unknown;
}

/** Methods whose `Mcp-Name` mirrors `params.taskId` (the tasks extension's HTTP binding). */
const TASK_METHODS = new Set(['tasks/get', 'tasks/update', 'tasks/cancel']);

/** `=?base64?…?=` is how a header carries a value that is not plain printable ASCII. */
export function decodeHeaderValue(v: string): string | undefined {
  if (!(v.startsWith('=?base64?') && v.endsWith('?='))) return v;
  const b64 = v.slice('=?base64?'.length, -2);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) return undefined;
  return Buffer.from(b64, 'base64').toString('utf8');
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.trim();

/** A -32020 HeaderMismatch refusal (HTTP 400), naming the disagreeing pair in `data.mismatch`. */
export const mismatch = (message: string, header: string, body: string): ModernRefusal => ({
  status: 400,
  code: ErrorCode.HeaderMismatch,
  message: `Bad Request: the request headers and body disagree: ${message}`,
  data: { mismatch: { header, body } },
});

/**
 * What the 2026-07-28 HTTP binding requires of a request beyond what the SDK's classifier checks: the revision is
 * one we serve, the standard headers are present and agree with the body, and the method still exists.
 * `revision` is the version the body's envelope claims (the classifier's finding).
 */
export function checkModernRequest(
  headers: IncomingHttpHeaders,
  message: { method: string; params?: Record<string, unknown> },
  revision: string | undefined,
  isRequest: boolean,
): ModernRefusal | undefined {
  if (revision !== undefined && revision !== MODERN_PROTOCOL_VERSION) {
    return {
      status: 400,
      code: ErrorCode.UnsupportedProtocolVersion,
      message: `Unsupported protocol version: ${revision} (supported: ${MODERN_PROTOCOL_VERSION})`,
      data: { supported: [MODERN_PROTOCOL_VERSION], requested: revision },
    };
  }
  if (!isRequest) return undefined;
  const method = message.method;
  if (one(headers['mcp-protocol-version']) === undefined) return mismatch(`the body envelope names protocol version ${revision ?? MODERN_PROTOCOL_VERSION} but the required MCP-Protocol-Version header is absent`, '(missing)', method);
  if (one(headers['mcp-method']) === undefined) return mismatch(`the body names method ${method} but the required Mcp-Method header is absent`, '(missing)', method);
  const field = NAMED_METHODS[method] ?? (TASK_METHODS.has(method) ? 'taskId' : undefined);
  if (field) {
    const raw = message.params?.[field];
    const bodyValue = typeof raw === 'string' ? raw : undefined;
    const header = one(headers['mcp-name']);
    if (header === undefined) {
      if (bodyValue !== undefined) return mismatch(`the body carries params.${field}="${bodyValue}" but the required Mcp-Name header is absent`, '(missing)', bodyValue);
    } else {
      const decoded = decodeHeaderValue(header);
      if (decoded === undefined) return mismatch('the Mcp-Name header carries an invalid Base64 sentinel value', header, bodyValue ?? '');
      if (bodyValue !== undefined && decoded !== bodyValue) return mismatch(`the body carries params.${field}="${bodyValue}" but the Mcp-Name header names "${decoded}"`, header, bodyValue);
    }
  }
  if (REMOVED_IN_MODERN.has(method)) {
    return { status: 404, code: ErrorCode.MethodNotFound, message: `Method not found: ${method} does not exist in protocol revision ${MODERN_PROTOCOL_VERSION}` };
  }
  return undefined;
}
