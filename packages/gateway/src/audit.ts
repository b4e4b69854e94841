import { promises as fsp } from 'node:fs';
import { dirname } from 'node:path';
import { canonicalHash } from './canonical-json.js';

export type AuditOutcome = 'ok' | 'error' | 'denied' | 'rate-limited';

/** What the router knows about a finished (or refused) tool call. */
export interface AuditCallInput {
  callerId: string;
  sessionId?: string;
  server: string;
  /** The exposed name the client called. */
  tool: string;
  /** Hashed here, never written: arguments may hold secrets and personal data. */
  arguments: unknown;
  durationMs: number;
  outcome: AuditOutcome;
  /** A SwitchboardError or JSON-RPC error code, for outcome error. */
  errorCode?: string | number;
  bytesIn: number;
  bytesOut: number;
  /** The W3C trace context of the call, when the caller sent one (traceparent header or `_meta`). */
  trace?: { traceId: string; parentId: string; spanId: string };
}

export interface AuditPinInput {
  server: string;
  tool: string;
  change: 'changed' | 'new' | 'removed';
  pinnedHash?: string;
  currentHash?: string;
  diff?: string;
}

/** sha-256 of the canonical JSON of a call's arguments: equal arguments, equal hash, whatever their key order. */
export function argumentsHash(args: unknown): string | null {
  try {
    return canonicalHash(args ?? {});
  } catch {
    // Circular or BigInt-bearing values cannot be serialised; the line is still worth writing.
    return null;
  }
}

/** The file operations the log needs; injectable so a failing disk can be simulated. */
export interface AuditFs {
  appendFile(path: string, data: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string): Promise<void>;
  size(path: string): Promise<number>;
  mkdir(dir: string): Promise<void>;
}

const nodeFs: AuditFs = {
  appendFile: (p, d) => fsp.appendFile(p, d, { mode: 0o600 }),
  rename: (a, b) => fsp.rename(a, b),
  rm: (p) => fsp.rm(p, { force: true }),
  size: async (p) => {
    try {
      return (await fsp.stat(p)).size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw e;
    }
  },
  mkdir: async (d) => void (await fsp.mkdir(d, { recursive: true })),
};

export interface AuditLogOptions {
  path: string;
  /** Rotate before a write would take the file past this size. */
  maxBytes: number;
  /** Rotated files kept (`audit.jsonl.1` … `.keep`); 0 keeps none. */
  keep: number;
  fs?: AuditFs;
  now?: () => Date;
  /** Where the log's own trouble goes (once per outage, not once per line). */
  log?: (message: string) => void;
  /** Lines waiting for the disk, at most; beyond that they are dropped and counted. */
  maxPending?: number;
}

/**
 * A JSONL audit log, one line per tool call, rotated by size. Writing is fire-and-forget: nothing here ever
 * throws into a call or makes it wait. A failing disk is reported once, the lost lines are counted, and writing
 * resumes by itself when the disk does.
 */
export class AuditLog {
  private readonly fs: AuditFs;
  private readonly now: () => Date;
  private readonly log: (message: string) => void;
  private readonly maxPending: number;
  private pending: string[] = [];
  private draining: Promise<void> | undefined;
  private size: number | undefined;
  private failing = false;
  private droppedLines = 0;
  private closed = false;

  constructor(private readonly options: AuditLogOptions) {
    this.fs = options.fs ?? nodeFs;
    this.now = options.now ?? (() => new Date());
    this.log = options.log ?? ((m) => process.stderr.write(`${m}\n`));
    this.maxPending = options.maxPending ?? 10_000;
  }

  /** Lines lost so far (disk errors, a full queue, writes after close). */
  get dropped(): number {
    return this.droppedLines;
  }

  call(input: AuditCallInput): void {
    this.enqueue(() => ({
      time: this.now().toISOString(),
      event: 'call',
      caller: input.callerId,
      session: input.sessionId ?? null,
      server: input.server,
      tool: input.tool,
      argsSha256: argumentsHash(input.arguments),
      durationMs: Math.round(input.durationMs),
      outcome: input.outcome,
      ...(input.errorCode !== undefined ? { error: input.errorCode } : {}),
      bytesIn: input.bytesIn,
      bytesOut: input.bytesOut,
      // spanId is the gateway's hop (the backend's parent); parentSpanId the caller's span.
      ...(input.trace ? { traceId: input.trace.traceId, spanId: input.trace.spanId, parentSpanId: input.trace.parentId } : {}),
    }));
  }

  /** A tool definition that differs from its pin: recorded with its diff so the change can be reviewed later. */
  pinDrift(input: AuditPinInput): void {
    this.enqueue(() => ({ time: this.now().toISOString(), event: 'pin-drift', ...input }));
  }

  /** Resolves once every line queued so far has been written (or dropped). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Flushes, then refuses (and counts) further lines. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private enqueue(build: () => object): void {
    try {
      if (this.closed || this.pending.length >= this.maxPending) {
        this.droppedLines++;
        return;
      }
      this.pending.push(JSON.stringify(build()) + '\n');
      this.draining ??= this.drain();
    } catch {
      this.droppedLines++;
    }
  }

  private async drain(): Promise<void> {
    try {
      // Bounded: each turn takes everything queued; a turn only repeats if lines arrived meanwhile.
      while (this.pending.length) {
        const batch = this.pending;
        this.pending = [];
        await this.writeBatch(batch);
      }
    } finally {
      this.draining = undefined;
    }
  }

  private async writeBatch(lines: string[]): Promise<void> {
    let written = 0;
    try {
      if (this.size === undefined) {
        await this.fs.mkdir(dirname(this.options.path));
        this.size = await this.fs.size(this.options.path);
      }
      let chunk = '';
      let chunkBytes = 0;
      let chunkLines = 0;
      for (const line of lines) {
        const bytes = Buffer.byteLength(line);
        if (this.size + chunkBytes + bytes > this.options.maxBytes && this.size + chunkBytes > 0) {
          if (chunk) await this.append(chunk, chunkBytes);
          written += chunkLines;
          chunk = '';
          chunkBytes = 0;
          chunkLines = 0;
          await this.rotate();
        }
        chunk += line;
        chunkBytes += bytes;
        chunkLines++;
      }
      if (chunk) await this.append(chunk, chunkBytes);
      written += chunkLines;
      if (this.failing) {
        this.failing = false;
        this.log(`audit log ${this.options.path} is writable again (${this.droppedLines} lines dropped in total)`);
      }
    } catch (e) {
      this.droppedLines += lines.length - written;
      this.size = undefined;
      if (!this.failing) {
        this.failing = true;
        this.log(`audit log ${this.options.path} cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); dropping lines until it can`);
      }
    }
  }

  private async append(chunk: string, bytes: number): Promise<void> {
    await this.fs.appendFile(this.options.path, chunk);
    this.size = (this.size ?? 0) + bytes;
  }

  private async rotate(): Promise<void> {
    const { path, keep } = this.options;
    if (keep === 0) {
      await this.fs.rm(path);
    } else {
      for (let i = keep - 1; i >= 1; i--) await this.renameIfPresent(`${path}.${i}`, `${path}.${i + 1}`);
      await this.fs.rename(path, `${path}.1`);
    }
    this.size = 0;
  }

  private async renameIfPresent(from: string, to: string): Promise<void> {
    try {
      await this.fs.rename(from, to);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}
