import type { Transport } from '../transport.js';
import { ErrorCode, errorResponse, isRequest, isResponse, type Message, type RequestId } from '../jsonrpc.js';
import { ChildExitedError, CrashLoopError, TransportClosedError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { ChildProcessTransport, type ExitInfo } from './process-transport.js';
import { describeChild, type ChildSpec } from './spawn-spec.js';

export interface SupervisorOptions {
  logger?: Logger;
  /** Restart after a crash (default true). */
  restart?: boolean;
  /** First restart delay; doubles per consecutive crash up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** More than this many crashes inside crashWindowMs stops restarting. */
  maxCrashes?: number;
  crashWindowMs?: number;
  /** Grace period for a polite stop before SIGKILL. */
  stopGraceMs?: number;
  /** Longest message (stdout line) accepted from the child; longer ones are dropped and their call fails. */
  maxLineBytes?: number;
  /** Observers for metrics. */
  onSpawn?: () => void;
  onCrash?: (info: ExitInfo) => void;
  /** A running child was stopped on purpose (close()). */
  onStop?: () => void;
}

/**
 * A stdio server that stays up: a transport over a child process that is restarted after a crash.
 * In-flight requests fail at once with a JSON-RPC error naming the crash; the captured `initialize` is
 * replayed to the new process so the client's session carries on.
 */
export class SupervisedChild implements Transport {
  onmessage?: Transport['onmessage'];
  onerror?: (error: Error) => void;
  onclose?: () => void;

  readonly name: string;
  private current?: ChildProcessTransport;
  private ready?: Promise<void>;
  private readonly waiting = new Set<RequestId>();
  private initRequest?: Message;
  private initializedNotification?: Message;
  private crashes: number[] = [];
  private consecutive = 0;
  private stopped = false;
  private readonly log: Logger;

  constructor(
    private readonly spec: ChildSpec,
    private readonly options: SupervisorOptions = {},
  ) {
    this.name = describeChild(spec);
    this.log = options.logger ?? silentLogger;
  }

  get alive(): boolean {
    return !!this.current && !this.stopped;
  }

  get pid(): number | undefined {
    return this.current?.pid;
  }

  /** Requests sent to the child and not yet answered. */
  get inflight(): number {
    return this.waiting.size;
  }

  async start(): Promise<void> {
    this.ready = this.spawn();
    await this.ready;
    this.ready = undefined;
  }

  private async spawn(): Promise<void> {
    const child = new ChildProcessTransport(this.spec, this.log, { maxLineBytes: this.options.maxLineBytes });
    child.onmessage = (m) => this.fromChild(m as Message);
    child.ondropped = ({ error, id }) => {
      // Only an id we sent and still wait on gets the error: answering any other would forge a response.
      if (id === undefined || !this.waiting.has(id)) return;
      this.waiting.delete(id);
      this.onmessage?.(errorResponse(id, ErrorCode.InternalError, error.message, { reason: 'line-too-long', bytes: error.bytes, limit: error.limit }));
    };
    child.onerror = (e) => this.onerror?.(e);
    child.onexit = (info) => this.exited(child, info);
    await child.start();
    this.current = child;
    this.options.onSpawn?.();
    this.log.debug({ server: this.name, pid: child.pid }, 'child started');
  }

  private fromChild(m: Message) {
    if (isResponse(m)) this.waiting.delete(m.id);
    this.onmessage?.(m);
  }

  async send(message: Parameters<Transport['send']>[0]): Promise<void> {
    const m = message as Message;
    if (this.stopped) throw new TransportClosedError(`MCP server "${this.name}"`);
    if (isRequest(m)) {
      if (m.method === 'initialize') this.initRequest = m;
      this.waiting.add(m.id);
    } else if ('method' in m && m.method === 'notifications/initialized') {
      this.initializedNotification = m;
    } else if ('method' in m && m.method === 'notifications/cancelled') {
      // Servers need not answer a cancelled request: waiting on it would count it in flight forever.
      this.waiting.delete((m.params as { requestId?: RequestId } | undefined)?.requestId as RequestId);
    }
    // Only a start or restart in progress makes a send wait; the common case stays synchronous.
    if (this.ready) await this.ready;
    const child = this.current;
    if (!child) throw new TransportClosedError(`MCP server "${this.name}"`);
    try {
      await child.send(m);
    } catch (err) {
      if (isRequest(m)) this.waiting.delete(m.id);
      throw err;
    }
  }

  private exited(child: ChildProcessTransport, info: ExitInfo) {
    if (this.current !== child) return;
    this.current = undefined;
    const failed = [...this.waiting];
    this.waiting.clear();
    if (this.stopped) return;
    const err = new ChildExitedError(this.name, info.code, info.signal);
    this.log.warn({ server: this.name, code: info.code, signal: info.signal, inflight: failed.length }, 'MCP server exited');
    this.options.onCrash?.(info);
    for (const id of failed) {
      this.onmessage?.(errorResponse(id, ErrorCode.InternalError, err.message, { reason: 'server-exited', code: info.code, signal: info.signal }));
    }
    if (this.options.restart === false) return void this.finish();
    const now = Date.now();
    const windowMs = this.options.crashWindowMs ?? 60_000;
    this.crashes = this.crashes.filter((t) => now - t < windowMs);
    this.crashes.push(now);
    if (this.crashes.length > (this.options.maxCrashes ?? 5)) {
      const loop = new CrashLoopError(this.name, this.crashes.length, windowMs);
      this.log.error({ server: this.name }, loop.message);
      this.onerror?.(loop);
      return void this.finish();
    }
    const delay = Math.min((this.options.backoffMs ?? 100) * 2 ** this.consecutive++, this.options.maxBackoffMs ?? 5000);
    this.ready = new Promise<void>((resolve, reject) => {
      setTimeout(() => {
        if (this.stopped) return reject(new TransportClosedError(`MCP server "${this.name}"`));
        this.spawn()
          .then(() => this.replayHandshake())
          .then(() => {
            this.consecutive = 0;
            this.ready = undefined;
            resolve();
          })
          .catch((e: Error) => {
            this.log.error({ server: this.name, err: e.message }, 'restart failed');
            this.onerror?.(e);
            reject(e);
            this.finish();
          });
      }, delay).unref();
    });
    this.ready.catch(() => {});
  }

  private async replayHandshake() {
    if (!this.initRequest || !this.current) return;
    const id = `sb-reinit-${Date.now()}`;
    const answered = new Promise<void>((resolve) => {
      const prev = this.current!.onmessage;
      this.current!.onmessage = (m) => {
        if (isResponse(m) && (m as Message).id === id) {
          this.current!.onmessage = prev;
          resolve();
          return;
        }
        prev?.(m);
      };
    });
    await this.current.send({ ...this.initRequest, id } as Message);
    const ok = await Promise.race([answered.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000).unref())]);
    if (!ok) {
      this.log.warn({ server: this.name }, 'restarted MCP server did not answer the replayed initialize within 10s');
      return;
    }
    if (this.initializedNotification) await this.current?.send(this.initializedNotification);
    this.log.info({ server: this.name }, 'MCP server restarted and re-initialized');
  }

  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const child = this.current;
    this.current = undefined;
    if (child) this.options.onStop?.();
    await child?.close(this.options.stopGraceMs ?? 2000);
    this.finish();
  }

  private finished = false;
  private finish() {
    if (this.finished) return;
    this.finished = true;
    this.stopped = true;
    this.onclose?.();
  }
}
