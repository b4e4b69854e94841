import { describe, expect, it } from 'vitest';
import { API_KEY_SCHEME } from '../policy/scopes.js';
import { KeyRing } from '../config/key-file.js';
import { Backend } from './backend.js';
import { GatewayRouter } from './router.js';

/** A backend that is "up" with a given catalog, without any connection (the router only reads its catalog here). */
function staticBackend(key: string, tools: string[]): Backend {
  const b = new Backend({ key, upstream: { name: key, open: () => { throw new Error('not used'); } }, isolation: 'shared', deadlineMs: 1000, onChange: () => {} });
  b.state = 'up';
  b.catalog = { tools: tools.map((name) => ({ name, inputSchema: { type: 'object' } })), prompts: [], resources: [], templates: [], capabilities: { tools: {} } };
  return b;
}

const keys = new KeyRing([
  { id: 'reader', hash: `sha256:${'0'.repeat(64)}`, allow: ['a.*'], deny: [], disabled: false },
  { id: 'other-reader', hash: `sha256:${'1'.repeat(64)}`, allow: ['a.*'], deny: [], disabled: false },
  { id: 'all', hash: `sha256:${'2'.repeat(64)}`, allow: ['*'], deny: ['b.drop'], disabled: false },
]);
const caller = (id: string) => ({ token: 'x', clientId: id, scopes: [], extra: { kind: API_KEY_SCHEME } });

describe('GatewayRouter lists', () => {
  it('serves each scope set its own cached list until the catalog changes', () => {
    const a = staticBackend('a', ['read', 'write']);
    const b = staticBackend('b', ['get', 'drop']);
    const router = new GatewayRouter({ backends: [a, b], prefixes: { a: 'a', b: 'b' }, auth: { keys: 'keys.json' } as never, keys });
    const reader = router.toolsFor(router.policyFor(caller('reader'))).items;
    expect(reader.map((t) => t.name)).toEqual(['a__read', 'a__write']);
    // Same scope set, another key: the same cached array, not a recomputation.
    expect(router.toolsFor(router.policyFor(caller('other-reader'))).items).toBe(reader);
    expect(router.toolsFor(router.policyFor(caller('all'))).items.map((t) => t.name)).toEqual(['a__read', 'a__write', 'b__get']);
    expect(Object.isFrozen(reader)).toBe(true);

    const version = router.catalogVersion;
    a.catalog!.tools.push({ name: 'list', inputSchema: { type: 'object' } });
    // Without an announcement the cached list stands (lists are served from memory)…
    expect(router.toolsFor(router.policyFor(caller('reader'))).items).toBe(reader);
    // …and a list_changed (or a reload, or a pin decision: all go through catalogChanged) refreshes it.
    router.catalogChanged();
    expect(router.catalogVersion).toBe(version + 1);
    expect(router.toolsFor(router.policyFor(caller('reader'))).items.map((t) => t.name)).toEqual(['a__read', 'a__write', 'a__list']);
  });

  it('leaves out a backend that went down, and a key that is not in the file sees nothing', () => {
    const a = staticBackend('a', ['read']);
    const b = staticBackend('b', ['get']);
    const router = new GatewayRouter({ backends: [a, b], prefixes: { a: 'a', b: 'b' }, auth: { keys: 'keys.json' } as never, keys });
    expect(router.toolsFor(router.policyFor(caller('all'))).items.map((t) => t.name)).toEqual(['a__read', 'b__get']);
    b.state = 'down';
    router.catalogChanged();
    expect(router.toolsFor(router.policyFor(caller('all'))).items.map((t) => t.name)).toEqual(['a__read']);
    expect(router.toolsFor(router.policyFor(caller('stranger'))).items).toEqual([]);
  });

  it('withholds a tool whose definition differs from its pin, in the cached list too', () => {
    const a = staticBackend('a', ['read', 'write']);
    const lock = { version: 1 as const, tools: {} };
    const router = new GatewayRouter({ backends: [a], prefixes: { a: 'a' }, lock: lock as never, pinning: 'enforce' });
    expect(router.toolsFor(router.policyFor(undefined)).items).toEqual([]);
  });
});
