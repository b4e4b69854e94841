import { request, type Dispatcher } from 'undici';
import { EgressDeniedError } from '../errors.js';
import type { PreparedRequest } from '../request.js';
import { findEgressDenial, type HostAllowlist } from './allowlist.js';

export interface HttpResult {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: Buffer;
  /** True when the body was cut at maxResponseBytes. */
  truncated: boolean;
  /** Bytes actually received before truncation stopped the read (≥ body.length). */
  url: string;
}

export interface SenderOptions {
  dispatcher: Dispatcher;
  allowlist: HostAllowlist;
  timeoutMs: number;
  maxResponseBytes: number;
  /** Retries for idempotent methods on connect errors and 503. Default 2. */
  retries?: number;
  /** Follow at most this many redirects, each re-checked against the allowlist. Default 3; 0 refuses redirects. */
  maxRedirects?: number;
  /** Base backoff in ms (doubles each attempt). */
  backoffMs?: number;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']);
const RETRYABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified',
  307: 'Temporary Redirect', 308: 'Permanent Redirect', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 409: 'Conflict', 410: 'Gone', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Entity',
  429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? '';
}

/** Sends prepared requests: pooled, time-boxed, size-capped, retried only when safe. */
export class HttpSender {
  constructor(private readonly options: SenderOptions) {}

  async send(prepared: PreparedRequest, signal?: AbortSignal, sensitiveHeaders: string[] = []): Promise<HttpResult> {
    const retries = IDEMPOTENT.has(prepared.method) ? (this.options.retries ?? 2) : 0;
    let attempt = 0;
    for (;;) {
      try {
        const result = await this.sendFollowingRedirects(prepared, signal, sensitiveHeaders);
        if (result.status === 503 && attempt < retries) {
          await sleep(this.delay(attempt, result.headers['retry-after']), signal);
          attempt++;
          continue;
        }
        return result;
      } catch (error) {
        const denial = findEgressDenial(error);
        if (denial) throw denial;
        const code = (error as { code?: string }).code ?? ((error as { cause?: { code?: string } }).cause?.code);
        if (attempt < retries && code && RETRYABLE_CODES.has(code) && !signal?.aborted) {
          await sleep(this.delay(attempt), signal);
          attempt++;
          continue;
        }
        throw error;
      }
    }
  }

  private delay(attempt: number, retryAfter?: string): number {
    const seconds = retryAfter !== undefined ? Number(retryAfter) : NaN;
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, 5_000);
    return (this.options.backoffMs ?? 100) * 2 ** attempt;
  }

  private async sendFollowingRedirects(prepared: PreparedRequest, signal: AbortSignal | undefined, sensitiveHeaders: string[]): Promise<HttpResult> {
    let url = new URL(prepared.url);
    let method: string = prepared.method;
    let body = prepared.body;
    const headers: Record<string, string> = { ...prepared.headers };
    if (prepared.cookies.length) headers.cookie = prepared.cookies.join('; ');
    const maxRedirects = this.options.maxRedirects ?? 3;
    for (let hop = 0; ; hop++) {
      // Checked here for a clear message; the connector enforces the same rule on the socket.
      if (!this.options.allowlist.allowsUrl(url)) {
        throw new EgressDeniedError(`Refused ${hop === 0 ? 'request' : 'redirect'} to ${url.origin}: host is not on the allowlist (${this.options.allowlist.entries().join(', ')}).`);
      }
      const timeout = AbortSignal.timeout(this.options.timeoutMs);
      const response = await request(url, {
        method: method as Dispatcher.HttpMethod,
        headers,
        ...(body ? { body } : {}),
        dispatcher: this.options.dispatcher,
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
        signal: signal ? anySignal([signal, timeout]) : timeout,
      });
      const location = response.headers.location;
      if (response.statusCode >= 300 && response.statusCode < 400 && response.statusCode !== 304 && typeof location === 'string') {
        await response.body.dump();
        const next = new URL(location, url);
        if (hop >= maxRedirects) throw new EgressDeniedError(`Refused redirect to ${next.origin}${next.pathname}: redirect limit (${maxRedirects}) reached.`);
        if (!this.options.allowlist.allowsUrl(next)) {
          throw new EgressDeniedError(`Refused redirect from ${url.origin} to ${next.origin}: host is not on the allowlist.`);
        }
        if (next.origin !== url.origin) {
          // Credentials were issued for the first origin only.
          for (const name of [...sensitiveHeaders, 'authorization', 'cookie', 'proxy-authorization']) delete headers[name.toLowerCase()];
        }
        if (response.statusCode === 303 || ((response.statusCode === 301 || response.statusCode === 302) && method === 'POST')) {
          method = method === 'HEAD' ? 'HEAD' : 'GET';
          body = undefined;
          delete headers['content-type'];
        }
        url = next;
        continue;
      }
      const { buffer, truncated } = await readCapped(response.body, this.options.maxResponseBytes);
      const flat: Record<string, string> = {};
      for (const [key, value] of Object.entries(response.headers)) if (value !== undefined) flat[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
      return { status: response.statusCode, statusText: statusText(response.statusCode), headers: flat, body: buffer, truncated, url: url.href };
    }
  }
}

async function readCapped(stream: Dispatcher.ResponseData['body'], maxBytes: number): Promise<{ buffer: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buf = chunk as Buffer;
    if (total + buf.length > maxBytes) {
      chunks.push(buf.subarray(0, maxBytes - total));
      stream.destroy();
      return { buffer: Buffer.concat(chunks), truncated: true };
    }
    chunks.push(buf);
    total += buf.length;
  }
  return { buffer: Buffer.concat(chunks), truncated: false };
}

function anySignal(signals: AbortSignal[]): AbortSignal {
  const controller = new AbortController();
  for (const s of signals) {
    if (s.aborted) {
      controller.abort(s.reason);
      break;
    }
    s.addEventListener('abort', () => controller.abort(s.reason), { once: true });
  }
  return controller.signal;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}
