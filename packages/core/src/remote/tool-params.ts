import { isRequest, type Message } from '../jsonrpc.js';
import { ParamHeaderCache } from './mcp-param.js';

/** A tools/call in the 2026-07-28 envelope (only those carry Mcp-Param-* headers): the tool, its arguments, the envelope. */
export function modernToolCall(m: Message): { name: string; args: unknown; meta: Record<string, unknown> } | undefined {
  if (!isRequest(m) || m.method !== 'tools/call') return undefined;
  const params = (m as { params?: { name?: unknown; arguments?: unknown; _meta?: Record<string, unknown> } }).params;
  const meta = params?._meta;
  if (typeof params?.name !== 'string' || typeof meta?.['io.modelcontextprotocol/protocolVersion'] !== 'string') return undefined;
  const { progressToken: _token, ...envelope } = meta;
  void _token;
  return { name: params.name, args: params.arguments, meta: envelope };
}

/** One page of tools/list, asked of the remote with the given envelope. */
export type ListTools = (params: { cursor?: string; _meta: Record<string, unknown> }) => Promise<{ nextCursor?: string } | undefined>;

/**
 * 2026 translation glue: the x-mcp-header declarations of the tools seen so far, and the Mcp-Param-* headers a
 * tools/call gets from them. A call for a tool not seen yet lists the tools first (with the call's envelope).
 */
export class ToolParamHeaders {
  private readonly cache = new ParamHeaderCache();
  private refreshing?: Promise<void>;

  constructor(
    private readonly list: ListTools,
    private readonly onFailure: (err: Error) => void,
  ) {}

  /** Learns from a tools/list result (the client's own, or ours). */
  learn(result: unknown): void {
    this.cache.learn(result as never);
  }

  /** The Mcp-Param-* headers for this message, if it is a 2026 tools/call of a tool that declares some. */
  headersFor(m: Message): Record<string, string> | undefined {
    const call = modernToolCall(m);
    return call ? this.cache.headersFor(call.name, call.args) : undefined;
  }

  /** Before sending: a 2026 tools/call for a tool we have not seen waits for a listing (best effort). */
  async prepare(m: Message): Promise<void> {
    const call = modernToolCall(m);
    if (call && !this.cache.knows(call.name)) await this.refresh(call.meta);
  }

  private refresh(meta: Record<string, unknown>): Promise<void> {
    const run = async () => {
      let cursor: string | undefined;
      for (let page = 0; page < 20; page++) {
        const result = await this.list({ ...(cursor ? { cursor } : {}), _meta: meta });
        this.cache.learn(result as never);
        cursor = result?.nextCursor;
        if (!cursor) return;
      }
    };
    this.refreshing ??= run()
      .catch((err: Error) => this.onFailure(err))
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }
}
