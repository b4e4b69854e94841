import type { Transport } from './transport.js';
import { ErrorCode, errorResponse, isRequest, type Message } from './jsonrpc.js';
import { silentLogger, type Logger } from './log.js';

/** A hook sees each message on its way across and may rewrite it, answer it, or drop it (return null). */
/**
 * Hooks are synchronous so messages keep their order across the pipe. A hook that changes a message
 * returns a new object ({...m, …}) rather than mutating it: the original may carry its raw text.
 */
export type Hook = (message: Message, ctx: HookContext) => Message | null;

export interface HookContext {
  /** Send a message back the way it came (e.g. answer a request locally). */
  reply(message: Message): void;
}

export interface PipeOptions {
  /** Messages travelling from the client side (down) to the server side (up). */
  toUp?: Hook[];
  /** Messages travelling from the server side (up) to the client side (down). */
  toDown?: Hook[];
  logger?: Logger;
  /** Close the other side when one side closes (default true). */
  closeTogether?: boolean;
}

export interface Pipe {
  close(): Promise<void>;
  readonly closed: Promise<void>;
}

/**
 * Forwards raw JSON-RPC both ways between two transports, unchanged unless a hook says otherwise.
 * A request that cannot be delivered is answered with a JSON-RPC error so the sender never hangs.
 */
export function pipe(down: Transport, up: Transport, options: PipeOptions = {}): Pipe {
  const log = options.logger ?? silentLogger;
  const closeTogether = options.closeTogether ?? true;
  let closing = false;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));

  const wire = (from: Transport, to: Transport, hooks: Hook[] | undefined, direction: 'up' | 'down') => {
    const deliver = (message: Message) => {
      to.send(message).catch((err: unknown) => {
        log.debug({ err: (err as Error)?.message, direction }, 'send failed');
        if (isRequest(message) && !closing) {
          const reason = (err as Error)?.message ?? String(err);
          from.send(errorResponse(message.id, ErrorCode.InternalError, reason)).catch(() => {});
        }
      });
    };
    const ctx: HookContext = { reply: (m) => void from.send(m).catch(() => {}) };
    from.onmessage = hooks?.length
      ? (raw) => {
          let m: Message | null = raw as Message;
          try {
            for (const hook of hooks) if (m) m = hook(m, ctx);
          } catch (err) {
            log.error({ err: (err as Error)?.message, direction }, 'hook failed');
            if (isRequest(raw)) ctx.reply(errorResponse(raw.id, ErrorCode.InternalError, 'internal bridge error'));
            return;
          }
          if (m) deliver(m);
        }
      : (raw) => deliver(raw as Message);
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

  wire(down, up, options.toUp, 'up');
  wire(up, down, options.toDown, 'down');
  return { close: shutdown, closed };
}
