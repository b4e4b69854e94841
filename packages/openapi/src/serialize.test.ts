import { describe, expect, it } from 'vitest';
import type { ParamBinding } from './model.js';
import { serializeCookie, serializeHeader, serializePath, serializeQuery } from './serialize.js';

// The OpenAPI 3.1 "Style Examples" table: color = "blue" | ["blue","black","brown"] | {R:100,G:200,B:150}.
const primitive = 'blue';
const array = ['blue', 'black', 'brown'];
const object = { R: 100, G: 200, B: 150 };
const b = (location: ParamBinding['location'], style: string, explode: boolean): ParamBinding => ({ arg: 'color', name: 'color', location, style, explode, allowReserved: false, required: false });

describe('OpenAPI style examples', () => {
  it.each([
    ['simple', false, 'blue', 'blue,black,brown', 'R,100,G,200,B,150'],
    ['simple', true, 'blue', 'blue,black,brown', 'R=100,G=200,B=150'],
    ['label', false, '.blue', '.blue,black,brown', '.R,100,G,200,B,150'],
    ['label', true, '.blue', '.blue.black.brown', '.R=100.G=200.B=150'],
    ['matrix', false, ';color=blue', ';color=blue,black,brown', ';color=R,100,G,200,B,150'],
    ['matrix', true, ';color=blue', ';color=blue;color=black;color=brown', ';R=100;G=200;B=150'],
  ])('path %s explode=%s', (style, explode, p, a, o) => {
    expect(serializePath(b('path', style, explode), primitive)).toBe(p);
    expect(serializePath(b('path', style, explode), array)).toBe(a);
    expect(serializePath(b('path', style, explode), object)).toBe(o);
  });

  it.each([
    ['form', false, 'color=blue', 'color=blue,black,brown', 'color=R,100,G,200,B,150'],
    ['form', true, 'color=blue', 'color=blue&color=black&color=brown', 'R=100&G=200&B=150'],
    ['spaceDelimited', false, 'color=blue', 'color=blue%20black%20brown', 'color=R%20100%20G%20200%20B%20150'],
    ['pipeDelimited', false, 'color=blue', 'color=blue|black|brown', 'color=R|100|G|200|B|150'],
    ['deepObject', true, 'color=blue', 'color[0]=blue&color[1]=black&color[2]=brown', 'color[R]=100&color[G]=200&color[B]=150'],
  ])('query %s explode=%s', (style, explode, p, a, o) => {
    expect(serializeQuery(b('query', style, explode), primitive).join('&')).toBe(p);
    expect(serializeQuery(b('query', style, explode), array).join('&')).toBe(a);
    expect(serializeQuery(b('query', style, explode), object).join('&')).toBe(o);
  });

  it('headers use simple style without percent-encoding; cookies use form with encoded values', () => {
    expect(serializeHeader(b('header', 'simple', false), array)).toBe('blue,black,brown');
    expect(serializeHeader(b('header', 'simple', true), object)).toBe('R=100,G=200,B=150');
    expect(serializeCookie(b('cookie', 'form', false), array)).toEqual(['color=blue,black,brown']);
    expect(serializeCookie(b('cookie', 'form', true), array)).toEqual(['color=blue', 'color=black', 'color=brown']);
    expect(serializeCookie(b('cookie', 'form', true), 'a; b=c')).toEqual(['color=a%3B%20b%3Dc']);
  });

  it('percent-encodes path values (reserved characters too) and honours allowReserved in query', () => {
    expect(serializePath(b('path', 'simple', false), 'a/b?c#d e')).toBe('a%2Fb%3Fc%23d%20e');
    expect(serializeQuery({ ...b('query', 'form', true), allowReserved: true }, 'a/b?c')).toEqual(['color=a/b?c']);
    expect(serializeQuery(b('query', 'form', true), 'a/b?c')).toEqual(['color=a%2Fb%3Fc']);
    expect(() => serializePath(b('path', 'simple', false), '..')).toThrow(/must not be empty/);
  });
});
