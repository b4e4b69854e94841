/** Raw HTTP helpers for tests that must see status codes and headers exactly. */
export const ACCEPT_BOTH = 'application/json, text/event-stream';

export function initBody(id: number | string = 1, protocolVersion = '2025-11-25') {
  return { jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: ACCEPT_BOTH, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, messages: parseMessages(res.headers.get('content-type'), text) };
}

/** JSON-RPC messages out of a JSON or SSE response body. */
// biome-ignore lint/suspicious/noExplicitAny: tests read whatever the server sent
export function parseMessages(contentType: string | null, text: string): any[] {
  if (!text) return [];
  if (contentType?.includes('text/event-stream')) {
    return text
      .split('\n\n')
      .map((frame) => frame.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n'))
      .filter((d) => d)
      .map((d) => JSON.parse(d));
  }
  try {
    const v = JSON.parse(text);
    return Array.isArray(v) ? v : [v];
  } catch {
    return [];
  }
}

/** Opens a 2025 session by hand; returns its id. */
export async function openSession(url: string, protocolVersion = '2025-11-25', headers: Record<string, string> = {}) {
  const r = await post(url, initBody(1, protocolVersion), headers);
  if (r.status !== 200) throw new Error(`initialize failed: ${r.status} ${r.text}`);
  const sid = r.headers.get('mcp-session-id')!;
  await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, { 'mcp-session-id': sid, ...headers });
  return sid;
}
