/**
 * Resource URIs from several servers, made distinct and kept valid URIs.
 *
 * Form: `<original-scheme>+<prefix-token>:<the rest, untouched>`, e.g. `file:///a` from server `fs` becomes
 * `file+fs:///a`. Chosen over `sb://<prefix>/<percent-encoded original>` because only the scheme changes:
 * the rest of the URI, and so every `{var}` of a template, reaches the client as the server wrote it. A client
 * that expands a namespaced template therefore produces exactly the namespaced form of the URI the server's own
 * template would give, and the reverse is exact. With a percent-encoded original, template expansion and
 * decoding would disagree on reserved characters (`{path}` = `a/b` expands to `a%2Fb`).
 *
 * The prefix goes after the scheme (not before, as Envoy does) because a scheme must start with a letter and a
 * prefix may start with a digit or `_`. `_` is not allowed in a scheme, so it is written as `.` (prefixes never
 * contain dots, so the mapping is one to one). Schemes are case-insensitive and some URL parsers lowercase them,
 * so prefixes are looked up ignoring case. The separator is the last `+` of the scheme: tokens contain no `+`,
 * while original schemes may (`git+ssh`).
 *
 * Only absolute URIs (with a scheme) can be namespaced; anything else yields undefined and the router drops
 * that resource with a warning. `ui://` (MCP Apps) is not special-cased yet.
 *
 * One server may have the empty prefix: its URIs pass unchanged, and a URI naming no prefixed server is its. A URI
 * of that server whose scheme already ends in `+<another server's token>` would read back as the other server's,
 * so it is not exposed (undefined), which keeps the mapping exact.
 */
export interface UpstreamUri {
  server: string;
  uri: string;
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

export class ResourceUriMap {
  private readonly tokenByServer = new Map<string, string>();
  private readonly serverByToken = new Map<string, string>();
  /** The server with the empty prefix, if any. */
  private readonly bare: string | undefined;

  /** server key → prefix. Prefixes must be distinct ignoring case; at most one may be empty. */
  constructor(prefixes: Readonly<Record<string, string>>) {
    let bare: string | undefined;
    for (const [server, prefix] of Object.entries(prefixes)) {
      if (prefix === '') {
        if (bare !== undefined) throw new RangeError(`servers ${bare} and ${server} both have the empty prefix; at most one may`);
        bare = server;
        continue;
      }
      if (!/^[A-Za-z0-9_-]+$/.test(prefix)) throw new RangeError(`prefix "${prefix}" of ${server} has characters outside A-Z a-z 0-9 _ -`);
      const token = prefix.replace(/_/g, '.');
      const folded = token.toLowerCase();
      const other = this.serverByToken.get(folded);
      if (other !== undefined) throw new RangeError(`servers ${other} and ${server} have prefixes that differ only in case; resource URIs need them distinct`);
      this.tokenByServer.set(server, token);
      this.serverByToken.set(folded, server);
    }
    this.bare = bare;
  }

  /** The URI (or URI template) a client sees; undefined when the upstream's URI has no scheme. */
  toExposed(server: string, uri: string): string | undefined {
    if (server === this.bare) return this.prefixed(uri) ? undefined : uri;
    const token = this.tokenByServer.get(server);
    if (token === undefined) throw new RangeError(`unknown server ${server}`);
    const match = SCHEME.exec(uri);
    if (!match) return undefined;
    return `${match[1]}+${token}:${uri.slice(match[0].length)}`;
  }

  /** For reads, subscriptions and `resources/updated`: which server, and the URI as that server wrote it. */
  toUpstream(exposed: string): UpstreamUri | undefined {
    return this.prefixed(exposed) ?? (this.bare !== undefined ? { server: this.bare, uri: exposed } : undefined);
  }

  private prefixed(exposed: string): UpstreamUri | undefined {
    const match = SCHEME.exec(exposed);
    if (!match) return undefined;
    const scheme = match[1]!;
    const plus = scheme.lastIndexOf('+');
    if (plus <= 0) return undefined;
    const server = this.serverByToken.get(scheme.slice(plus + 1).toLowerCase());
    if (server === undefined) return undefined;
    return { server, uri: `${scheme.slice(0, plus)}:${exposed.slice(match[0].length)}` };
  }
}
