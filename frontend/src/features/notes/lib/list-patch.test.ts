import { describe, expect, it } from 'vitest';
import {
  applyPendingOps,
  applyServerNote,
  flattenPages,
  matchesFilters,
  optimisticNote,
  prependNote,
  removeNote,
  replaceNote,
  type NotesData,
  type PendingOp,
} from '@/features/notes/lib/list-patch';
import type { Note, NoteFilters } from '@/features/notes/types';

const NO_FILTERS: NoteFilters = { q: '', status: '', priority: '' };

function note(id: string, extra: Partial<Note> = {}): Note {
  return {
    _id: id,
    userId: 'u1',
    title: `Note ${id}`,
    description: '',
    status: 'Pending',
    priority: 'Medium',
    version: 1,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...extra,
  };
}

function data(...pages: Note[][]): NotesData {
  return {
    pages: pages.map((notes, i) => ({ notes, nextCursor: i < pages.length - 1 ? `c${i}` : null })),
    pageParams: pages.map((_, i) => (i === 0 ? null : `c${i - 1}`)),
  };
}

describe('cache patches', () => {
  it('removes a note from whichever page holds it and leaves other pages untouched', () => {
    const before = data([note('a'), note('b')], [note('c')]);
    const after = removeNote(before, 'c');
    expect(flattenPages(after).map((n) => n._id)).toEqual(['a', 'b']);
    expect(after.pages[0]).toBe(before.pages[0]);
    expect(removeNote(before, 'zzz')).toBe(before);
  });

  it('replaces in place, but never with an older version', () => {
    const before = data([note('a', { version: 3 }), note('b')]);
    const newer = replaceNote(before, note('b', { version: 2, title: 'new' }));
    expect(flattenPages(newer)[1]?.title).toBe('new');
    expect(replaceNote(before, note('a', { version: 2, title: 'old' }))).toBe(before);
  });

  it('prepends to the first page, dropping any older copy elsewhere', () => {
    const before = data([note('a')], [note('b')]);
    const after = prependNote(before, note('b', { version: 2 }));
    expect(after.pages[0]?.notes.map((n) => n._id)).toEqual(['b', 'a']);
    expect(after.pages[1]?.notes).toEqual([]);
    expect(prependNote({ pages: [], pageParams: [] }, note('x')).pages[0]?.notes[0]?._id).toBe('x');
  });

  it('folds a server note into a filtered list: add, replace, or drop', () => {
    const pendingOnly: NoteFilters = { ...NO_FILTERS, status: 'Pending' };
    const list = data([note('a'), note('b')]);
    const added = applyServerNote(list, note('c'), pendingOnly);
    expect(flattenPages(added).map((n) => n._id)).toEqual(['c', 'a', 'b']);
    const moved = applyServerNote(list, note('a', { status: 'Done', version: 2 }), pendingOnly);
    expect(flattenPages(moved).map((n) => n._id)).toEqual(['b']);
    const edited = applyServerNote(list, note('a', { title: 'T', version: 2 }), pendingOnly);
    expect(flattenPages(edited)[0]?.title).toBe('T');
  });
});

describe('matchesFilters', () => {
  it('checks status, priority and a case-insensitive search in title and description', () => {
    const n = note('a', { title: 'Buy milk', description: 'Semi-skimmed', priority: 'High' });
    expect(matchesFilters(n, NO_FILTERS)).toBe(true);
    expect(matchesFilters(n, { ...NO_FILTERS, q: 'MILK' })).toBe(true);
    expect(matchesFilters(n, { ...NO_FILTERS, q: 'skimmed' })).toBe(true);
    expect(matchesFilters(n, { ...NO_FILTERS, q: 'bread' })).toBe(false);
    expect(matchesFilters(n, { ...NO_FILTERS, priority: 'Low' })).toBe(false);
    expect(matchesFilters(n, { ...NO_FILTERS, status: 'Done' })).toBe(false);
  });
});

describe('applyPendingOps (optimistic view and rollback)', () => {
  const server = [note('a'), note('b')];

  it('shows a pending create on top, marked pending, and hides it when it does not match', () => {
    const temp = optimisticNote(
      { title: 'New', description: '', status: 'Pending', priority: 'Low' },
      'pending-1',
      'u1',
    );
    const ops: PendingOp[] = [{ opId: '1', kind: 'create', note: temp }];
    const shown = applyPendingOps(server, ops, NO_FILTERS);
    expect(shown.map((n) => n._id)).toEqual(['pending-1', 'a', 'b']);
    expect(shown[0]?.pending).toBe(true);
    expect(applyPendingOps(server, ops, { ...NO_FILTERS, status: 'Done' })).toHaveLength(2);
  });

  it('shows a confirmed create once, without the pending marker, even after the refetch has it', () => {
    const saved = note('c', { version: 1 });
    const ops: PendingOp[] = [
      { opId: '1', kind: 'create', note: note('pending-1'), confirmed: saved },
    ];
    const beforeRefetch = applyPendingOps(server, ops, NO_FILTERS);
    expect(beforeRefetch.map((n) => [n._id, n.pending])).toEqual([
      ['c', false],
      ['a', undefined],
      ['b', undefined],
    ]);
    const afterRefetch = applyPendingOps([saved, ...server], ops, NO_FILTERS);
    expect(afterRefetch.map((n) => n._id)).toEqual(['c', 'a', 'b']);
  });

  it('applies pending edits in order on top of the server note', () => {
    const ops: PendingOp[] = [
      { opId: '1', kind: 'update', noteId: 'a', patch: { status: 'InProgress' } },
      { opId: '2', kind: 'update', noteId: 'a', patch: { title: 'Renamed' } },
    ];
    const [first] = applyPendingOps(server, ops, NO_FILTERS);
    expect(first).toMatchObject({ _id: 'a', status: 'InProgress', title: 'Renamed', pending: true });
  });

  it('drops an edited note from a list whose filters it no longer matches', () => {
    const ops: PendingOp[] = [{ opId: '1', kind: 'update', noteId: 'a', patch: { status: 'Done' } }];
    expect(applyPendingOps(server, ops, { ...NO_FILTERS, status: 'Pending' }).map((n) => n._id)).toEqual([
      'b',
    ]);
  });

  it('prefers the newer of a confirmed edit and the refetched server note', () => {
    const confirmed = note('a', { version: 2, title: 'Mine' });
    const ops: PendingOp[] = [{ opId: '1', kind: 'update', noteId: 'a', patch: {}, confirmed }];
    expect(applyPendingOps(server, ops, NO_FILTERS)[0]?.title).toBe('Mine');
    const refetched = [note('a', { version: 3, title: 'Theirs' }), note('b')];
    expect(applyPendingOps(refetched, ops, NO_FILTERS)[0]?.title).toBe('Theirs');
  });

  it('hides a note with a scheduled delete; removing the op (undo or failure) restores it', () => {
    const ops: PendingOp[] = [{ opId: '1', kind: 'delete', noteId: 'a' }];
    expect(applyPendingOps(server, ops, NO_FILTERS).map((n) => n._id)).toEqual(['b']);
    expect(applyPendingOps(server, [], NO_FILTERS)).toEqual(server);
  });

  it('rolls back to the server truth when a failed edit is dropped', () => {
    const ops: PendingOp[] = [{ opId: '1', kind: 'update', noteId: 'a', patch: { title: 'X' } }];
    expect(applyPendingOps(server, ops, NO_FILTERS)[0]?.title).toBe('X');
    const rolledBack = applyPendingOps(server, ops.filter((op) => op.opId !== '1'), NO_FILTERS);
    expect(rolledBack[0]).toEqual(server[0]);
    expect(rolledBack[0]?.pending).toBeUndefined();
  });

  it('ignores edits to notes that are not in the list', () => {
    const ops: PendingOp[] = [{ opId: '1', kind: 'update', noteId: 'zzz', patch: { title: 'X' } }];
    expect(applyPendingOps(server, ops, NO_FILTERS)).toEqual(server);
  });
});
