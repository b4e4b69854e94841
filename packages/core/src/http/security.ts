import type { IncomingMessage, ServerResponse } from 'node:http';
import { BlockList, isIP } from 'node:net';

export interface SecurityOptions {
  /** Host header values accepted (hostname, with or without port). Empty: any host. */
  allowedHosts: string[];
  /** Origins allowed for CORS and for the Origin check. '*' allows any origin without credentials. */
  corsOrigins: string[];
}

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]', '::1'];

const LOOPBACK_NETS = new BlockList();
LOOPBACK_NETS.addSubnet('127.0.0.0', 8, 'ipv4');
// BlockList also matches IPv4-mapped IPv6 (::ffff:127.0.0.1, ::ffff:7f00:1) against the IPv4 subnet.
LOOPBACK_NETS.addAddress('::1', 'ipv6');

/**
 * Whether a bind address only listens on loopback, decided from the address, not its spelling: the DNS-rebinding
 * guard hangs on it, and a loopback written another way (0:0:0:0:0:0:0:1, ::ffff:127.0.0.1, [::1], 127.1) must
 * not switch it off. Names other than localhost are not resolved here, so they count as not loopback.
 */
export function isLoopbackBind(host: string): boolean {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h === 'localhost' || h === 'localhost.') return true;
  const zone = h.indexOf('%'); // fe80::1%eth0: the zone names an interface, not part of the address
  if (zone > 0) h = h.slice(0, zone);
  const family = isIP(h);
  if (family) return LOOPBACK_NETS.check(h, family === 6 ? 'ipv6' : 'ipv4');
  // listen() hands anything else to getaddrinfo, which reads inet_aton forms (127.1, 0x7f.0.0.1, 2130706433).
  const v4 = inetAton(h);
  return v4 !== undefined && v4 >>> 24 === 127;
}

/** The IPv4 address inet_aton would read from a numeric string (1–4 parts, decimal, 0-octal or 0x-hex), if any. */
function inetAton(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length > 4) return undefined;
  const nums: number[] = [];
  for (const p of parts) {
    let n: number;
    if (/^0x[0-9a-f]*$/.test(p)) n = p.length > 2 ? parseInt(p.slice(2), 16) : 0;
    else if (/^0[0-7]*$/.test(p)) n = parseInt(p, 8);
    else if (/^[1-9][0-9]*$/.test(p)) n = Number(p);
    else return undefined;
    nums.push(n);
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255) || last >= 2 ** (8 * (4 - nums.length))) return undefined;
  let v = 0;
  for (const n of nums) v = v * 256 + n;
  return v * 2 ** (8 * (4 - nums.length)) + last;
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
