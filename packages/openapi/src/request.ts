import { encodeBody } from './body.js';
import { ArgumentError } from './errors.js';
import type { CompiledTool, HttpMethod } from './model.js';
import { serializeCookie, serializeHeader, serializePath, serializeQuery } from './serialize.js';

export interface PreparedRequest {
  method: Uppercase<HttpMethod>;
  /** Absolute URL, already encoded. */
  url: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** Cookie pairs (`name=value`), joined into one Cookie header when sent. */
  cookies: string[];
  body?: Buffer;
}

/**
 * Turns validated arguments into an HTTP request. The origin always comes from the configured
 * server URL: arguments only ever fill encoded path segments, query pairs, headers and body.
 */
export function buildRequest(tool: CompiledTool, args: Record<string, unknown>, serverUrl: string): PreparedRequest {
  let path = tool.path;
  const query: string[] = [];
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const binding of tool.params) {
    const value = args[binding.arg];
    if (value === undefined || value === null) {
      if (binding.location === 'path') throw new ArgumentError(`Missing required path parameter "${binding.arg}".`);
      continue;
    }
    switch (binding.location) {
      case 'path':
        path = path.split(`{${binding.name}}`).join(serializePath(binding, value));
        break;
      case 'query':
        query.push(...serializeQuery(binding, value));
        break;
      case 'header':
        headers[binding.name.toLowerCase()] = serializeHeader(binding, value);
        break;
      case 'cookie':
        cookies.push(...serializeCookie(binding, value));
        break;
    }
  }
  let body: Buffer | undefined;
  if (tool.body) {
    let bodyValue: unknown;
    if (tool.body.mode === 'whole') bodyValue = args[tool.body.arg!];
    else {
      const assembled: Record<string, unknown> = {};
      let any = false;
      for (const prop of tool.body.props ?? []) {
        if (args[prop.arg] !== undefined) {
          assembled[prop.name] = args[prop.arg];
          any = true;
        }
      }
      // An optional body with nothing in it is left out rather than sent as `{}`.
      bodyValue = any || tool.body.required ? assembled : undefined;
    }
    if (bodyValue !== undefined) {
      const encoded = encodeBody(tool.body, bodyValue);
      body = encoded.body;
      headers['content-type'] = encoded.contentType;
    }
  }
  const base = new URL(serverUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  const search = [base.search.replace(/^\?/, ''), ...query].filter(Boolean).join('&');
  const url = `${base.origin}${basePath}${path}${search ? `?${search}` : ''}`;
  return { method: tool.method.toUpperCase() as Uppercase<HttpMethod>, url, headers, cookies, ...(body ? { body } : {}) };
}
