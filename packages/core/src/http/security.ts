import type { IncomingMessage, ServerResponse } from 'node:http';

export interface SecurityOptions {
  /** Host header values accepted (hostname, with or without port). Empty: any host. */
  allowedHosts: string[];
  /** Origins allowed for CORS and for the Origin check. '*' allows any origin without credentials. */
  corsOrigins: string[];
}

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]', '::1'];

export function isLoopbackBind(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export function defaultAllowedHosts(bindHost: string, extra: string[]): string[] {
  if (!isLoopbackBind(bindHost)) return extra;
  return [...LOOPBACK_HOSTS, ...extra];
}

function hostnameOf(hostHeader: string): string {
  if (hostHeader.startsWith('[')) {
    const end = hostHeader.indexOf(']');
    return hostHeader.slice(0, end + 1).toLowerCase();
  }
  const colon = hostHeader.lastIndexOf(':');
  return (colon > 0 ? hostHeader.slice(0, colon) : hostHeader).toLowerCase();
}

/** DNS rebinding guard: a page on evil.example that resolves to 127.0.0.1 still sends Host: evil.example. */
export function hostAllowed(req: IncomingMessage, allowed: string[]): boolean {
  if (!allowed.length) return true;
  const host = req.headers.host;
  if (!host) return false;
  const lower = host.toLowerCase();
  const name = hostnameOf(lower);
  return allowed.some((a) => a === lower || a === name);
}

/** Browsers always send Origin on cross-site requests: it must be listed or be this very host. */
export function originAllowed(req: IncomingMessage, security: SecurityOptions): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (security.corsOrigins.includes('*') || security.corsOrigins.includes(origin)) return true;
  if (origin === 'null') return false;
  try {
    const u = new URL(origin);
    const host = req.headers.host?.toLowerCase();
    return !!host && u.host.toLowerCase() === host && hostAllowed(req, security.allowedHosts);
  } catch {
    return false;
  }
}

const ALLOW_HEADERS = [
  'content-type',
  'accept',
  'authorization',
  'x-api-key',
  'mcp-session-id',
  'mcp-protocol-version',
  'mcp-method',
  'mcp-name',
  'last-event-id',
];

/** Adds CORS headers for a listed origin; answers preflights. Returns true when the request was a preflight. */
export function applyCors(req: IncomingMessage, res: ServerResponse, security: SecurityOptions): boolean {
  const origin = req.headers.origin;
  const list = security.corsOrigins;
  if (!origin || !list.length) return false;
  const any = list.includes('*');
  if (!any && !list.includes(origin)) return false;
  if (any) res.setHeader('access-control-allow-origin', '*');
  else {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-allow-credentials', 'true');
    res.setHeader('vary', 'Origin');
  }
  res.setHeader('access-control-expose-headers', 'Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate');
  if (req.method !== 'OPTIONS') return false;
  // Tool-specific Mcp-Param-* headers cannot be listed in advance: reflect the ones asked for.
  const asked = String(req.headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h.startsWith('mcp-param-'));
  res.setHeader('access-control-allow-methods', 'GET, POST, DELETE, OPTIONS');
  res.setHeader('access-control-allow-headers', [...ALLOW_HEADERS, ...asked].join(', '));
  res.setHeader('access-control-max-age', '600');
  res.writeHead(204).end();
  return true;
}
