import { describe, expect, it } from 'vitest';
import { NO_FILTERS } from '@/features/notes/lib/filters';
import { flattenPages, optimisticNote, type NotesData, type PendingOp } from '@/features/notes/lib/list-patch';
import { echoesPendingCreate, listAfterEvent, parseNoteEvent, type NoteEvent } from '@/features/notes/lib/live-events';
import type { Note, NoteFilters } from '@/features/notes/types';
import { makeNote as note } from '@/testing/notes';

function data(...pages: Note[][]): NotesData {
  return {
    pages: pages.map((notes, i) => ({ notes, nextCursor: i < pages.length - 1 ? `c${i}` : null })),
    pageParams: pages.map((_, i) => (i === 0 ? null : `c${i - 1}`)),
  };
}

const ids = (list: NotesData | 'refetch') => (list === 'refetch' ? list : flattenPages(list).map((n) => n._id));
const whole = (type: 'note.created' | 'note.updated' | 'note.restored', n: Note): NoteEvent => ({ type, note: n });

describe('parseNoteEvent', () => {
  it('reads the whole note of a change, and the id and version of a delete', () => {
    const n = note('a', { version: 4 });
    expect(parseNoteEvent('note.updated', { note: n })).toEqual({ type: 'note.updated', note: n });
    expect(parseNoteEvent('note.deleted', { note: { _id: 'a', version: 5 } })).toEqual({
      type: 'note.deleted',
      noteId: 'a',
      version: 5,
    });
    expect(parseNoteEvent('notes.imported', { created: 3 })).toEqual({ type: 'notes.imported' });
  });

  it('ignores what it cannot trust: unknown types, partial notes, odd values', () => {
    expect(parseNoteEvent('note.renamed', { note: note('a') })).toBeNull();
    expect(parseNoteEvent('note.updated', { note: { _id: 'a', version: 2 } })).toBeNull();
    expect(parseNoteEvent('note.updated', { note: { ...note('a'), status: 'Sleeping' } })).toBeNull();
    expect(parseNoteEvent('note.deleted', { note: { _id: 'a' } })).toBeNull();
    expect(parseNoteEvent('note.created', null)).toBeNull();
  });
});

describe('listAfterEvent', () => {
  it('puts a new note where the list shows it: on top by default, in order on a board column', () => {
    expect(ids(listAfterEvent(data([note('a')]), NO_FILTERS, whole('note.created', note('b'))))).toEqual(['b', 'a']);
    const column: NoteFilters = { ...NO_FILTERS, status: 'Pending', sort: 'position', order: 'asc' };
    const before = data([note('a', { position: 'a0' }), note('c', { position: 'a2' })]);
    const event = whole('note.created', note('b', { position: 'a1' }));
    expect(ids(listAfterEvent(before, column, event))).toEqual(['a', 'b', 'c']);
  });

  it('moves a note in or out of a filtered list as its fields change', () => {
    const pending: NoteFilters = { ...NO_FILTERS, status: 'Pending' };
    const before = data([note('a'), note('b')]);
    const done = whole('note.updated', note('a', { status: 'Done', version: 2 }));
    expect(ids(listAfterEvent(before, pending, done))).toEqual(['b']);
    const elsewhere = whole('note.updated', note('z', { status: 'Done', version: 2 }));
    expect(listAfterEvent(before, pending, elsewhere)).toBe(before);
    const back = whole('note.restored', note('z', { version: 3 }));
    expect(ids(listAfterEvent(before, pending, back))).toEqual(['z', 'a', 'b']);
  });

  it('never takes a note back to an older version, and a repeat changes nothing', () => {
    const before = data([note('a', { version: 3, title: 'Newest' })]);
    expect(listAfterEvent(before, NO_FILTERS, whole('note.updated', note('a', { version: 2, title: 'Old' })))).toBe(before);
    expect(listAfterEvent(before, NO_FILTERS, whole('note.updated', note('a', { version: 3, title: 'Newest' })))).toBe(before);
    const after = listAfterEvent(before, NO_FILTERS, whole('note.updated', note('a', { version: 4, title: 'Next' })));
    expect(after !== 'refetch' && flattenPages(after)[0]?.title).toBe('Next');
  });

  it('drops a deleted note, unless the list already has a newer copy (restored since)', () => {
    const before = data([note('a', { version: 3 }), note('b')]);
    expect(ids(listAfterEvent(before, NO_FILTERS, { type: 'note.deleted', noteId: 'a', version: 3 }))).toEqual(['b']);
    expect(listAfterEvent(before, NO_FILTERS, { type: 'note.purged', noteId: 'a', version: 2 })).toBe(before);
    expect(listAfterEvent(before, NO_FILTERS, { type: 'note.deleted', noteId: 'zzz', version: 9 })).toBe(before);
  });

  it('asks again for a search the note is or may be in (the server orders and highlights those)', () => {
    const search: NoteFilters = { ...NO_FILTERS, q: 'kitchen' };
    const before = data([note('a', { title: 'Kitchen tiles' })]);
    expect(listAfterEvent(before, search, whole('note.updated', note('a', { title: 'Kitchen', version: 2 })))).toBe('refetch');
    expect(listAfterEvent(before, search, whole('note.created', note('b', { title: 'Kitchen sink' })))).toBe('refetch');
    expect(listAfterEvent(before, search, whole('note.created', note('c', { title: 'Garden' })))).toBe(before);
    expect(listAfterEvent(before, NO_FILTERS, { type: 'notes.imported' })).toBe('refetch');
  });
});

describe('echoesPendingCreate', () => {
  const input = { title: 'Milk', description: '', status: 'Pending', priority: 'Medium' } as const;
  const created = note('real', { ...input });
  const create = (extra: Partial<Extract<PendingOp, { kind: 'create' }>> = {}): PendingOp => ({
    opId: '1',
    kind: 'create',
    note: optimisticNote(input, 'pending-1', 'u1'),
    key: 'k1',
    seq: 1,
    ...extra,
  });

  it('recognises this page’s own create coming back before the server’s answer', () => {
    expect(echoesPendingCreate(created, [create()])).toBe(true);
    expect(echoesPendingCreate(created, [create({ queued: true, sent: true })])).toBe(true);
  });

  it('does not hide other notes, nor count a create still waiting to be sent', () => {
    expect(echoesPendingCreate(note('x', { ...input, title: 'Bread' }), [create()])).toBe(false);
    expect(echoesPendingCreate(created, [create({ queued: true })])).toBe(false);
    expect(echoesPendingCreate(created, [])).toBe(false);
  });
});
