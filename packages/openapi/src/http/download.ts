import { request, type Dispatcher } from 'undici';
import { EgressDeniedError, SpecLoadError } from '../errors.js';

export interface DownloadOptions {
  dispatcher: Dispatcher;
  maxBytes: number;
  timeoutMs: number;
  allowHttp: boolean;
  /** Called for the first URL and every redirect target; throw to refuse. */
  checkUrl?: (url: URL) => void;
  maxRedirects?: number;
}

/**
 * GETs a document with a byte cap, a deadline, and redirects followed by hand so each hop is
 * re-checked (scheme here, host and address in the dispatcher's connector).
 */
export async function downloadCapped(target: string, options: DownloadOptions): Promise<{ body: Buffer; url: string; contentType: string }> {
  let url = new URL(target);
  const maxRedirects = options.maxRedirects ?? 3;
  for (let hop = 0; hop <= maxRedirects; hop++) {
    if (url.protocol !== 'https:' && !(options.allowHttp && url.protocol === 'http:')) {
      throw new SpecLoadError(`Refused to fetch ${url.href}: only https URLs are allowed (set allowHttp to permit http).`);
    }
    options.checkUrl?.(url);
    const response = await request(url, {
      method: 'GET',
      dispatcher: options.dispatcher,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      signal: AbortSignal.timeout(options.timeoutMs),
      headers: { accept: 'application/json, application/yaml, text/yaml, */*;q=0.5' },
    });
    if (response.statusCode >= 300 && response.statusCode < 400) {
      const location = response.headers.location;
      await response.body.dump();
      if (typeof location !== 'string') throw new SpecLoadError(`Redirect from ${url.href} without a Location header.`);
      url = new URL(location, url);
      continue;
    }
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new SpecLoadError(`Fetching ${url.href} failed with HTTP ${response.statusCode}.`);
    }
    const declared = Number(response.headers['content-length']);
    if (declared > options.maxBytes) {
      await response.body.dump();
      throw new SpecLoadError(`Refused ${url.href}: ${declared} bytes exceeds the ${options.maxBytes}-byte limit (raise maxSpecBytes).`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of response.body) {
      total += (chunk as Buffer).length;
      if (total > options.maxBytes) {
        response.body.destroy();
        throw new SpecLoadError(`Refused ${url.href}: body exceeds the ${options.maxBytes}-byte limit (raise maxSpecBytes).`);
      }
      chunks.push(chunk as Buffer);
    }
    const contentType = String(response.headers['content-type'] ?? '');
    return { body: Buffer.concat(chunks), url: url.href, contentType };
  }
  throw new EgressDeniedError(`Too many redirects fetching ${target} (limit ${maxRedirects}).`);
}
