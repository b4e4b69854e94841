import type { ServerResponse } from 'node:http';

export const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  // nginx buffers proxied responses unless told not to; an unflushed stream looks like a hang.
  'x-accel-buffering': 'no',
};

/**
 * One ticker for every open stream's keep-alive comments: a timer per stream would cost a timer
 * allocation on every request, and most request streams live for a millisecond.
 */
class KeepaliveTicker {
  private readonly writers = new Set<SseWriter>();
  private timer?: NodeJS.Timeout;
  constructor(private readonly intervalMs: number) {}
  add(w: SseWriter) {
    this.writers.add(w);
    if (!this.timer) {
      this.timer = setInterval(() => {
        const now = Date.now();
        for (const w of this.writers) w.tick(now, this.intervalMs);
      }, this.intervalMs);
      this.timer.unref();
    }
  }
  delete(w: SseWriter) {
    this.writers.delete(w);
    if (!this.writers.size && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
const tickers = new Map<number, KeepaliveTicker>();
function tickerFor(ms: number): KeepaliveTicker {
  let t = tickers.get(ms);
  if (!t) tickers.set(ms, (t = new KeepaliveTicker(ms)));
  return t;
}

/**
 * One text/event-stream response. Headers and the first events wait for the end of the current
 * tick, so a stream that carries only its answer goes out as one write with a Content-Length;
 * anything longer streams, with `: keep-alive` comments while idle so proxies do not cut it.
 */
export class SseWriter {
  closed = false;
  onclose?: () => void;
  private started = false;
  private pending = '';
  private flushScheduled = false;
  private lastWrite = Date.now();
  private readonly ticker?: KeepaliveTicker;
  private primer?: NodeJS.Timeout;

  constructor(
    readonly res: ServerResponse,
    keepaliveMs: number,
    private readonly extraHeaders: Record<string, string> = {},
    /** Send headers at once (a standalone stream the client waits on) instead of with the first event. */
    eager = false,
  ) {
    if (keepaliveMs > 0) {
      this.ticker = tickerFor(keepaliveMs);
      this.ticker.add(this);
    }
    res.on('close', () => {
      clearTimeout(this.primer);
      this.ticker?.delete(this);
      if (!this.closed) {
        this.closed = true;
        this.onclose?.();
      }
    });
    if (eager) this.start();
  }

  /**
   * Sends the headers and `frame` (a priming event, or a comment) if nothing has started the stream within `ms`: an
   * answer that is not quick must not hold the headers back until the first keep-alive, or clients and proxies see
   * no stream at all. A quick answer cancels it and still leaves in one write.
   */
  primeAfter(ms: number, frame: () => string): void {
    if (this.started || this.closed) return;
    this.primer = setTimeout(() => {
      this.primer = undefined;
      if (this.started || this.closed) return;
      this.pending = frame() + this.pending;
      this.start();
    }, ms);
  }

  private start() {
    if (this.started) return;
    clearTimeout(this.primer);
    this.started = true;
    this.res.writeHead(200, { ...SSE_HEADERS, ...this.extraHeaders });
    if (this.pending) {
      this.res.write(this.pending);
      this.pending = '';
    } else this.res.flushHeaders();
  }

  private schedule() {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      if (!this.closed && this.pending) {
        if (!this.started) this.start();
        else {
          this.res.write(this.pending);
          this.pending = '';
        }
      }
    });
  }

  event(data: string, id?: string, event = 'message'): boolean {
    if (this.closed) return false;
    let frame = event === 'message' ? '' : `event: ${event}\n`;
    if (id !== undefined) frame += `id: ${id}\n`;
    // JSON never contains raw newlines, but other payloads might: each line gets its own data field.
    frame += data.includes('\n') ? data.split('\n').map((l) => `data: ${l}`).join('\n') : `data: ${data}`;
    frame += '\n\n';
    this.lastWrite = Date.now();
    // Frames written in the same tick leave together; a response that ends the stream joins them.
    this.pending += frame;
    this.schedule();
    return true;
  }

  /** Called by the ticker: a comment when the stream has been quiet for a whole interval. */
  tick(now: number, intervalMs: number): void {
    if (this.closed || now - this.lastWrite < intervalMs - 5) return;
    this.comment('keep-alive');
  }

  comment(text: string): void {
    if (this.closed) return;
    this.lastWrite = Date.now();
    if (!this.started) this.start();
    this.res.write(`${this.pending}: ${text}\n\n`);
    this.pending = '';
  }

  end(): void {
    clearTimeout(this.primer);
    this.ticker?.delete(this);
    if (this.closed) return;
    this.closed = true;
    if (!this.started) {
      // The whole stream is known: one write, with a length, no chunked framing.
      this.started = true;
      this.res.writeHead(200, { ...SSE_HEADERS, ...this.extraHeaders, 'content-length': Buffer.byteLength(this.pending) });
      this.res.end(this.pending);
    } else {
      this.res.end(this.pending || undefined);
    }
    this.pending = '';
  }
}
