/**
 * Per-session replay buffer for Last-Event-ID resumption, bounded by event count and bytes.
 * Event ids are `<streamId>.<seq>` so a resume only ever replays the stream it names.
 */
export interface StoredEvent {
  id: string;
  streamId: string;
  data: string;
}

export class EventLog {
  private events: StoredEvent[] = [];
  private bytes = 0;
  private seq = 0;

  constructor(
    private readonly maxEvents: number,
    private readonly maxBytes: number,
  ) {}

  /** An id in the same sequence for an event that needs no replay. */
  nextId(streamId: string): string {
    return `${streamId}.${++this.seq}`;
  }

  append(streamId: string, data: string): string {
    const id = this.nextId(streamId);
    if (this.maxEvents <= 0) return id;
    this.events.push({ id, streamId, data });
    this.bytes += data.length;
    while (this.events.length > this.maxEvents || (this.bytes > this.maxBytes && this.events.length > 1)) {
      this.bytes -= this.events.shift()!.data.length;
    }
    return id;
  }

  /** Events of the same stream after `lastEventId`; undefined when the id is unknown or already evicted. */
  after(lastEventId: string): { streamId: string; events: StoredEvent[] } | undefined {
    const dot = lastEventId.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const streamId = lastEventId.slice(0, dot);
    const idx = this.events.findIndex((e) => e.id === lastEventId);
    const seq = Number(lastEventId.slice(dot + 1));
    if (idx < 0) {
      // The anchor may have been evicted while later events of the stream remain: replay what is left.
      const rest = this.events.filter((e) => e.streamId === streamId && Number(e.id.slice(e.id.lastIndexOf('.') + 1)) > seq);
      return rest.length || this.knows(streamId) ? { streamId, events: rest } : undefined;
    }
    return { streamId, events: this.events.slice(idx + 1).filter((e) => e.streamId === streamId) };
  }

  /** Drops a finished stream's events: its client read them to the end. */
  forget(streamId: string): void {
    if (!this.events.length) return;
    const kept = this.events.filter((e) => e.streamId !== streamId);
    if (kept.length === this.events.length) return;
    this.events = kept;
    this.bytes = kept.reduce((n, e) => n + e.data.length, 0);
  }

  private knows(streamId: string): boolean {
    return this.events.some((e) => e.streamId === streamId);
  }

  get size(): { events: number; bytes: number } {
    return { events: this.events.length, bytes: this.bytes };
  }
}
