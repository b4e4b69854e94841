/**
 * JSON pointer resolution inside one (bundled) document. Handles `~0`/`~1` escapes,
 * percent-escaped segments and pointers into any part of the document (e.g. `#/paths/...`).
 */
export function decodePointer(ref: string): string[] {
  if (!ref.startsWith('#')) throw new Error(`External $ref "${ref}" was not bundled`);
  const fragment = ref.slice(1);
  if (fragment === '' || fragment === '/') return fragment === '/' ? [''] : [];
  return fragment
    .slice(1)
    .split('/')
    .map((segment) => {
      let text = segment;
      if (/%[0-9a-f]{2}/i.test(text)) {
        try {
          text = decodeURIComponent(text);
        } catch {
          // Keep the raw text: a lone % is a legal pointer character.
        }
      }
      return text.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

export function encodePointer(segments: string[]): string {
  return '#' + segments.map((s) => '/' + s.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

export class RefResolver {
  private readonly cache = new Map<string, unknown>();
  constructor(readonly document: unknown) {}

  get(ref: string): unknown {
    if (this.cache.has(ref)) return this.cache.get(ref);
    let node: unknown = this.document;
    for (const segment of decodePointer(ref)) {
      if (node === null || typeof node !== 'object') {
        node = undefined;
        break;
      }
      node = (node as Record<string, unknown>)[segment];
    }
    this.cache.set(ref, node);
    return node;
  }

  /**
   * Follows `$ref` chains (bounded, so a ref cycle of pure refs cannot hang us) and returns the
   * first non-ref object with the pointer it was found at.
   */
  deref<T = Record<string, unknown>>(value: unknown, pointer?: string): { value: T | undefined; pointer?: string } {
    let current = value as Record<string, unknown> | undefined;
    let at = pointer;
    for (let hops = 0; hops < 32; hops++) {
      if (!current || typeof current !== 'object' || typeof current.$ref !== 'string') return { value: current as T | undefined, ...(at ? { pointer: at } : {}) };
      at = current.$ref;
      current = this.get(current.$ref) as Record<string, unknown> | undefined;
    }
    return { value: undefined };
  }
}
