import { StringDecoder } from 'node:string_decoder';
import { SdkErrorCode, SdkHttpError } from '@modelcontextprotocol/client';
import type { Dispatcher, Pool } from 'undici';
import { isJsonRpcMessage, withRaw, type Message } from '../jsonrpc.js';
import { classifyFetchError, UpstreamTimeoutError } from './errors.js';
import { SseParser } from './sse-parser.js';

/** Where the messages of one POST's answer go. */
export interface AnswerSink {
  message(m: Message): void;
  /** The SSE answer ended (or broke); `answered` if a response was in it; lastEventId to resume it from, after retryMs if the server set one. */
  end(answered: boolean, lastEventId?: string, retryMs?: number): void;
  /** A part of the answer that is not a JSON-RPC message (dropped). */
  invalid(err: Error): void;
}

/**
 * What became of a POST: `sent` (accepted; its answer, if any, goes to the sink), or the server's refusal (3xx/4xx:
 * a redirect, authentication, step-up, a lost session), with nothing delivered, for the caller to handle as the SDK
 * would. A 5xx or a network failure throws.
 */
export type PostOutcome = 'sent' | Refusal;

export interface Refusal {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/**
 * The hot path of an established Streamable HTTP session: a POST over a keep-alive undici pool, and its JSON or
 * SSE answer parsed incrementally (no fetch Request/Headers/web streams, no per-message schema validation, no
 * AbortSignal per request). Everything that is not a plain answered POST stays with the SDK transport.
 */
export class FastPoster {
  private readonly path: string;

  private constructor(
    private readonly url: URL,
    private readonly pool: Pool,
  ) {
    this.path = `${url.pathname}${url.search}`;
  }

  /** undici loads on first use: the start of `connect` does not pay for it. */
  static async create(url: URL): Promise<FastPoster> {
    const { Pool } = await import('undici');
    return new FastPoster(url, new Pool(url.origin, { pipelining: 1, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000 }));
  }

  /**
   * POSTs one message. Resolves once the status is known (a JSON answer is read and delivered first, as the SDK
   * does); an SSE answer streams on to the sink. headersTimeoutMs bounds the wait for response headers (0: none).
   */
  async post(body: string, headers: Record<string, string>, headersTimeoutMs: number, expectsAnswer: boolean, sink: AnswerSink): Promise<PostOutcome> {
    let res: Dispatcher.ResponseData;
    try {
      res = await this.pool.request({ path: this.path, method: 'POST', headers, body, headersTimeout: headersTimeoutMs, bodyTimeout: 0 });
    } catch (err) {
      if ((err as { code?: string })?.code === 'UND_ERR_HEADERS_TIMEOUT') throw new UpstreamTimeoutError(this.url.href, headersTimeoutMs, 'answer');
      throw classifyFetchError(this.url.href, err);
    }
    const status = res.statusCode;
    if (status >= 300 && status < 500) {
      const text = await res.body.text().catch(() => '');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      return { status, headers, text };
    }
    if (status >= 500) {
      const text = await res.body.text().catch(() => '');
      throw new SdkHttpError(SdkErrorCode.ClientHttpNotImplemented, `Error POSTing to endpoint: ${text}`, { status, statusText: '', text });
    }
    if (status === 202 || !expectsAnswer) {
      res.body.dump().catch(() => {});
      return 'sent';
    }
    const type = String(res.headers['content-type'] ?? '').toLowerCase();
    if (type.startsWith('text/event-stream')) {
      this.stream(res.body, sink);
      return 'sent';
    }
    if (type.startsWith('application/json')) {
      const text = await res.body.text();
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) for (const m of parsed) deliver(m, undefined, sink);
      else deliver(parsed, text, sink);
      return 'sent';
    }
    res.body.dump().catch(() => {});
    throw Object.assign(new Error(`Unexpected content type: ${type || '(none)'}`), { code: SdkErrorCode.ClientHttpUnexpectedContent });
  }

  private stream(body: Dispatcher.ResponseData['body'], sink: AnswerSink): void {
    let answered = false;
    let ended = false;
    let retryMs: number | undefined;
    const parser = new SseParser((e) => {
      if (!e.data || e.event !== 'message') return;
      let m: unknown;
      try {
        m = JSON.parse(e.data);
      } catch (err) {
        sink.invalid(err as Error);
        return;
      }
      if (deliver(m, e.data, sink)) answered = true;
    }, (ms) => (retryMs = ms));
    const end = () => {
      if (ended) return;
      ended = true;
      sink.end(answered, parser.lastEventId, retryMs);
    };
    // undici's body hands out Buffers whatever setEncoding says: decode here, keeping a UTF-8 sequence split across
    // chunks whole.
    const decoder = new StringDecoder('utf8');
    body.on('data', (chunk: Buffer) => parser.push(decoder.write(chunk)));
    body.on('end', end);
    body.on('error', end);
    body.on('close', end);
  }

  close(): void {
    void this.pool.destroy().catch(() => {});
  }
}

/** Hands one parsed message on (with its text, so it is not serialized again); true when it is a response. */
function deliver(m: unknown, text: string | undefined, sink: AnswerSink): boolean {
  if (!isJsonRpcMessage(m)) {
    sink.invalid(new Error('the answer held JSON that is not a JSON-RPC message'));
    return false;
  }
  // The text is written out again as it came only when it is one line: stdout frames messages by newline.
  sink.message(text === undefined || text.includes('\n') || text.includes('\r') ? m : withRaw(m, text));
  return 'id' in m && !('method' in m);
}
