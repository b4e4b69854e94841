import { HostAllowlist } from './http/allowlist.js';

/** Key for headers configured to go on every request (`--header`), scoped like a credential. */
export const DEFAULT_HEADERS_SCOPE = '*';

/**
 * Which hosts each credential may be sent to. Every credential (and every default header) may go
 * to the API's primary origin; anything else — an upload host a single operation declares, a host
 * a redirect leads to — must be granted per scheme by the operator (`authHosts`), because a spec
 * is input from a third party and must not be able to route a secret to a host of its choosing.
 */
export class CredentialScopes {
  private readonly primary = new HostAllowlist();
  private readonly perScheme = new Map<string, HostAllowlist>();
  private readonly everyScheme = new HostAllowlist();

  constructor(primaryUrl: string | undefined, authHosts: Record<string, string[]> = {}) {
    if (primaryUrl) this.primary.addUrl(new URL(primaryUrl));
    for (const [scheme, hosts] of Object.entries(authHosts)) {
      const list = scheme === DEFAULT_HEADERS_SCOPE ? this.everyScheme : this.perScheme.get(scheme) ?? new HostAllowlist();
      for (const host of hosts) list.add(host);
      if (scheme !== DEFAULT_HEADERS_SCOPE) this.perScheme.set(scheme, list);
    }
  }

  /** Whether the credential of `scheme` (or the default headers, `*`) may be sent to `url`. */
  allows(scheme: string, url: URL): boolean {
    if (this.primary.allowsUrl(url) || this.everyScheme.allowsUrl(url)) return true;
    return this.perScheme.get(scheme)?.allowsUrl(url) ?? false;
  }

  /** Where `scheme`'s credential may go, for messages. */
  describe(scheme: string): string {
    const hosts = [...this.primary.entries(), ...this.everyScheme.entries(), ...(this.perScheme.get(scheme)?.entries() ?? [])];
    return hosts.length ? hosts.join(', ') : 'no host (the spec declares no root server and no --base-url is set)';
  }
}
