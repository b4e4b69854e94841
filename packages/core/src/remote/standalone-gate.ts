/**
 * Servers route messages with no request of their own (and some SDKs route server→client requests) to the
 * session's standalone GET stream, and drop them while it is not open. Requests wait on this gate, which opens once
 * the GET stream has answered, or after a bound once `notifications/initialized` was accepted: they do not race it.
 */
export class StandaloneGate {
  private waiting?: Promise<void>;
  private open?: () => void;
  private timer?: NodeJS.Timeout;

  constructor(private readonly boundMs = 1000) {}

  /** Close the gate: set before initialized goes out, so a request arriving while its POST is under way waits too. */
  latch(): void {
    if (this.waiting) return;
    this.waiting = new Promise<void>((resolve) => {
      this.open = resolve;
    }).finally(() => {
      clearTimeout(this.timer);
      this.waiting = undefined;
      this.open = undefined;
    });
  }

  /** The GET stream is about to be opened: from now on wait for it only so long. */
  bound(): void {
    if (this.open) this.timer = setTimeout(this.open, this.boundMs);
  }

  /** The GET stream answered. */
  opened(): void {
    this.open?.();
  }

  /** Resolves when the gate is open (at once when it is not latched). */
  get passage(): Promise<void> | undefined {
    return this.waiting;
  }
}
