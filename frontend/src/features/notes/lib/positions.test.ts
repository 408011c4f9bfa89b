import { describe, expect, it } from 'vitest';
import { positionAt } from '@/features/notes/lib/positions';

const column = (...positions: string[]) => positions.map((position) => ({ position }));

describe('positionAt (one key between the new neighbours)', () => {
  it('puts a card at the top, between two cards, or at the bottom', () => {
    const others = column('a0', 'a1', 'a2');
    const top = positionAt(others, 0);
    expect(top < 'a0').toBe(true);
    const middle = positionAt(others, 2);
    expect(middle > 'a1' && middle < 'a2').toBe(true);
    expect(positionAt(others, 3) > 'a2').toBe(true);
    expect(positionAt([], 0)).toBe('a0');
  });

  it('steps over neighbours that share a key, and always answers a valid key', () => {
    const twins = column('a0', 'a1', 'a1', 'a2');
    const key = positionAt(twins, 2);
    expect(key > 'a1' && key < 'a2').toBe(true);
    expect(positionAt(column('a1', '!!'), 1)).toMatch(/^[0-9A-Za-z]{2,64}$/);
  });
});
