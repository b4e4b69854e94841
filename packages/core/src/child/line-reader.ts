import type { RequestId } from '../jsonrpc.js';

/**
 * Twice 16 MiB (the default --max-body) plus room for the envelope: a tool returning structured content also returns
 * it serialized as text (as the spec recommends), so an answer echoing a body-sized payload carries it twice.
 */
export const DEFAULT_MAX_LINE_BYTES = 33 * 1024 * 1024;

/** How much of an oversized line is kept to find out what it was: ids sit at the very start or the very end. */
const HEAD_BYTES = 4096;
const TAIL_BYTES = 1024;

export interface OversizedLine {
  /** Bytes the line had (up to and excluding its newline). */
  bytes: number;
  /** The start and end of the line, for the id and method (and a log excerpt). */
  head: string;
  tail: string;
}

/**
 * Splits a byte stream into lines without ever holding more than `maxLineBytes` of one line: a longer line is
 * dropped as it streams by (its head and tail kept) and reported once its newline arrives. Chunks stay buffers
 * until the newline, so a UTF-8 sequence split across reads stays whole.
 */
export class LineReader {
  private parts: Buffer[] = [];
  private size = 0;
  private dropping?: { bytes: number; head: Buffer; tail: Buffer };

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (line: string) => void,
    private readonly onOversized: (line: OversizedLine) => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    let nl: number;
    while ((nl = chunk.indexOf(10, start)) >= 0) {
      this.take(chunk.subarray(start, nl));
      start = nl + 1;
      this.endLine();
    }
    if (start < chunk.length) this.take(chunk.subarray(start));
  }

  private take(piece: Buffer): void {
    if (!piece.length) return;
    if (this.dropping) {
      this.drop(piece);
      return;
    }
    if (this.size + piece.length <= this.maxLineBytes) {
      this.parts.push(piece);
      this.size += piece.length;
      return;
    }
    // Copies: the kept head must not pin the large chunks it came from.
    const pieces = [...this.parts, piece];
    this.dropping = { bytes: 0, head: firstBytes(pieces, HEAD_BYTES), tail: Buffer.alloc(0) };
    this.parts = [];
    this.size = 0;
    for (const p of pieces) this.drop(p);
  }

  private drop(piece: Buffer): void {
    const d = this.dropping!;
    d.bytes += piece.length;
    d.tail = Buffer.from(d.tail.length + piece.length <= TAIL_BYTES ? Buffer.concat([d.tail, piece]) : tailOf(d.tail, piece));
  }

  private endLine(): void {
    if (this.dropping) {
      const { bytes, head, tail } = this.dropping;
      this.dropping = undefined;
      const tailText = tail.toString('utf8');
      this.onOversized({ bytes, head: head.toString('utf8'), tail: tailText.endsWith('\r') ? tailText.slice(0, -1) : tailText });
      return;
    }
    const line = this.parts.length === 1 ? this.parts[0]!.toString('utf8') : Buffer.concat(this.parts, this.size).toString('utf8');
    this.parts = [];
    this.size = 0;
    this.onLine(line);
  }
}

function firstBytes(bufs: Buffer[], n: number): Buffer {
  const out: Buffer[] = [];
  let have = 0;
  for (const b of bufs) {
    if (have >= n) break;
    const part = b.subarray(0, n - have);
    out.push(part);
    have += part.length;
  }
  return Buffer.concat(out, have);
}

function tailOf(prev: Buffer, piece: Buffer): Buffer {
  if (piece.length >= TAIL_BYTES) return piece.subarray(piece.length - TAIL_BYTES);
  return Buffer.concat([prev.subarray(prev.length - (TAIL_BYTES - piece.length)), piece]);
}

/**
 * What an oversized line was, as far as its head and tail show: the top-level id and method. Servers write the
 * id first (`{"jsonrpc":"2.0","id":7,…`) or last (`{"result":…,"id":7}`); a method among the keys before the
 * cut means the line was a request or notification of the server's own.
 */
export function sniffLine(line: Pick<OversizedLine, 'head' | 'tail'>): { id?: RequestId; method?: string } {
  const out: { id?: RequestId; method?: string } = {};
  scanTopLevel(line.head, (key, value) => {
    if (key === 'id' && (typeof value === 'string' || typeof value === 'number')) out.id = value;
    if (key === 'method' && typeof value === 'string') out.method = value;
  });
  if (out.id === undefined) {
    // Only an id that closes the outermost object counts: `…,"id":7}` or `…,"id":7,"jsonrpc":"2.0"}`; a nested
    // object ending the same way is followed by more braces, and one inside a string has escaped quotes.
    const m = /[,{]\s*"id"\s*:\s*(-?\d+(?:\.\d+)?|"(?:[^"\\]|\\.)*")\s*(?:,\s*"jsonrpc"\s*:\s*"2\.0"\s*)?}\s*$/.exec(line.tail);
    if (m) out.id = JSON.parse(m[1]!) as RequestId;
  }
  return out;
}

/** Reads the top-level keys of a (possibly truncated) JSON object, reporting scalar values, until the text runs out. */
function scanTopLevel(text: string, onPair: (key: string, value: unknown) => void): void {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const str = (): string | undefined => {
    const start = i;
    i++;
    while (i < text.length) {
      if (text[i] === '\\') i += 2;
      else if (text[i] === '"') {
        i++;
        try {
          return JSON.parse(text.slice(start, i)) as string;
        } catch {
          return undefined;
        }
      } else i++;
    }
    return undefined;
  };
  /** Skips any value; returns it when it is a complete scalar. */
  const value = (): { v?: unknown; ok: boolean } => {
    ws();
    const c = text[i];
    if (c === '"') {
      const s = str();
      return { v: s, ok: s !== undefined };
    }
    if (c === '{' || c === '[') {
      let depth = 0;
      while (i < text.length) {
        const ch = text[i]!;
        if (ch === '"') {
          if (str() === undefined && i >= text.length) return { ok: false };
          continue;
        }
        if (ch === '{' || ch === '[') depth++;
        else if (ch === '}' || ch === ']') depth--;
        i++;
        if (depth === 0) return { ok: true };
      }
      return { ok: false };
    }
    const m = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 64));
    if (!m || i + m[0].length >= text.length) return { ok: false };
    i += m[0].length;
    return { v: JSON.parse(m[0]), ok: true };
  };
  ws();
  if (text[i] !== '{') return;
  i++;
  for (;;) {
    ws();
    if (text[i] !== '"') return;
    const key = str();
    if (key === undefined) return;
    ws();
    if (text[i] !== ':') return;
    i++;
    const { v, ok } = value();
    if (!ok) return;
    onPair(key, v);
    ws();
    if (text[i] !== ',') return;
    i++;
  }
}
