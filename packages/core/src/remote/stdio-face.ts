import { DEFAULT_MAX_LINE_BYTES, LineReader } from '../child/line-reader.js';
import { isJsonRpcMessage, serialize, withRaw, type Message } from '../jsonrpc.js';
import type { Transport } from '../transport.js';

/**
 * The stdio face of `connect`, what Claude Desktop and other stdio hosts talk to: newline-delimited JSON-RPC on
 * stdin and stdout. It is the SDK's stdio server transport made lean for a proxy:
 * - each message keeps the text it arrived as, so a message that crosses unchanged is not serialized again, and it
 *   is not re-validated against the SDK's schemas (the remote validates what it receives);
 * - writes are batched per event-loop turn: under load many answers leave in one stdout write (one syscall, one
 *   wake-up of the host) instead of one each;
 * - it loads no server SDK, which keeps `connect`'s start lean.
 * A line that is not JSON-RPC, or longer than the line cap, is reported through onerror and skipped.
 */
export class StdioFace implements Transport {
  onmessage?: Transport['onmessage'];
  onerror?: (error: Error) => void;
  onclose?: () => void;

  private readonly reader: LineReader;
  private queued = '';
  private scheduled = false;
  private started = false;
  private closed = false;

  constructor(
    private readonly stdin: NodeJS.ReadableStream = process.stdin,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
    maxLineBytes = DEFAULT_MAX_LINE_BYTES,
  ) {
    this.reader = new LineReader(
      maxLineBytes,
      (line) => this.line(line),
      (big) => this.onerror?.(new Error(`a ${big.bytes}-byte line on stdin is over the ${maxLineBytes}-byte cap; skipped (it began: ${big.head.slice(0, 120)})`)),
    );
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('the stdio face is already started');
    this.started = true;
    this.stdin.on('data', this.onData);
    this.stdin.on('error', this.onInputError);
    this.stdin.on('end', this.onInputEnd);
    this.stdin.on('close', this.onInputEnd);
    // Stays attached after close: a host that went away (EPIPE) must not crash us with an unhandled 'error'.
    this.stdout.on('error', this.onOutputError);
    const s = this.stdin as NodeJS.ReadableStream & { readableEnded?: boolean; destroyed?: boolean };
    if (s.readableEnded || s.destroyed) setImmediate(this.onInputEnd);
  }

  private readonly onData = (chunk: Buffer | string) => this.reader.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  private readonly onInputError = (err: Error) => this.onerror?.(err);
  private readonly onInputEnd = () => void this.close();
  private readonly onOutputError = (err: Error) => {
    if (this.closed) return;
    this.onerror?.(err);
    void this.close();
  };

  private line(raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!line.trim()) return;
    let m: unknown;
    try {
      m = JSON.parse(line);
    } catch (err) {
      this.onerror?.(new Error(`stdin: not JSON (${(err as Error).message}): ${line.slice(0, 200)}`));
      return;
    }
    if (!isJsonRpcMessage(m)) {
      this.onerror?.(new Error(`stdin: JSON that is not a JSON-RPC 2.0 message: ${line.slice(0, 200)}`));
      return;
    }
    this.onmessage?.(withRaw(m, line));
  }

  send(message: Parameters<Transport['send']>[0]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('stdio is closed'));
    this.queued += `${serialize(message as Message)}\n`;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return Promise.resolve();
  }

  private flush(): void {
    this.scheduled = false;
    if (!this.queued) return;
    const text = this.queued;
    this.queued = '';
    this.stdout.write(text);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // What was sent before closing still goes out.
    this.flush();
    this.closed = true;
    this.stdin.off('data', this.onData);
    this.stdin.off('error', this.onInputError);
    this.stdin.off('end', this.onInputEnd);
    this.stdin.off('close', this.onInputEnd);
    if (this.stdin.listenerCount('data') === 0) this.stdin.pause();
    this.onclose?.();
  }
}
