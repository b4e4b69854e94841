import { describe, expect, it } from 'vitest';
import { CursorCodec } from './cursors.js';
import { CursorError } from './errors.js';

const codec = new CursorCodec('k'.repeat(32));

describe('CursorCodec', () => {
  it('round-trips a position', () => {
    const cursor = codec.encode('tools/list', { server: 'github', upstreamCursor: 'abc==', generation: 'g7' });
    expect(codec.decode('tools/list', cursor)).toEqual({ server: 'github', upstreamCursor: 'abc==', generation: 'g7' });
    expect(codec.decode('tools/list', codec.encode('tools/list', { server: 's' }))).toEqual({ server: 's' });
  });

  it('carries an offset into a cached list', () => {
    const cursor = codec.encode('tools/list', { server: 'fs', offset: 50 });
    expect(codec.decode('tools/list', cursor)).toEqual({ server: 'fs', offset: 50 });
    expect(() => codec.encode('tools/list', { server: 'fs', offset: -1 })).toThrow(RangeError);
    expect(() => codec.encode('tools/list', { server: 'fs', offset: 1.5 })).toThrow(RangeError);
  });

  it('refuses a validly sealed cursor whose content is malformed', () => {
    // Sealing with the same key stands for a bug or a leaked key: the shape is still checked.
    const seal = (payload: object) => {
      const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
      const good = codec.encode('tools/list', { server: 'x' });
      return { body, good };
    };
    expect(seal({}).good).toContain('.');
    for (const payload of [{ v: 1, l: 'tools/list', s: 5 }, { v: 1, l: 'tools/list', s: 'x', o: -3 }, { v: 2, l: 'tools/list', s: 'x' }]) {
      const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
      const mac = (codec as unknown as { mac(p: string): Buffer }).mac(body).toString('base64url');
      expect(() => codec.decode('tools/list', `${body}.${mac}`)).toThrow(CursorError);
    }
  });

  it('refuses a cursor for another list', () => {
    const cursor = codec.encode('tools/list', { server: 'github' });
    expect(() => codec.decode('prompts/list', cursor)).toThrow(/issued for tools\/list/);
  });

  it('refuses a cursor from another key (another gateway)', () => {
    const other = new CursorCodec('o'.repeat(32)).encode('tools/list', { server: 'github' });
    expect(() => codec.decode('tools/list', other)).toThrow(CursorError);
  });

  const good = codec.encode('tools/list', { server: 'github', upstreamCursor: 'c1' });
  const [payload, mac] = good.split('.') as [string, string];
  const forged = Buffer.from(JSON.stringify({ v: 1, l: 'tools/list', s: 'admin', c: 'c1' })).toString('base64url');
  it.each([
    ['empty', ''],
    ['no mac', payload],
    ['forged payload, old mac', `${forged}.${mac}`],
    ['flipped mac', `${payload}.${mac.slice(0, -2)}${mac.endsWith('A') ? 'B' : 'A'}A`],
    ['truncated mac', `${payload}.${mac.slice(0, 5)}`],
    ['extra dot', `${good}.x`],
    ['huge', 'a'.repeat(10_000)],
    ['not base64', '!!!.???'],
  ])('refuses a tampered cursor: %s', (_, cursor) => {
    expect(() => codec.decode('tools/list', cursor)).toThrow(CursorError);
    try {
      codec.decode('tools/list', cursor);
    } catch (e) {
      expect((e as CursorError).code).toBe('SB_CURSOR_INVALID');
      expect((e as Error).message).toMatch(/first page/);
    }
  });

  it('refuses a short key', () => {
    expect(() => new CursorCodec('short')).toThrow(RangeError);
  });
});
