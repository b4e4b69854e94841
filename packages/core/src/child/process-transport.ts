import { spawn, type ChildProcess } from 'node:child_process';
import type { Transport } from '../transport.js';
import type { Message } from '../jsonrpc.js';
import { ErrorCode, errorResponse, isJsonRpcMessage, serialize, withRaw, type RequestId } from '../jsonrpc.js';
import { ChildLineTooLongError, ChildSpawnError, TransportClosedError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { describeChild, type ChildSpec } from './spawn-spec.js';
import { childEnvironment } from './environment.js';
import { guardGroup, releaseGroup } from './watchdog.js';
import { DEFAULT_MAX_LINE_BYTES, LineReader, sniffLine } from './line-reader.js';

const STDERR_LINE_BYTES = 64 * 1024;

/**
 * Every live child's process group, so that even an abrupt exit of ours takes them down with us: an exit we see
 * (the hook below), or one we do not (SIGKILL: the watchdog).
 */
const liveGroups = new Set<number>();
let exitHookInstalled = false;
function trackGroup(pid: number, log: Logger) {
  liveGroups.add(pid);
  guardGroup(pid, log);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const g of liveGroups) killGroup(g, 'SIGKILL');
    });
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

export interface ChildTransportOptions {
  /** Longest stdout line (one message) kept; a longer one is dropped as it streams by. Default 33 MiB. */
  maxLineBytes?: number;
}

/** A message dropped for its size, and what could be seen of it. */
export interface DroppedMessage {
  error: ChildLineTooLongError;
  id?: RequestId;
  method?: string;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A stdio MCP server as a transport: newline-delimited JSON on its stdin/stdout.
 * It runs in its own process group so closing kills its whole tree; lines that are not JSON-RPC are
 * logged, never forwarded; a line over maxLineBytes is dropped without being buffered (see ondropped).
 */
export class ChildProcessTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onerror?: (error: Error) => void;
  onclose?: () => void;
  /** Called once when the process exits, before onclose. */
  onexit?: (info: ExitInfo) => void;
  /**
   * A response too large to keep was dropped; its id, when it could be seen. Without a handler the transport
   * answers that id with a JSON-RPC error itself. (A request of the child's own is always refused to the child.)
   */
  ondropped?: (dropped: DroppedMessage) => void;

  private child?: ChildProcess;
  private closed = false;
  private exited = false;
  private corked = false;
  private exitPromise?: Promise<void>;
  private readonly name: string;

  private readonly maxLineBytes: number;

  constructor(
    private readonly spec: ChildSpec,
    private readonly log: Logger = silentLogger,
    options: ChildTransportOptions = {},
  ) {
    this.name = describeChild(spec);
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    if (this.child) throw new Error('ChildProcessTransport already started');
    const { command, args = [], cwd, shell } = this.spec;
    const child = spawn(command, args, {
      cwd,
      env: childEnvironment(process.env, this.spec),
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      shell: shell ?? false,
      windowsHide: true,
    });
    this.child = child;
    this.exitPromise = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = true;
        if (child.pid) {
          liveGroups.delete(child.pid);
          // The leader is gone; take any grandchildren it left in its group with it.
          killGroup(child.pid, 'SIGKILL');
          releaseGroup(child.pid);
        }
        this.log.debug({ server: this.name, pid: child.pid, code, signal }, 'child exited');
        this.onexit?.({ code, signal });
        resolve();
        this.finish();
      });
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (err) => {
        if (!child.pid) {
          this.exited = true;
          reject(new ChildSpawnError(this.name, err));
          this.finish();
        } else this.onerror?.(err);
      });
    });
    if (child.pid) trackGroup(child.pid, this.log);
    this.readLines(child);
    // stderr is only logged: a long line is cut to its start rather than held whole.
    const errLines = new LineReader(
      STDERR_LINE_BYTES,
      (raw) => {
        const line = raw.trimEnd();
        if (line) this.log.info({ server: this.name, stream: 'stderr' }, line);
      },
      (over) => this.log.info({ server: this.name, stream: 'stderr', bytes: over.bytes, truncated: true }, over.head),
    );
    child.stderr!.on('data', (chunk: Buffer) => errLines.push(chunk));
    const stdin = child.stdin!;
    stdin.on('drain', () => this.settleDrainWaiters());
    stdin.once('close', () => this.settleDrainWaiters(new TransportClosedError(`MCP server "${this.name}"`)));
    stdin.on('error', (err) => {
      this.log.debug({ server: this.name, err: err.message }, 'child stdin error');
      this.settleDrainWaiters(err);
    });
  }

  private readLines(child: ChildProcess) {
    const reader = new LineReader(
      this.maxLineBytes,
      (line) => this.handleLine(line),
      (over) => {
        const { id, method } = sniffLine(over);
        const error = new ChildLineTooLongError(this.name, over.bytes, this.maxLineBytes);
        this.log.error(
          { server: this.name, bytes: over.bytes, limit: this.maxLineBytes, id, method, start: over.head.slice(0, 200) },
          error.message,
        );
        if (method !== undefined) {
          // The server's own request (e.g. sampling) never reaches the client: tell the server, so it does not wait.
          if (id !== undefined) void this.send(errorResponse(id, ErrorCode.InternalError, error.message)).catch(() => {});
          return;
        }
        if (this.ondropped) this.ondropped({ error, id, method });
        else if (id !== undefined) this.onmessage?.(errorResponse(id, ErrorCode.InternalError, error.message, { reason: 'line-too-long', bytes: over.bytes, limit: this.maxLineBytes }));
      },
    );
    child.stdout!.on('data', (chunk: Buffer) => reader.push(chunk));
  }

  private handleLine(raw: string) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!line.trim()) return;
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      this.log.warn({ server: this.name, line: line.slice(0, 500) }, 'child wrote a non-JSON line to stdout; ignored');
      return;
    }
    if (!isJsonRpcMessage(msg)) {
      this.log.warn({ server: this.name, line: line.slice(0, 500) }, 'child wrote JSON that is not JSON-RPC; ignored');
      return;
    }
    this.onmessage?.(withRaw(msg as Message, line));
  }

  send(message: Message | Parameters<Transport['send']>[0]): Promise<void> {
    const stdin = this.child?.stdin;
    if (this.closed || this.exited || !stdin || stdin.destroyed) {
      return Promise.reject(new TransportClosedError(`MCP server "${this.name}"`));
    }
    // Messages sent in the same turn of the event loop leave in one write: under load, the requests of many
    // HTTP connections reach the child in one pipe write and one wake-up instead of one each.
    if (!this.corked) {
      this.corked = true;
      stdin.cork();
      setImmediate(() => {
        this.corked = false;
        stdin.uncork();
      });
    }
    const ok = stdin.write(serialize(message as object) + '\n');
    if (ok) return Promise.resolve();
    // Backpressure: the caller waits until the child has read what we gave it — or until the pipe breaks, which
    // must fail the send rather than leave it waiting for a drain that never comes. All waiters share one queue
    // (listeners installed once in start()): a listener per waiting send tripped Node's leak warning under load.
    return new Promise((resolve, reject) => void this.drainWaiters.push({ resolve, reject }));
  }

  private drainWaiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];

  private settleDrainWaiters(err?: Error): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) {
      if (err) w.reject(err);
      else w.resolve();
    }
  }

  /** Polite stop: close stdin, then SIGTERM the group, then SIGKILL after the grace period. */
  async close(graceMs = 2000): Promise<void> {
    if (this.closed) return this.exitPromise;
    this.closed = true;
    const child = this.child;
    if (!child || this.exited) {
      this.finish();
      return;
    }
    child.stdin?.end();
    const pid = child.pid!;
    const waitExit = (ms: number) =>
      Promise.race([this.exitPromise!.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
    if (await waitExit(Math.min(200, graceMs))) return;
    killGroup(pid, 'SIGTERM');
    if (await waitExit(graceMs)) return;
    killGroup(pid, 'SIGKILL');
    await waitExit(2000);
  }

  /** Immediate stop of the whole group. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.child?.pid && !this.exited) killGroup(this.child.pid, signal);
  }

  private finishedOnce = false;
  private finish() {
    if (this.finishedOnce) return;
    this.finishedOnce = true;
    this.closed = true;
    this.onclose?.();
  }
}
