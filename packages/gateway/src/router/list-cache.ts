import { withRaw, type Message, type RequestId } from '@switchboard-mcp/core/serve';

type Item = Record<string, unknown>;

/**
 * One list as a scope set sees it, with its JSON text made once: every later answer is that text with the
 * request's id spliced in, so a tools/list of 500 tools costs no filtering, no copying and no JSON.stringify.
 */
export class CachedList {
  private json?: string;

  constructor(
    readonly field: string,
    readonly items: readonly Item[],
  ) {
    Object.freeze(items);
  }

  /** The answer to one list request; it carries its text for the face (a copy of it is simply serialised anew). */
  response(id: RequestId): Message {
    this.json ??= JSON.stringify({ [this.field]: this.items });
    return withRaw({ jsonrpc: '2.0', id, result: { [this.field]: this.items } } as unknown as Message, `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${this.json}}`);
  }
}

/**
 * Each caller's filtered list, computed once per catalog version and then only looked up. Callers with the same
 * scope set share one entry (the key is their rules, not their id), so the cache grows with distinct scope sets,
 * not with callers; it is bounded anyway, since a JWT issuer could mint endlessly many scope combinations.
 */
export class ListCache<T> {
  private version = 0;
  private readonly entries = new Map<string, T>();

  constructor(private readonly maxEntries = 1000) {}

  /** The catalog changed (list_changed, reload, a pin): every entry is stale. */
  invalidate(): void {
    this.version++;
    this.entries.clear();
  }

  /** What the catalog version is now (for callers and tests that want to see an invalidation happen). */
  get currentVersion(): number {
    return this.version;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string, compute: () => T): T {
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const value = compute();
    // Oldest out first: a Map iterates in insertion order.
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, value);
    return value;
  }
}

/** The cache key of a set of allow/deny rules: order-independent, so the same scopes in another order share. */
export function rulesKey(rules: { allow: readonly string[]; deny: readonly string[] }): string {
  return `${[...rules.allow].sort().join('\u0001')}\u0000${[...rules.deny].sort().join('\u0001')}`;
}
