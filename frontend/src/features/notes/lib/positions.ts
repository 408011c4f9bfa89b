/**
 * Board positions: fractional-indexing keys (the server's algorithm), so a card moved on the
 * board gets a key between its new neighbours' and no other note is written.
 */
import { generateKeyBetween } from 'fractional-indexing';
import type { Note } from '@/features/notes/types';

function between(before: string | null, after: string | null): string | null {
  try {
    return generateKeyBetween(before, after);
  } catch {
    return null; // a key the algorithm refuses, or neighbours out of order
  }
}

/**
 * The position of a card put at `index` among `others` (its column without it, in board
 * order). Neighbours with the same key (two notes put at the top at once) are stepped over.
 */
export function positionAt(others: readonly Pick<Note, 'position'>[], index: number): string {
  const before = index > 0 ? (others[index - 1]?.position ?? null) : null;
  const after =
    others
      .slice(index)
      .map((note) => note.position)
      .find((position) => before === null || position > before) ?? null;
  return between(before, after) ?? between(before, null) ?? between(null, after) ?? 'a0';
}
