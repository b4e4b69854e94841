import type { MessageExtraInfo, SendOptions, Transport } from '../transport.js';
import { isRequest, type Message } from '../jsonrpc.js';
import { SwitchboardError, TransportClosedError } from '../errors.js';
import type { UpstreamTransport } from '../upstream/upstream.js';

/**
 * A connection to the server that is opened by the client's `initialize`, not before: a legacy SSE client opens
 * its session with a bare GET, and a child per GET would let anyone who can reach the port start processes.
 * Until then start() does nothing; a message other than `initialize` is refused (the pipe answers a request).
 */
export class LazyConnection implements UpstreamTransport {
  onmessage?: (message: Message, extra?: MessageExtraInfo) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  private inner?: UpstreamTransport;
  private opening?: Promise<UpstreamTransport>;
  private closed = false;
  private finished = false;

  /** `open` returns an unstarted connection (or throws, e.g. when no child may be started now). */
  constructor(private readonly open: () => UpstreamTransport) {}

  get opened(): boolean {
    return !!this.inner;
  }

  get alive(): boolean {
    return !this.closed && (this.inner?.alive ?? true);
  }

  get inflight(): number {
    return this.inner?.inflight ?? 0;
  }

  async start(): Promise<void> {}

  async send(message: Parameters<Transport['send']>[0], options?: SendOptions): Promise<void> {
    if (this.closed) throw new TransportClosedError('server connection');
    const m = message as Message;
    if (!this.inner && !this.opening) {
      if (!(isRequest(m) && m.method === 'initialize')) {
        throw new SwitchboardError('SB_NOT_INITIALIZED', 'the session is not initialized: send initialize first');
      }
      this.opening = this.connect().finally(() => (this.opening = undefined));
    }
    const inner = this.inner ?? (await this.opening);
    if (!inner) throw new TransportClosedError('server connection');
    return inner.send(m, options);
  }

  private async connect(): Promise<UpstreamTransport> {
    const inner = this.open();
    inner.onmessage = (m, extra) => this.onmessage?.(m as Message, extra);
    inner.onerror = (e) => this.onerror?.(e);
    inner.onclose = () => this.finish();
    await inner.start();
    if (this.closed) {
      await inner.close();
      throw new TransportClosedError('server connection');
    }
    this.inner = inner;
    return inner;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const inner = this.inner ?? (await this.opening?.catch(() => undefined));
    this.closed = true;
    await inner?.close();
    this.finish();
  }

  private finish() {
    this.closed = true;
    if (this.finished) return;
    this.finished = true;
    this.onclose?.();
  }
}
