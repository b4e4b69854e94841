import { describe, expect, it } from 'vitest';
import { BuildError } from './errors.js';
import { assignNames, fitName, sanitizeName } from './naming.js';
import type { OperationEntry } from './select.js';
import { listOperations, selectOperations } from './select.js';
import type { OpenApiDocument } from './load.js';

function entry(method: string, path: string, operationId?: string): OperationEntry {
  return { method: method as OperationEntry['method'], path, pointer: '', operation: {} as never, pathItem: {}, ...(operationId ? { operationId } : {}), tags: [], deprecated: false };
}

describe('tool names', () => {
  it('rewrites slashes, dots, spaces and non-ASCII', () => {
    expect(sanitizeName('pets/search by.name ünïcode')).toBe('pets_search_by_name_unicode');
    expect(sanitizeName('日本語')).toBe('');
  });

  it('falls back to method + path, and to it when the operationId has no usable characters', () => {
    const names = assignNames([entry('get', '/pets/{petId}/photo'), entry('post', '/x', '日本語')]);
    expect([...names.values()]).toEqual(['get_pets_by_petId_photo', 'post_x']);
  });

  it('shortens deterministically with a stable hash within the budget', () => {
    const long = 'a'.repeat(100);
    const first = fitName(long, 60, 'GET /a');
    expect(first.length).toBeLessThanOrEqual(60);
    expect(first).toBe(fitName(long, 60, 'GET /a'));
    expect(first).not.toBe(fitName(long, 60, 'GET /b'));
    const names = assignNames([entry('get', '/a', long), entry('get', '/b', long)], { nameBudget: 40 });
    const values = [...names.values()];
    expect(new Set(values).size).toBe(2);
    for (const v of values) expect(v).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
  });

  it('keeps names unique across the whole spec and stable under selection changes', () => {
    const all = [entry('get', '/a', 'list.items'), entry('get', '/b', 'list items'), entry('get', '/c', 'list/items')];
    const names = [...assignNames(all).values()];
    expect(names[0]).toBe('list_items');
    expect(new Set(names).size).toBe(3);
    expect([...assignNames(all).values()]).toEqual(names);
  });

  it('applies renames (operationId or "METHOD /path") and rejects invalid or unknown ones', () => {
    const all = [entry('get', '/a', 'getA'), entry('get', '/b')];
    expect([...assignNames(all, { rename: { getA: 'fetch_a', 'GET /b': 'fetch_b' } }).values()]).toEqual(['fetch_a', 'fetch_b']);
    expect(() => assignNames(all, { rename: { getA: 'bad.name' } })).toThrow(BuildError);
    expect(() => assignNames(all, { rename: { nope: 'x' } })).toThrow(/no operation has operationId/);
    expect(() => assignNames(all, { nameBudget: 100 })).toThrow(/nameBudget/);
  });
});

describe('selection', () => {
  const doc = {
    openapi: '3.0.3',
    info: { title: 't', version: '1' },
    paths: {
      '/pets': { get: { operationId: 'listPets', tags: ['pets'] }, post: { operationId: 'createPet', tags: ['pets'] } },
      '/pets/{id}': { delete: { operationId: 'deletePet', tags: ['pets'] } },
      '/users/{id}/keys': { 'x-mcp': false, get: { operationId: 'listKeys', tags: ['users'] }, put: { operationId: 'putKey', 'x-mcp': true, tags: ['users'] } },
      '/old': { get: { operationId: 'old', deprecated: true } },
    },
  } as unknown as OpenApiDocument;
  const ids = (opts: Parameters<typeof selectOperations>[1]) => selectOperations(listOperations(doc), opts).selected.map((e) => e.operationId);

  it('honours include/exclude by operationId, tag, method and path glob; exclude wins', () => {
    expect(ids({ include: ['tag:pets'] })).toEqual(['listPets', 'createPet', 'deletePet', 'putKey']);
    expect(ids({ include: ['tag:pets'], exclude: ['method:DELETE'] })).toEqual(['listPets', 'createPet', 'putKey']);
    expect(ids({ include: ['/pets/*'] })).toEqual(['deletePet', 'putKey']);
    expect(ids({ include: ['/pets/**', 'GET /pets'] })).toEqual(['listPets', 'deletePet', 'putKey']);
    // An explicit include beats the spec's x-mcp: false; x-mcp: true admits an operation without an include.
    expect(ids({ include: ['list*'], exclude: ['putKey'] })).toEqual(['listPets', 'listKeys']);
    expect(ids({ include: ['operationId:putKey'], exclude: ['path:/users/**'] })).toEqual([]);
  });

  it('applies x-mcp (operation > path > root) and skips deprecated by default', () => {
    expect(ids({})).toEqual(['listPets', 'createPet', 'deletePet', 'putKey']);
    expect(ids({ includeDeprecated: true })).toContain('old');
    const skipped = selectOperations(listOperations(doc), {}).skipped;
    expect(skipped).toContainEqual({ method: 'GET', path: '/users/{id}/keys', operationId: 'listKeys', reason: 'x-mcp: false' });
  });

  it('refuses more than maxTools with a message that shows how to narrow', () => {
    expect(() => ids({ maxTools: 2 })).toThrow(/4 operations selected, more than maxTools \(2\)[\s\S]*by tag: +pets \(3\)[\s\S]*--include 'tag:pets'/);
  });
});
