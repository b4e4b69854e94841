import { describe, expect, it } from 'vitest';
import { ResourceUriMap } from './resource-uris.js';

const map = new ResourceUriMap({ fs: 'fs', git: 'git_hub', n: '9lives', dash: 'a-b' });

describe('ResourceUriMap', () => {
  it.each([
    ['fs', 'file:///etc/hosts', 'file+fs:///etc/hosts'],
    ['git', 'git+ssh://host/repo.git', 'git+ssh+git.hub://host/repo.git'],
    ['n', 'urn:isbn:0451450523', 'urn+9lives:isbn:0451450523'],
    ['dash', 'https://x.test/a?b=c#d', 'https+a-b://x.test/a?b=c#d'],
  ])('namespaces %s %s as a URI that keeps a valid scheme', (server, uri, exposed) => {
    expect(map.toExposed(server, uri)).toBe(exposed);
    expect(map.toUpstream(exposed)).toEqual({ server, uri });
    expect(exposed).toMatch(/^[A-Za-z][A-Za-z0-9+.-]*:/);
  });

  it.each([
    'file:///{path}',
    'file:///{+path}',
    'db://{table}/{id}{?fields*}',
    'mem:{#frag}',
    'x:%7B%7D/%2F/é/日本',
    'HTTPS://Example.COM/%41',
    'a:',
    'data:text/plain;base64,SGVsbG8=',
  ])('round-trips %s exactly for every server', (uri) => {
    for (const server of ['fs', 'git', 'n', 'dash']) {
      expect(map.toUpstream(map.toExposed(server, uri)!)).toEqual({ server, uri });
    }
  });

  it('round-trips random URIs exactly (seeded, so a failure reproduces)', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = (chars: string, n: number) => Array.from({ length: n }, () => chars[Math.floor(random() * chars.length)]).join('');
    const schemeChars = 'abcXYZ019+-.';
    const restChars = 'abc/:?#[]@!$&\'()*+,;=%{}-._~ é日\u200B';
    for (let i = 0; i < 2000; i++) {
      const uri = `${pick('aZ', 1)}${pick(schemeChars, Math.floor(random() * 6))}:${pick(restChars, Math.floor(random() * 30))}`;
      const server = ['fs', 'git', 'n', 'dash'][i % 4]!;
      const exposed = map.toExposed(server, uri)!;
      expect(map.toUpstream(exposed), uri).toEqual({ server, uri });
    }
  });

  it('maps an expanded namespaced template to the expansion of the original template', () => {
    const template = map.toExposed('fs', 'file:///{path}')!;
    const expanded = template.replace('{path}', encodeURIComponent('a/b c'));
    expect(map.toUpstream(expanded)).toEqual({ server: 'fs', uri: 'file:///a%2Fb%20c' });
  });

  it('finds the prefix when a client lowercases the scheme', () => {
    const m = new ResourceUriMap({ GH: 'GitHub' });
    expect(m.toUpstream(m.toExposed('GH', 'file:///x')!.toLowerCase())).toEqual({ server: 'GH', uri: 'file:///x' });
  });

  it.each(['relative/path', '{scheme}://x', '1http://x', '', '://x'])('cannot namespace %j (no scheme)', (uri) => {
    expect(map.toExposed('fs', uri)).toBeUndefined();
  });

  it.each(['file:///x', 'file+nope:///x', '+fs:///x', 'not a uri', 'file+:///x'])('does not resolve %j', (exposed) => {
    expect(map.toUpstream(exposed)).toBeUndefined();
  });

  it('refuses prefixes that differ only in case, and bad prefixes', () => {
    expect(() => new ResourceUriMap({ a: 'Fs', b: 'fs' })).toThrow(/differ only in case/);
    expect(() => new ResourceUriMap({ a: 'f.s' })).toThrow(RangeError);
    expect(() => map.toExposed('unknown', 'file:///x')).toThrow(RangeError);
  });

  it('passes the URIs of the one server with the empty prefix unchanged, both ways', () => {
    const mixed = new ResourceUriMap({ fixture: '', fs: 'fs' });
    expect(mixed.toExposed('fixture', 'test://static-text')).toBe('test://static-text');
    expect(mixed.toUpstream('test://static-text')).toEqual({ server: 'fixture', uri: 'test://static-text' });
    expect(mixed.toUpstream('test://template/{id}/data')).toEqual({ server: 'fixture', uri: 'test://template/{id}/data' });
    expect(mixed.toUpstream('file+fs:///a')).toEqual({ server: 'fs', uri: 'file:///a' });
    // Would read back as fs's: not exposed, so the map stays exact.
    expect(mixed.toExposed('fixture', 'file+fs:///a')).toBeUndefined();
    expect(() => new ResourceUriMap({ a: '', b: '' })).toThrow(/both have the empty prefix/);
  });
});
