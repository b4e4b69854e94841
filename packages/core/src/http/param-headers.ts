import type { IncomingHttpHeaders } from 'node:http';
import { ParamHeaderCache, argumentAt } from '../remote/mcp-param.js';
import { mismatch, type ModernRefusal } from './modern-headers.js';

/** The payload of `=?base64?…?=` must be canonical Base64 (the SDK's rule): padding only where it belongs. */
const BASE64_CANONICAL = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const CANONICAL_DECIMAL = /^-?\d+(\.\d+)?$/;

function decodeParam(v: string): string | undefined {
  if (!(v.startsWith('=?base64?') && v.endsWith('?='))) return v;
  const b64 = v.slice('=?base64?'.length, -2);
  if (!BASE64_CANONICAL.test(b64)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(b64, 'base64'));
  } catch {
    return undefined;
  }
}

function bodyString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return String(v);
  return undefined;
}

/**
 * 2026-07-28 (SEP-2243): a tool argument whose input schema property carries `x-mcp-header: Name` travels in the
 * body and in an `Mcp-Param-Name` header, and the server must refuse a call where they disagree (400, -32020).
 * A stdio server never sees our headers, so the face checks them. It knows a tool's schema from the tools/list
 * results it has relayed (`learn`, from the client side's cache); a call to a tool no tools/list has shown yet is not checked — a client can
 * only know which headers to send from that same list.
 */
export class ParamHeaderRule extends ParamHeaderCache {
  /** The refusal for a tools/call whose Mcp-Param-* headers disagree with its arguments, if they do. */
  check(headers: IncomingHttpHeaders, message: { method: string; params?: Record<string, unknown> }): ModernRefusal | undefined {
    if (message.method !== 'tools/call') return undefined;
    const tool = message.params?.name;
    // An invalid declaration (undefined) makes the tool unusable, not our business to refuse here.
    const declared = typeof tool === 'string' ? this.declared(tool) : undefined;
    if (!declared?.length) return undefined;
    const args = message.params?.arguments;
    for (const d of declared) {
      const body = argumentAt(args, d.path);
      const expected = bodyString(body);
      // Absent or null in the body: the header is not expected (and one sent anyway is ignored).
      if (expected === undefined) continue;
      const header = `Mcp-Param-${d.name}`;
      const raw = headers[header.toLowerCase()];
      const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
      const where = `arguments.${d.path.join('.')}`;
      if (value === undefined) return mismatch(`the body carries ${where}=${JSON.stringify(body)} but the ${header} header is absent`, header, expected);
      const decoded = decodeParam(value);
      if (decoded === undefined) return mismatch(`the ${header} header carries an invalid Base64 sentinel value`, header, expected);
      const same = typeof body === 'number' && CANONICAL_DECIMAL.test(decoded) ? Number(decoded) === body : decoded === expected;
      if (!same) return mismatch(`the ${header} header decodes to ${JSON.stringify(decoded)} but the body carries ${where}=${JSON.stringify(body)}`, header, expected);
    }
    return undefined;
  }
}
