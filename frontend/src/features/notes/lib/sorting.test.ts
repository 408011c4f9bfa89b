import { describe, expect, it } from 'vitest';
import { NO_FILTERS } from '@/features/notes/lib/filters';
import { compareNotes, listOrdering, sortedIndex, titleKey } from '@/features/notes/lib/sorting';
import { makeNote } from '@/testing/notes';

describe('list ordering (the server rules)', () => {
  it('is newest first by default, ranked by the server for a search without a sort', () => {
    expect(listOrdering(NO_FILTERS)).toEqual({ sort: 'created', order: 'desc' });
    expect(listOrdering({ ...NO_FILTERS, q: 'milk' })).toBeNull();
    expect(listOrdering({ ...NO_FILTERS, q: '!!' })).toEqual({ sort: 'created', order: 'desc' });
    expect(listOrdering({ ...NO_FILTERS, q: 'milk', sort: 'title' })).toEqual({ sort: 'title', order: 'asc' });
    expect(listOrdering({ ...NO_FILTERS, sort: 'priority', order: 'asc' })).toEqual({ sort: 'priority', order: 'asc' });
  });

  it('compares by each sort key, then the id, in the sort direction', () => {
    const high = makeNote('b', { priority: 'High', createdAt: '2026-01-01T00:00:00Z' });
    const low = makeNote('a', { priority: 'Low', createdAt: '2026-01-02T00:00:00Z' });
    expect(compareNotes(high, low, { sort: 'priority', order: 'desc' })).toBeLessThan(0);
    expect(compareNotes(high, low, { sort: 'created', order: 'desc' })).toBeGreaterThan(0);
    const twin = makeNote('c', { priority: 'High', createdAt: '2026-01-01T00:00:00Z' });
    expect(compareNotes(high, twin, { sort: 'priority', order: 'asc' })).toBeLessThan(0);
    // The board: by status column, then position (byte order).
    const top = makeNote('x', { position: 'Zz' });
    const next = makeNote('y', { position: 'a0' });
    const done = makeNote('z', { status: 'Done', position: 'A0' });
    expect([done, next, top].sort((p, q) => compareNotes(p, q, { sort: 'position', order: 'asc' })).map((n) => n._id)).toEqual([
      'x',
      'y',
      'z',
    ]);
  });

  it('sorts titles without case or accents, and times by instant whatever the precision', () => {
    expect(titleKey('  Éclair   au  Café ')).toBe('eclair au cafe');
    const a = makeNote('a', { createdAt: '2026-01-01T00:00:00.500Z' });
    const b = makeNote('b', { createdAt: '2026-01-01T00:00:00Z' });
    expect(sortedIndex([a], b, { sort: 'created', order: 'desc' })).toBe(1);
  });
});
