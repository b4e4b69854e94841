/**
 * Globs over `server.tool`: `*` matches any run of characters (including none and including dots), `?` one
 * character, everything else itself. `github.*` is every tool of github, `*.read_*` every read_ tool anywhere.
 *
 * The whole `server.tool` string is matched rather than the two halves separately, because tool names may
 * themselves contain dots (the MCP spec allows them). The price: a server key that contains a dot makes patterns
 * ambiguous, so the config loader warns about such keys.
 */
export function compileGlob(pattern: string): RegExp {
  return new RegExp(`^${globSource(pattern)}$`);
}

function globSource(pattern: string): string {
  if (pattern.length === 0) throw new Error('a glob may not be empty');
  let out = '';
  for (const ch of pattern) {
    if (ch === '*') out += '[\\s\\S]*';
    else if (ch === '?') out += '[\\s\\S]';
    else out += ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
  }
  return out;
}

/** The string a `server.tool` glob is matched against. */
export function toolKey(server: string, tool: string): string {
  return `${server}.${tool}`;
}

/** Several globs, any of which may match. An empty set matches nothing. */
export class GlobSet {
  private readonly regex: RegExp | undefined;
  constructor(readonly patterns: readonly string[]) {
    this.regex = patterns.length ? new RegExp(`^(?:${patterns.map(globSource).join('|')})$`) : undefined;
  }
  matches(text: string): boolean {
    return this.regex?.test(text) ?? false;
  }
}

export interface AllowDeny {
  allow: readonly string[];
  deny: readonly string[];
}

/** allow/deny over `server.tool`; deny wins, and nothing is allowed that no allow pattern names. */
export class ToolFilter {
  private readonly allow: GlobSet;
  private readonly deny: GlobSet;
  constructor(rules: AllowDeny) {
    this.allow = new GlobSet(rules.allow);
    this.deny = new GlobSet(rules.deny);
  }
  permits(server: string, tool: string): boolean {
    const key = toolKey(server, tool);
    return this.allow.matches(key) && !this.deny.matches(key);
  }
}
