import { describe, expect, it } from 'vitest';
import { NO_FILTERS } from '@/features/notes/lib/filters';
import {
  applyOpsToNote,
  applyPendingOps,
  applyServerNote,
  applyTrashOps,
  flattenPages,
  mergeFetchedNotes,
  optimisticNote,
  preferNewer,
  prependNote,
  removeNote,
  replaceNote,
  type NotesData,
  type PendingOp,
} from '@/features/notes/lib/list-patch';
import type { Note, NoteChange, NoteFilters } from '@/features/notes/types';
import { makeNote } from '@/testing/notes';

const note = makeNote;

function upd(opId: string, noteId: string, patch: NoteChange): PendingOp {
  return { opId, kind: 'update', noteId, patch, base: note(noteId), baseVersion: 1, key: `k${opId}`, seq: Number(opId) || 0 };
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

describe('preferNewer (the one rule for which copy of a note wins)', () => {
  it('keeps the higher version, and the held copy on a tie', () => {
    const v1 = note('a', { version: 1, title: 'old' });
    const v2 = note('a', { version: 2, title: 'new' });
    expect(preferNewer(undefined, v1)).toBe(v1);
    expect(preferNewer(v1, v2)).toBe(v2);
    expect(preferNewer(v2, v1)).toBe(v2);
    const tie = note('a', { version: 2, title: 'new' });
    expect(preferNewer(v2, tie)).toBe(v2);
  });

  it('lets a refetched page keep a newer copy the cache already had', () => {
    const held = [note('a', { version: 3, title: 'Mine' }), note('b')];
    const fetched = [note('a', { version: 2, title: 'Stale' }), note('c')];
    expect(mergeFetchedNotes(held, fetched).map((n) => [n._id, n.title])).toEqual([
      ['a', 'Mine'],
      ['c', 'Note c'],
    ]);
    const fresh = [note('a', { version: 4, title: 'Theirs' })];
    expect(mergeFetchedNotes(held, fresh)).toBe(fresh);
    expect(mergeFetchedNotes(undefined, fresh)).toBe(fresh);
  });
});

describe('applyPendingOps (optimistic view and rollback)', () => {
  const server = [note('a'), note('b')];

  it('shows pending creates on top, newest first, marked pending, only when they match', () => {
    // (The server's own notes are not judged again: it chose them by the same filters.)
    const input = { title: 'New', description: '', status: 'Pending', priority: 'Low' } as const;
    const ops: PendingOp[] = [
      { opId: '1', kind: 'create', note: optimisticNote(input, 'pending-1', 'u1'), key: 'k1', seq: 1 },
      { opId: '2', kind: 'create', note: optimisticNote(input, 'pending-2', 'u1'), key: 'k2', seq: 2 },
    ];
    const shown = applyPendingOps(server, ops, NO_FILTERS);
    expect(shown.map((n) => n._id)).toEqual(['pending-2', 'pending-1', 'a', 'b']);
    expect(shown[0]?.pending).toBe(true);
    expect(shown[2]?.pending).toBeUndefined();
    expect(applyPendingOps(server, ops, { ...NO_FILTERS, status: 'Done' })).toHaveLength(2);
  });

  it('shows a note made offline once, with the changes made to it since, marked as waiting', () => {
    const input = { title: 'Offline', description: '', status: 'Pending', priority: 'Low' } as const;
    const made = optimisticNote(input, 'pending-1', 'u1');
    const ops: PendingOp[] = [
      { opId: '1', kind: 'create', note: made, key: 'k1', seq: 1, queued: true },
      { opId: '2', kind: 'update', noteId: 'pending-1', patch: { status: 'Done' }, base: made, baseVersion: 0, key: 'k2', seq: 2, queued: true },
    ];
    const shown = applyPendingOps(server, ops, NO_FILTERS);
    expect(shown.map((n) => n._id)).toEqual(['pending-1', 'a', 'b']);
    expect(shown[0]).toMatchObject({ status: 'Done', pending: true, queued: true });
    expect(applyPendingOps(server, ops, { ...NO_FILTERS, status: 'Pending' }).map((n) => n._id)).toEqual(['a', 'b']);
  });

  it('applies pending edits in order on top of the server note', () => {
    const ops: PendingOp[] = [
      upd('1', 'a', { status: 'InProgress' }),
      upd('2', 'a', { title: 'Renamed' }),
    ];
    const [first] = applyPendingOps(server, ops, NO_FILTERS);
    expect(first).toMatchObject({ _id: 'a', status: 'InProgress', title: 'Renamed', pending: true });
  });

  it('drops an edited note from a list whose filters it no longer matches, search included', () => {
    const ops: PendingOp[] = [upd('1', 'a', { status: 'Done' })];
    expect(applyPendingOps(server, ops, { ...NO_FILTERS, status: 'Pending' }).map((n) => n._id)).toEqual(['b']);
    const found = [note('a', { title: 'My resume' }), note('b', { title: 'Resume draft' })];
    const renamed: PendingOp[] = [
      upd('1', 'a', { title: 'Résumé, final' }),
      upd('2', 'b', { title: 'Cover letter' }),
    ];
    expect(applyPendingOps(found, renamed, { ...NO_FILTERS, q: 'resume' }).map((n) => n._id)).toEqual(['a']);
  });

  it('hides a note with a pending delete; removing the op (undo or failure) restores it', () => {
    const ops: PendingOp[] = [{ opId: '1', kind: 'delete', noteId: 'a', note: note('a'), key: 'k1', seq: 1 }];
    expect(applyPendingOps(server, ops, NO_FILTERS).map((n) => n._id)).toEqual(['b']);
    expect(applyPendingOps(server, [], NO_FILTERS)).toEqual(server);
  });

  it('rolls back to the server truth when a failed edit is dropped', () => {
    const ops: PendingOp[] = [upd('1', 'a', { title: 'X' })];
    expect(applyPendingOps(server, ops, NO_FILTERS)[0]?.title).toBe('X');
    const rolledBack = applyPendingOps(server, [], NO_FILTERS);
    expect(rolledBack[0]).toEqual(server[0]);
    expect(rolledBack[0]?.pending).toBeUndefined();
  });

  it('ignores edits to notes of other lists that do not belong in this one', () => {
    const ops: PendingOp[] = [upd('1', 'zzz', { title: 'X' })];
    expect(applyPendingOps(server, ops, { ...NO_FILTERS, status: 'Done' })).toEqual(server);
  });

  it('moves a card between board columns and within one, by position', () => {
    const board = (status: Note['status']): NoteFilters => ({ ...NO_FILTERS, status, sort: 'position' });
    const pending = [note('a', { position: 'a0' }), note('b', { position: 'a1' }), note('c', { position: 'a2' })];
    const done = [note('d', { status: 'Done', position: 'a0' }), note('e', { status: 'Done', position: 'a1' })];
    // c to the top of Pending
    const up: PendingOp[] = [upd('1', 'c', { position: 'Zz' })];
    expect(applyPendingOps(pending, up, board('Pending')).map((n) => n._id)).toEqual(['c', 'a', 'b']);
    // a to Done, between d and e: gone from one column, in place in the other
    const across: PendingOp[] = [upd('1', 'a', { status: 'Done', position: 'a0V' })];
    expect(applyPendingOps(pending, across, board('Pending')).map((n) => n._id)).toEqual(['b', 'c']);
    const shown = applyPendingOps(done, across, board('Done'));
    expect(shown.map((n) => n._id)).toEqual(['d', 'a', 'e']);
    expect(shown[1]).toMatchObject({ status: 'Done', pending: true });
  });

  it('shows a note being restored, and hides it from the trash', () => {
    const back: PendingOp[] = [{ opId: '1', kind: 'restore', noteId: 'z', note: note('z', { createdAt: '2026-02-01T00:00:00Z' }) }];
    expect(applyPendingOps(server, back, NO_FILTERS).map((n) => n._id)).toEqual(['z', 'a', 'b']);
    expect(applyTrashOps([note('y'), note('z')], back).map((n) => n._id)).toEqual(['y']);
    expect(applyTrashOps([note('y')], [{ opId: '2', kind: 'purge', noteId: null }])).toEqual([]);
  });

  it('an undo (restore) after a delete still waiting shows the note again', () => {
    const ops: PendingOp[] = [
      { opId: '1', kind: 'delete', noteId: 'a', note: note('a'), key: 'k1', seq: 1 },
      { opId: '2', kind: 'restore', noteId: 'a', note: note('a') },
    ];
    expect(applyPendingOps(server, ops, NO_FILTERS).map((n) => [n._id, n.pending])).toEqual([
      ['a', true],
      ['b', undefined],
    ]);
  });

  it('gives one note its pending edits, or null once a delete is pending', () => {
    const ops: PendingOp[] = [upd('1', 'a', { status: 'Done' })];
    expect(applyOpsToNote(note('a'), ops)).toMatchObject({ status: 'Done', pending: true });
    expect(applyOpsToNote(note('b'), ops)).toEqual(note('b'));
    const deleting: PendingOp[] = [{ opId: '2', kind: 'delete', noteId: 'a', note: note('a'), key: 'k2', seq: 2 }];
    expect(applyOpsToNote(note('a'), deleting)).toBeNull();
  });
});

describe('applyServerNote in sorted lists', () => {
  it('puts a confirmed note where the sort says, and moves an edited one', () => {
    const byTitle: NoteFilters = { ...NO_FILTERS, sort: 'title' };
    const list = data([note('a', { title: 'Apple' }), note('c', { title: 'cherry' })]);
    const added = applyServerNote(list, note('b', { title: 'Banana' }), byTitle);
    expect(flattenPages(added).map((n) => n.title)).toEqual(['Apple', 'Banana', 'cherry']);
    const renamed = applyServerNote(added, note('a', { title: 'Zucchini', version: 2 }), byTitle);
    expect(flattenPages(renamed).map((n) => n.title)).toEqual(['Banana', 'cherry', 'Zucchini']);
  });

  it('leaves a note that belongs after the loaded pages to its page', () => {
    const byTitle: NoteFilters = { ...NO_FILTERS, sort: 'title' };
    const list = data([note('a', { title: 'Apple' })], [note('c', { title: 'Cherry' })]);
    list.pages[1] = { notes: [note('c', { title: 'Cherry' })], nextCursor: 'more' };
    expect(flattenPages(applyServerNote(list, note('z', { title: 'Zebra' }), byTitle)).map((n) => n._id)).toEqual([
      'a',
      'c',
    ]);
  });
});
