import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, planPages } from './pages.js';

describe('tools/list page planning', () => {
  it('fills pages up to the byte budget, at least one tool each, in order', () => {
    // +1 per tool for the separating comma.
    expect(planPages([100, 100, 100, 100], 250, 'x').starts).toEqual([0, 2]);
    expect(planPages([100, 100, 100, 100], 201, 'x').starts).toEqual([0, 2]);
    expect(planPages([100, 100, 100, 100], 200, 'x').starts).toEqual([0, 1, 2, 3]);
    expect(planPages([900, 10, 10], 100, 'x').starts).toEqual([0, 1]);
    expect(planPages([100, 100], 0, 'x').starts).toEqual([0]);
    expect(planPages([], 100, 'x').starts).toEqual([0]);
  });

  it('cursors name a later page of the same table and nothing else', () => {
    const plan = planPages([100, 100, 100], 150, 'table-a');
    expect(plan.starts).toEqual([0, 1, 2]);
    expect(decodeCursor(plan, encodeCursor(plan, 1))).toBe(1);
    expect(decodeCursor(plan, encodeCursor(plan, 2))).toBe(2);
    expect(decodeCursor(plan, encodeCursor(plan, 0))).toBeUndefined();
    expect(decodeCursor(plan, encodeCursor(plan, 3))).toBeUndefined();
    expect(decodeCursor(plan, encodeCursor(planPages([1], 1, 'table-b'), 1))).toBeUndefined();
    expect(decodeCursor(plan, 'not a cursor')).toBeUndefined();
  });
});
