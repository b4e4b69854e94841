import type { Transport } from './transport.js';

/**
 * A layer wraps the transport toward the server and is itself a transport: it sees every message that crosses,
 * both ways, with its MessageExtraInfo (who is calling), and may rewrite, answer or hold it. Era translation,
 * timeouts and the gateway's policies are layers; a new policy is one more layer, touching nothing else.
 */
export type Layer = (next: Transport) => Transport;

/** compose(a, b, c)(t) = a(b(c(t))): the first layer is the one the client side talks to. */
export function compose(...layers: Layer[]): Layer {
  return (next) => layers.reduceRight<Transport>((inner, layer) => layer(inner), next);
}

/**
 * The boilerplate of a layer: forwards everything unchanged; subclasses override `toServer` / `toClient`.
 * `next`'s callbacks are claimed here once, so a subclass never races the pipe for them.
 */
export class LayerTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onerror?: Transport['onerror'];
  onclose?: Transport['onclose'];

  constructor(protected readonly next: Transport) {
    next.onmessage = (m, extra) => this.toClient(m, extra);
    next.onerror = (e) => this.onerror?.(e);
    next.onclose = () => this.onclose?.();
  }

  get sessionId(): string | undefined {
    return this.next.sessionId;
  }

  start(): Promise<void> {
    return this.next.start();
  }

  send(...args: Parameters<Transport['send']>): Promise<void> {
    return this.toServer(...args);
  }

  close(): Promise<void> {
    return this.next.close();
  }

  /** A message from the client side on its way to the server. */
  protected toServer(...args: Parameters<Transport['send']>): Promise<void> {
    return this.next.send(...args);
  }

  /** A message from the server on its way to the client side. */
  protected toClient(...args: Parameters<NonNullable<Transport['onmessage']>>): void {
    this.onmessage?.(...args);
  }

  /** Liveness and load pass through layers, so a wrapped upstream reports the same as a bare one. */
  get alive(): boolean {
    return (this.next as { alive?: boolean }).alive ?? true;
  }

  get inflight(): number {
    return (this.next as { inflight?: number }).inflight ?? 0;
  }
}
