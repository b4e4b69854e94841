import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CursorError } from './errors.js';

/** Where a merged list continues: the server to ask next and that server's own cursor (none: its first page). */
export interface ListPosition {
  server: string;
  upstreamCursor?: string;
  /** Items of that server (or of that upstream page) already served, when the gateway pages a cached list itself. */
  offset?: number;
  /** The catalog generation the cursor was issued under; a reload may make older cursors meaningless. */
  generation?: string;
}

const MAX_CURSOR_LENGTH = 8192;
const MAC_BYTES = 16;

/**
 * Opaque downstream cursors for merged lists. The position is readable JSON inside, but sealed with an HMAC so a
 * client cannot point the gateway at a server or upstream cursor of its choosing; and bound to the list it came
 * from, so a tools/list cursor is refused by prompts/list. Replicas behind a load balancer must share the key.
 */
export class CursorCodec {
  private readonly key: Buffer;

  constructor(key: string | Uint8Array = randomBytes(32)) {
    this.key = Buffer.from(key);
    if (this.key.length < 16) throw new RangeError('the cursor key must be at least 16 bytes');
  }

  encode(list: string, position: ListPosition): string {
    if (position.offset !== undefined && !(Number.isSafeInteger(position.offset) && position.offset >= 0)) {
      throw new RangeError(`a cursor offset must be a non-negative integer, got ${position.offset}`);
    }
    const payload = Buffer.from(
      JSON.stringify({ v: 1, l: list, s: position.server, c: position.upstreamCursor, o: position.offset, g: position.generation }),
    ).toString('base64url');
    return `${payload}.${this.mac(payload).toString('base64url')}`;
  }

  decode(list: string, cursor: string): ListPosition {
    if (typeof cursor !== 'string' || cursor.length === 0) throw new CursorError('empty');
    if (cursor.length > MAX_CURSOR_LENGTH) throw new CursorError('too long');
    const dot = cursor.indexOf('.');
    if (dot < 0 || dot !== cursor.lastIndexOf('.')) throw new CursorError('malformed');
    const payload = cursor.slice(0, dot);
    const mac = Buffer.from(cursor.slice(dot + 1), 'base64url');
    const expected = this.mac(payload);
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) throw new CursorError('not issued by this gateway, or altered');
    let data: { v?: unknown; l?: unknown; s?: unknown; c?: unknown; o?: unknown; g?: unknown };
    try {
      data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw new CursorError('malformed');
    }
    if (data.v !== 1) throw new CursorError('from another gateway version');
    if (data.l !== list) throw new CursorError(`issued for ${String(data.l)}, not ${list}`);
    if (typeof data.s !== 'string') throw new CursorError('malformed');
    if (data.o !== undefined && !(Number.isSafeInteger(data.o) && (data.o as number) >= 0)) throw new CursorError('malformed');
    return {
      server: data.s,
      ...(typeof data.c === 'string' ? { upstreamCursor: data.c } : {}),
      ...(typeof data.o === 'number' ? { offset: data.o } : {}),
      ...(typeof data.g === 'string' ? { generation: data.g } : {}),
    };
  }

  private mac(payload: string): Buffer {
    return createHmac('sha256', this.key).update(payload).digest().subarray(0, MAC_BYTES);
  }
}
