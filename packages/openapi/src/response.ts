import type { HttpResult } from './http/client.js';
import type { CompiledTool } from './model.js';

export interface ToolResult {
  [key: string]: unknown;
  content: Array<
    | { type: 'text'; text: string }
    | { type: 'resource'; resource: { uri: string; mimeType: string; blob: string } }
  >;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

export interface ResponseMappingOptions {
  maxResponseBytes: number;
  /** Validates a parsed JSON body against the tool's response schema; undefined when there is none. */
  validateStructured?: (value: unknown) => boolean;
  /** Called when a 2xx JSON body does not match the spec (logged, never fails the call). */
  onDrift?: (tool: CompiledTool) => void;
  /** Scrubs secrets from text. Applied to every result path, successes included: APIs echo requests. */
  redact: (text: string) => string;
  /** Scrubs a URL shown as a resource URI (query credentials are part of the request URL). Default: `redact`. */
  redactUrl?: (url: string) => string;
  errorBodyChars?: number;
}

const TEXTUAL = /^(text\/|application\/(.*\+)?(json|xml|javascript|x-www-form-urlencoded|yaml|x-yaml|graphql|csv|x-ndjson)\b)/i;

export function errorResult(text: string): ToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

/** Maps an HTTP response to a tool result: honest about failures, never blows the context window. */
export function mapResponse(tool: CompiledTool, result: HttpResult, options: ResponseMappingOptions): ToolResult {
  const mime = (result.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const note = result.truncated
    ? `\n\n[truncated: the response exceeded maxResponseBytes (${options.maxResponseBytes} bytes); only the first ${result.body.length} bytes are shown]`
    : '';
  const operation = `${tool.method.toUpperCase()} ${tool.path}`;
  if (result.status < 200 || result.status >= 300) {
    const limit = options.errorBodyChars ?? 2000;
    let text = result.body.toString('utf8');
    if (!TEXTUAL.test(mime) && mime !== '' && result.body.length) text = `(${result.body.length} bytes of ${mime})`;
    const trimmed = text.length > limit ? `${text.slice(0, limit)}… [${text.length - limit} more characters]` : text;
    const retryAfter = result.headers['retry-after'] ? `\nRetry-After: ${result.headers['retry-after']}` : '';
    const head = `HTTP ${result.status}${result.statusText ? ' ' + result.statusText : ''} from ${operation}${retryAfter}`;
    return errorResult(options.redact(`${head}${trimmed ? `\n${trimmed}` : ''}${note}`));
  }
  if (result.body.length === 0) {
    return { content: [{ type: 'text', text: `HTTP ${result.status}${result.statusText ? ' ' + result.statusText : ''} (empty body)` }] };
  }
  const scrub = options.redact;
  if (/json/.test(mime) || (mime === '' && looksLikeJson(result.body))) {
    const raw = result.body.toString('utf8');
    const text = scrub(raw);
    if (!result.truncated && options.validateStructured) {
      try {
        const parsed = JSON.parse(raw) as unknown;
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
          // Validated as the API sent it (a secret is a valid string), then scrubbed like the text.
          if (options.validateStructured(parsed)) return { content: [{ type: 'text', text }], structuredContent: redactDeep(parsed, scrub) as Record<string, unknown> };
          options.onDrift?.(tool);
        }
      } catch {
        // Declared JSON but is not: still a success, shown as text.
      }
    }
    return { content: [{ type: 'text', text: text + note }] };
  }
  if (TEXTUAL.test(mime) || mime === '') return { content: [{ type: 'text', text: scrub(result.body.toString('utf8')) + note }] };
  // Bytes are passed through as they are (a secret inside an image is not text to find), but the URI is ours to write.
  const uri = (options.redactUrl ?? scrub)(result.url);
  const content: ToolResult['content'] = [{ type: 'resource', resource: { uri, mimeType: mime, blob: result.body.toString('base64') } }];
  if (note) content.push({ type: 'text', text: note.trim() });
  return { content };
}

function looksLikeJson(body: Buffer): boolean {
  const first = body.subarray(0, 64).toString('utf8').trimStart()[0];
  return first === '{' || first === '[';
}

/** Applies `scrub` to every string (keys included) of a parsed JSON value. */
export function redactDeep(value: unknown, scrub: (text: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (depth > 64 || !value || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, scrub, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[scrub(key)] = redactDeep(item, scrub, depth + 1);
  return out;
}
