import type { MessageExtraInfo, Transport } from './transport.js';
import { ErrorCode, errorResponse, isRequest, type Message } from './jsonrpc.js';
import { silentLogger, type Logger } from './log.js';

export interface PipeOptions {
  logger?: Logger;
  /** Close the other side when one side closes (default true). */
  closeTogether?: boolean;
}

export interface Pipe {
  close(): Promise<void>;
  readonly closed: Promise<void>;
}

/**
 * Forwards raw JSON-RPC both ways between two transports, unchanged, each message with its MessageExtraInfo
 * (the caller's identity rides along to the server side). What changes a message is a layer on either
 * transport, never the pipe. A request that cannot be delivered is answered with a JSON-RPC error so the
 * sender never hangs.
 */
export function pipe(down: Transport, up: Transport, options: PipeOptions = {}): Pipe {
  const log = options.logger ?? silentLogger;
  const closeTogether = options.closeTogether ?? true;
  let closing = false;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));

  const wire = (from: Transport, to: Transport, direction: 'up' | 'down') => {
    from.onmessage = (raw, extra?: MessageExtraInfo) => {
      const message = raw as Message;
      to.send(message, extra ? { extra } : undefined).catch((err: unknown) => {
        log.debug({ err: (err as Error)?.message, direction }, 'send failed');
        if (isRequest(message) && !closing) {
          const reason = (err as Error)?.message ?? String(err);
          from.send(errorResponse(message.id, ErrorCode.InternalError, reason)).catch(() => {});
        }
      });
    };
    from.onerror = (err) => log.debug({ err: err.message, direction }, 'transport error');
    from.onclose = () => {
      if (closeTogether) void shutdown();
      else resolveClosed();
    };
  };

  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await Promise.allSettled([down.close(), up.close()]);
    resolveClosed();
  };

  wire(down, up, 'up');
  wire(up, down, 'down');
  return { close: shutdown, closed };
}
