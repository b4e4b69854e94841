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
  redact: (text: string) => string;
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
  if (/json/.test(mime) || (mime === '' && looksLikeJson(result.body))) {
    const text = result.body.toString('utf8');
    if (!result.truncated && options.validateStructured) {
      try {
        const parsed = JSON.parse(text) as unknown;
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
          if (options.validateStructured(parsed)) return { content: [{ type: 'text', text }], structuredContent: parsed as Record<string, unknown> };
          options.onDrift?.(tool);
        }
      } catch {
        // Declared JSON but is not: still a success, shown as text.
      }
    }
    return { content: [{ type: 'text', text: text + note }] };
  }
  if (TEXTUAL.test(mime) || mime === '') return { content: [{ type: 'text', text: result.body.toString('utf8') + note }] };
  const content: ToolResult['content'] = [{ type: 'resource', resource: { uri: result.url, mimeType: mime, blob: result.body.toString('base64') } }];
  if (note) content.push({ type: 'text', text: note.trim() });
  return { content };
}

function looksLikeJson(body: Buffer): boolean {
  const first = body.subarray(0, 64).toString('utf8').trimStart()[0];
  return first === '{' || first === '[';
}
