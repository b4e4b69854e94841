import { describe, expect, it } from 'vitest';
import { lineDiff } from './line-diff.js';

describe('lineDiff', () => {
  it('marks removed and added lines and keeps context', () => {
    expect(lineDiff('a\nb\nc', 'a\nB\nc')).toBe(' a\n-b\n+B\n c');
  });

  it('elides long unchanged stretches', () => {
    const before = Array.from({ length: 20 }, (_, i) => `l${i}`).join('\n');
    const after = before.replace('l10', 'L10');
    expect(lineDiff(before, after, 1)).toBe('…\n l9\n-l10\n+L10\n l11\n…');
  });

  it('handles empty sides', () => {
    expect(lineDiff('', 'x')).toBe('-\n+x');
    expect(lineDiff('same', 'same')).toBe('…');
  });

  it('falls back to a whole replacement past the size cap', () => {
    const big = Array.from({ length: 600 }, (_, i) => `${i}`).join('\n');
    const out = lineDiff(big, big + '\nmore');
    expect(out.split('\n').filter((l) => l.startsWith('-'))).toHaveLength(600);
    expect(out.endsWith('+more')).toBe(true);
  });
});
