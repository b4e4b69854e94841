import { BuildError } from './errors.js';
import type { ServerTemplate } from './model.js';

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
