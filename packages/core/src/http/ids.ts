/**
 * Request ids and progress tokens as they enter the HTTP face: MCP allows a string or an integer, and whatever a
 * client sends must come back to it as the same text. JavaScript numbers lose both `1e400` (Infinity, written as
 * null) and 2^60 (rounded), so a number that is not a safe integer travels as a tagged string holding its exact
 * text, and the tag is undone when the message is written back to the client (`clientText` in jsonrpc.ts).
 */
import { EXACT_NUMBER_TAG, ErrorCode, clientText, errorResponse, type Message, type RequestId } from '../jsonrpc.js';

/** Where, in a message, a client's id or token sits. */
const PLACES = ['id', 'params._meta.progressToken', 'params.requestId'] as const;
type Place = (typeof PLACES)[number];

/**
 * Checks every message's id and progress token and rewrites the numbers JavaScript cannot hold exactly. Returns why
 * the body is refused, or undefined. `text` is the body the messages were parsed from.
 */
export function checkIds(parsed: unknown, text: string): string | undefined {
  const messages = Array.isArray(parsed) ? parsed : [parsed];
  const inexact: { message: Record<string, unknown>; index: number; place: Place }[] = [];
  for (let index = 0; index < messages.length; index++) {
    const m = messages[index];
    if (typeof m !== 'object' || m === null || Array.isArray(m)) continue;
    const message = m as Record<string, unknown>;
    for (const place of PLACES) {
      const v = read(message, place);
      if (v === undefined || typeof v === 'string') continue;
      if (place === 'id' && v === null && !('method' in message)) continue; // an error answer may carry id null
      if (place === 'params.requestId' && message.method !== 'notifications/cancelled') continue;
      if (typeof v !== 'number') return `Invalid Request: ${describe(place)} must be a string or an integer, not ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`;
      // 0 too: `1e-400` and `0.0` parse to it, and only the text tells them from an integer.
      if (!Number.isSafeInteger(v) || v === 0) inexact.push({ message, index, place });
    }
  }
  if (!inexact.length) return undefined;
  const raw = rawNumbers(text, Array.isArray(parsed));
  for (const { message, index, place } of inexact) {
    const r = raw.get(`${index}/${place}`);
    if (r === undefined) return `Invalid Request: could not read ${describe(place)} exactly`;
    if (!isIntegral(r)) return `Invalid Request: ${describe(place)} must be a string or an integer, not ${r}`;
    if (r === String(read(message, place))) continue;
    write(message, place, EXACT_NUMBER_TAG + r);
  }
  return undefined;
}

function describe(place: Place): string {
  return place === 'id' ? 'the id' : place === 'params.requestId' ? 'params.requestId' : 'params._meta.progressToken';
}

function read(m: Record<string, unknown>, place: Place): unknown {
  let v: unknown = m;
  for (const key of place.split('.')) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function write(m: Record<string, unknown>, place: Place, value: string) {
  const keys = place.split('.');
  let o = m;
  for (const key of keys.slice(0, -1)) o = o[key] as Record<string, unknown>;
  o[keys.at(-1)!] = value;
}

/** True when a JSON number's text names an integer (`1e400`, `100e-2` do; `1.5`, `1e-400` do not). */
export function isIntegral(raw: string): boolean {
  const m = /^-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(raw);
  if (!m) return false;
  const digits = m[1]! + (m[2] ?? '');
  const point = m[1]!.length + Number(m[3] ?? 0);
  return /^0*$/.test(digits.slice(Math.max(0, point)));
}

/**
 * The exact text of every number at one of PLACES, keyed `<message index>/<place>`. Only called for the rare body
 * that needs it; iterative, so a deeply nested body cannot overflow the stack. The text is valid JSON (it parsed).
 */
export function rawNumbers(text: string, batch: boolean): Map<string, string> {
  const out = new Map<string, string>();
  const wanted = new Set<string>(PLACES);
  const stack: { arr: boolean; key: string; idx: number }[] = [];
  const n = text.length;
  let i = 0;
  const literal = /-?[0-9][0-9.eE+-]*|true|false|null/y;
  while (i < n) {
    const c = text[i]!;
    if (c === '{' || c === '[') {
      stack.push({ arr: c === '[', key: '', idx: 0 });
      i++;
    } else if (c === '}' || c === ']') {
      stack.pop();
      i++;
    } else if (c === ',') {
      const top = stack.at(-1);
      if (top?.arr) top.idx++;
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const s = text.slice(i, j + 1);
      i = j + 1;
      let k = i;
      while (k < n && (text[k] === ' ' || text[k] === '\t' || text[k] === '\n' || text[k] === '\r')) k++;
      const top = stack.at(-1);
      if (top && !top.arr && text[k] === ':') top.key = JSON.parse(s) as string;
    } else if (c === '-' || (c >= '0' && c <= '9') || c === 't' || c === 'f' || c === 'n') {
      literal.lastIndex = i;
      const tok = literal.exec(text)?.[0] ?? c;
      i += tok.length;
      if (c !== 't' && c !== 'f' && c !== 'n') {
        const inner = batch ? stack.slice(1) : stack;
        const index = batch ? (stack[0]?.idx ?? 0) : 0;
        const path = inner.map((s) => (s.arr ? String(s.idx) : s.key)).join('.');
        if (wanted.has(path)) out.set(`${index}/${path}`, tok);
      }
    } else i++;
  }
  return out;
}

/**
 * The answer to a request whose id is still in flight on the same session: its answer could not be told apart from
 * the first one's, and the first caller would wait for ever. The duplicate gets this; the first call carries on.
 */
export function duplicateIdError(id: RequestId): Message {
  return errorResponse(id, ErrorCode.InvalidRequest, `Invalid Request: id ${clientText({ id }).slice(6, -1)} is already used by a request still in flight on this session; use a new id`);
}
