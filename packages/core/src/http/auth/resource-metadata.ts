import { ConfigError } from '../../errors.js';

/** RFC 9728 protected-resource metadata, as served to MCP clients looking for the authorization server. */
export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  scopes_supported?: string[];
  bearer_methods_supported: ['header'];
  resource_name?: string;
}

const WELL_KNOWN = '/.well-known/oauth-protected-resource';

/** The resource URL (RFC 8707: absolute, no fragment), checked once at start so tokens are compared against it as given. */
export function parseResourceUrl(resource: string, what = 'audience'): URL {
  let url: URL;
  try {
    url = new URL(resource);
  } catch {
    throw new ConfigError(`${what} "${resource}" is not an absolute URL; use this server's public MCP URL, e.g. https://mcp.example.com/mcp`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`${what} "${resource}" must be an http(s) URL`);
  if (url.hash || resource.includes('#')) throw new ConfigError(`${what} "${resource}" must not have a #fragment (RFC 8707)`);
  return url;
}

/** RFC 9728 §3.1: the well-known segment goes between the host and the resource's path. */
export function resourceMetadataPath(resource: URL): string {
  const path = resource.pathname === '/' ? '' : resource.pathname;
  return `${WELL_KNOWN}${path}`;
}

export function resourceMetadataUrl(resource: URL): string {
  return `${resource.origin}${resourceMetadataPath(resource)}`;
}

/**
 * The metadata document by path. Served at the path-suffixed location (what RFC 9728 and MCP clients derive from
 * the resource URL) and at the bare one (what older clients try); a trailing slash is served with and without.
 */
export function resourceMetadataDocuments(resource: URL, doc: ProtectedResourceMetadata): Record<string, ProtectedResourceMetadata> {
  const paths = new Set([WELL_KNOWN, resourceMetadataPath(resource)]);
  const suffixed = resourceMetadataPath(resource);
  if (suffixed.endsWith('/') && suffixed !== `${WELL_KNOWN}/`) paths.add(suffixed.replace(/\/+$/, ''));
  return Object.fromEntries([...paths].map((p) => [p, doc]));
}
