export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * An incremental text/event-stream parser (the WHATWG event-stream rules: LF, CRLF or CR line ends, `data` lines
 * joined with LF, comments, `id`, `retry`). Chunks may split lines anywhere; events are dispatched at their blank
 * line. Used on the hot path instead of the web-streams parser: no stream objects, no per-event allocation beyond
 * the event itself.
 */
export class SseParser {
  /** The last `id` field seen (the resumption token for Last-Event-ID). */
  lastEventId?: string;
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private sawId = false;
  /** The previous chunk ended in CR: an LF starting this one belongs to it. */
  private afterCr = false;

  constructor(
    private readonly onEvent: (event: SseEvent) => void,
    private readonly onRetry?: (ms: number) => void,
  ) {}

  push(chunk: string): void {
    let text = chunk;
    if (this.afterCr && text.charCodeAt(0) === 10) text = text.slice(1);
    this.afterCr = false;
    text = this.buffer ? this.buffer + text : text;
    let start = 0;
    const n = text.length;
    while (start < n) {
      let end = start;
      let c = 0;
      while (end < n && (c = text.charCodeAt(end)) !== 10 && c !== 13) end++;
      if (end === n) break;
      this.line(text.slice(start, end));
      if (c === 13) {
        if (end + 1 === n) this.afterCr = true;
        else if (text.charCodeAt(end + 1) === 10) end++;
      }
      start = end + 1;
    }
    this.buffer = start < n ? text.slice(start) : '';
  }

  private line(line: string): void {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.charCodeAt(0) === 58) return; // ":" comment (keep-alive)
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        break;
      case 'event':
        this.event = value;
        break;
      case 'id':
        if (!value.includes('\0')) {
          this.lastEventId = value;
          this.sawId = true;
        }
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.onRetry?.(Number(value));
        break;
    }
  }

  private dispatch(): void {
    const hadId = this.sawId;
    this.sawId = false;
    if (!this.data.length) {
      this.event = '';
      // An event with an id and no data (a "priming" event) still moves the resumption point.
      if (hadId) this.onEvent({ event: '', data: '', id: this.lastEventId });
      return;
    }
    const data = this.data.length === 1 ? this.data[0]! : this.data.join('\n');
    const event = this.event || 'message';
    this.data = [];
    this.event = '';
    this.onEvent({ event, data, id: hadId ? this.lastEventId : undefined });
  }
}
