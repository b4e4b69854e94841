import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { serialize, type Message } from '../jsonrpc.js';

/**
 * The stdio face of `connect`: the SDK's stdio transport for reading, with writes batched per event-loop turn.
 * Under load many answers arrive in one turn; they leave in one stdout write (one syscall, one wake-up of the host)
 * instead of one each, and a message that crossed unchanged is written as the text it arrived as.
 */
export class BatchedStdioFace extends StdioServerTransport {
  private readonly out: NodeJS.WritableStream;
  private queued = '';
  private scheduled = false;
  private shut = false;

  constructor(stdin?: NodeJS.ReadableStream, stdout?: NodeJS.WritableStream) {
    super(stdin as never, stdout as never);
    this.out = stdout ?? process.stdout;
  }

  override send(message: Parameters<StdioServerTransport['send']>[0]): Promise<void> {
    if (this.shut) return Promise.reject(new Error('stdio is closed'));
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
    // Errors reach the SDK transport's own stdout 'error' listener (onerror, then close), as its send would.
    this.out.write(text);
  }

  override async close(): Promise<void> {
    // What was sent before closing still goes out.
    this.flush();
    this.shut = true;
    await super.close();
  }
}
