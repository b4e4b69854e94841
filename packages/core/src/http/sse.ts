import type { ServerResponse } from 'node:http';

export const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  // nginx buffers proxied responses unless told not to; an unflushed stream looks like a hang.
  'x-accel-buffering': 'no',
};

/** One open text/event-stream response, with comment keep-alives so idle proxies do not cut it. */
export class SseWriter {
  private timer?: NodeJS.Timeout;
  closed = false;
  onclose?: () => void;

  constructor(
    readonly res: ServerResponse,
    keepaliveMs: number,
    extraHeaders: Record<string, string> = {},
  ) {
    res.writeHead(200, { ...SSE_HEADERS, ...extraHeaders });
    res.flushHeaders();
    if (keepaliveMs > 0) {
      this.timer = setInterval(() => this.comment('keep-alive'), keepaliveMs);
      this.timer.unref();
    }
    res.on('close', () => {
      this.stopTimer();
      if (!this.closed) {
        this.closed = true;
        this.onclose?.();
      }
    });
  }

  event(data: string, id?: string, event = 'message'): boolean {
    if (this.closed) return false;
    let frame = event === 'message' ? '' : `event: ${event}\n`;
    if (id !== undefined) frame += `id: ${id}\n`;
    // JSON never contains raw newlines, but other payloads might: each line gets its own data field.
    frame += data.includes('\n') ? data.split('\n').map((l) => `data: ${l}`).join('\n') : `data: ${data}`;
    this.res.write(frame + '\n\n');
    return true;
  }

  comment(text: string): void {
    if (!this.closed) this.res.write(`: ${text}\n\n`);
  }

  end(): void {
    this.stopTimer();
    if (!this.closed) {
      this.closed = true;
      this.res.end();
    }
  }

  private stopTimer() {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
