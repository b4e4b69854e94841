import { BuildError } from './errors.js';
import type { CompiledTool, ServerTemplate } from './model.js';

/**
 * Resolves a server template to an absolute base URL. Variables come from configuration
 * (never from tool arguments) and must respect the spec's enum.
 */
export function resolveServerUrl(server: ServerTemplate, serverVars: Record<string, string> = {}, specUrl?: string): string {
  let url = server.url;
  url = url.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    const variable = server.variables?.[name];
    const value = serverVars[name] ?? variable?.default;
    if (value === undefined) throw new BuildError(`Server URL ${server.url} needs variable "${name}": set serverVars.${name}.`, 'SERVER_VARIABLE');
    if (serverVars[name] !== undefined && variable?.enum && !variable.enum.includes(value)) {
      throw new BuildError(`Server variable ${name}=${value} is not one of ${variable.enum.join(', ')}.`, 'SERVER_VARIABLE');
    }
    return value;
  });
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
  if (specUrl) return new URL(url, specUrl).href;
  throw new BuildError(`Server URL "${url}" is relative and the spec was not loaded from a URL: set baseUrl.`, 'SERVER_URL');
}

export interface ServerChoice {
  baseUrl?: string;
  serverVars?: Record<string, string>;
}

interface ServerSource {
  rootServers: ServerTemplate[];
  specUrl?: string;
}

/**
 * The one rule for where a tool's requests go: a configured `baseUrl` replaces the spec's servers
 * at every level (root, path and operation), because a user who points the adapter somewhere means
 * every call; without it, the operation's own servers win over the path's, which win over the root's.
 */
export function toolServerUrl(table: ServerSource, tool: Pick<CompiledTool, 'servers'>, choice: ServerChoice = {}): string {
  let url: string | undefined;
  if (choice.baseUrl) url = choice.baseUrl;
  else if (tool.servers.length) url = resolveServerUrl(tool.servers[0]!, choice.serverVars, table.specUrl);
  else if (table.rootServers[0]) url = resolveServerUrl(table.rootServers[0], choice.serverVars, table.specUrl);
  if (!url) throw new BuildError('The spec declares no servers: set baseUrl (--base-url).', 'SERVER_URL');
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new BuildError(`Server URL ${url} is not http(s).`, 'SERVER_URL');
  return url;
}

/**
 * The API's own origin: where credentials go by default. It is the configured baseUrl, or the
 * spec's first root server; hosts that only operation- or path-level servers name are not in it.
 */
export function primaryServerUrl(table: ServerSource, choice: ServerChoice = {}): string | undefined {
  if (choice.baseUrl) return choice.baseUrl;
  if (!table.rootServers[0]) return undefined;
  try {
    return resolveServerUrl(table.rootServers[0], choice.serverVars, table.specUrl);
  } catch {
    return undefined;
  }
}

/** `host:port` as a request to `url` would connect to it. */
export function hostOf(url: string | URL): string {
  const parsed = typeof url === 'string' ? new URL(url) : url;
  return `${parsed.hostname}:${parsed.port || (parsed.protocol === 'https:' ? '443' : '80')}`;
}
