import type { Transport } from '../transport.js';
import type { Message } from '../jsonrpc.js';
import { silentLogger, type Logger } from '../log.js';
import type { RemoteTransport } from './remote-transport.js';

/** Placeholder: passes everything through (2026-07-28 translation comes next). */
export class ModernTranslator implements Transport {
  onmessage?: (m: Message) => void;
  onerror?: (e: Error) => void;
  onclose?: () => void;
  private readonly log: Logger;
  constructor(private readonly remote: RemoteTransport, options: { logger?: Logger } = {}) {
    this.log = options.logger ?? silentLogger;
    remote.onmessage = (m) => this.onmessage?.(m);
    remote.onerror = (e) => this.onerror?.(e);
    remote.onclose = () => this.onclose?.();
  }
  start() {
    return this.remote.start();
  }
  send(m: Message) {
    return this.remote.send(m);
  }
  close() {
    return this.remote.close();
  }
}
