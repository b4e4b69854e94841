import { spawn, type ChildProcess } from 'node:child_process';
import type { Transport } from '../transport.js';
import type { Message } from '../jsonrpc.js';
import { isJsonRpcMessage, serialize, withRaw } from '../jsonrpc.js';
import { ChildSpawnError, TransportClosedError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { describeChild, type ChildSpec } from './spawn-spec.js';

/** Every live child's process group, so that even an abrupt exit of ours takes them down with us. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;
function trackGroup(pid: number) {
  liveGroups.add(pid);
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

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A stdio MCP server as a transport: newline-delimited JSON on its stdin/stdout.
 * It runs in its own process group so closing kills its whole tree; lines that are not JSON-RPC are
 * logged, never forwarded; there is no line-length limit.
 */
export class ChildProcessTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onerror?: (error: Error) => void;
  onclose?: () => void;
  /** Called once when the process exits, before onclose. */
  onexit?: (info: ExitInfo) => void;

  private child?: ChildProcess;
  private closed = false;
  private exited = false;
  private corked = false;
  private exitPromise?: Promise<void>;
  private readonly name: string;

  constructor(
    private readonly spec: ChildSpec,
    private readonly log: Logger = silentLogger,
  ) {
    this.name = describeChild(spec);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    if (this.child) throw new Error('ChildProcessTransport already started');
    const { command, args = [], env, cwd, shell } = this.spec;
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, PYTHONUNBUFFERED: '1', ...env },
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
    if (child.pid) trackGroup(child.pid);
    this.readLines(child);
    child.stderr!.setEncoding('utf8');
    let errBuf = '';
    child.stderr!.on('data', (chunk: string) => {
      errBuf += chunk;
      let nl: number;
      while ((nl = errBuf.indexOf('\n')) >= 0) {
        const line = errBuf.slice(0, nl).trimEnd();
        errBuf = errBuf.slice(nl + 1);
        if (line) this.log.info({ server: this.name, stream: 'stderr' }, line);
      }
    });
    child.stdin!.on('error', (err) => this.log.debug({ server: this.name, err: err.message }, 'child stdin error'));
  }

  private readLines(child: ChildProcess) {
    // Chunks are kept as buffers until a newline arrives, so a UTF-8 sequence split across reads stays whole.
    let parts: Buffer[] = [];
    child.stdout!.on('data', (chunk: Buffer) => {
      let start = 0;
      let nl: number;
      while ((nl = chunk.indexOf(10, start)) >= 0) {
        const piece = chunk.subarray(start, nl);
        const line = parts.length ? Buffer.concat([...parts, piece]).toString('utf8') : piece.toString('utf8');
        parts = [];
        start = nl + 1;
        this.handleLine(line);
      }
      if (start < chunk.length) parts.push(chunk.subarray(start));
    });
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
    // Backpressure: the caller waits until the child has read what we gave it — or until the pipe
    // breaks, which must fail the send rather than leave it waiting for a drain that never comes.
    return new Promise((resolve, reject) => {
      const settle = (err?: Error) => {
        stdin.off('drain', onDrain);
        stdin.off('close', onClose);
        stdin.off('error', settle);
        if (err) reject(err);
        else resolve();
      };
      const onDrain = () => settle();
      const onClose = () => settle(new TransportClosedError(`MCP server "${this.name}"`));
      stdin.once('drain', onDrain);
      stdin.once('close', onClose);
      stdin.once('error', settle);
    });
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
