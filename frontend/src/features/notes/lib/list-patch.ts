/**
 * Pure functions for optimistic updates and rollbacks on the infinite notes list.
 *
 * The query cache holds only what the server said. Operations not yet confirmed live in
 * the pending-ops store and are laid over the server's list when rendering
 * (`applyPendingOps`), so a background refetch never wipes them and a rollback is just
 * dropping the operation.
 */
import type { InfiniteData } from '@tanstack/react-query';
import type { DisplayNote, Note, NoteFilters, NotePatch, NotesPage } from '@/features/notes/types';

export type NotesData = InfiniteData<NotesPage, string | null>;

export type PendingOp =
  | { opId: string; kind: 'create'; note: Note; confirmed?: Note }
  | { opId: string; kind: 'update'; noteId: string; patch: NotePatch; confirmed?: Note }
  | { opId: string; kind: 'delete'; noteId: string };

export function matchesFilters(note: Note, filters: NoteFilters): boolean {
  if (filters.status && note.status !== filters.status) return false;
  if (filters.priority && note.priority !== filters.priority) return false;
  const q = filters.q.trim().toLowerCase();
  if (q && !`${note.title}\n${note.description}`.toLowerCase().includes(q)) return false;
  return true;
}

export function flattenPages(data: NotesData | undefined): Note[] {
  if (!data) return [];
  const seen = new Set<string>();
  const notes: Note[] = [];
  for (const page of data.pages) {
    for (const note of page.notes) {
      if (!seen.has(note._id)) {
        seen.add(note._id);
        notes.push(note);
      }
    }
  }
  return notes;
}

function mapPages(data: NotesData, fn: (notes: Note[], index: number) => Note[]): NotesData {
  let changed = false;
  const pages = data.pages.map((page, index) => {
    const notes = fn(page.notes, index);
    if (notes === page.notes) return page;
    changed = true;
    return { ...page, notes };
  });
  return changed ? { ...data, pages } : data;
}

/** Remove a note from every page. */
export function removeNote(data: NotesData, noteId: string): NotesData {
  return mapPages(data, (notes) =>
    notes.some((n) => n._id === noteId) ? notes.filter((n) => n._id !== noteId) : notes,
  );
}

/** Replace a note where it is, unless the cache already has a newer version of it. */
export function replaceNote(data: NotesData, note: Note): NotesData {
  return mapPages(data, (notes) => {
    const index = notes.findIndex((n) => n._id === note._id);
    const current = index >= 0 ? notes[index] : undefined;
    if (!current || current.version > note.version) return notes;
    const next = notes.slice();
    next[index] = note;
    return next;
  });
}

/** Put a note at the top of the first page (dropping any older copy). */
export function prependNote(data: NotesData, note: Note): NotesData {
  const without = removeNote(data, note._id);
  if (without.pages.length === 0) {
    return { pages: [{ notes: [note], nextCursor: null }], pageParams: [null] };
  }
  return mapPages(without, (notes, index) => (index === 0 ? [note, ...notes] : notes));
}

/**
 * Fold a note the server just returned into one cached list query: replace it in place,
 * add it on top if it is new and matches the list's filters, drop it if it no longer does.
 */
export function applyServerNote(data: NotesData, note: Note, filters: NoteFilters): NotesData {
  if (!matchesFilters(note, filters)) return removeNote(data, note._id);
  const present = data.pages.some((page) => page.notes.some((n) => n._id === note._id));
  return present ? replaceNote(data, note) : prependNote(data, note);
}

/** The list as shown: the server's notes with every pending or just-confirmed operation applied. */
export function applyPendingOps(
  serverNotes: readonly Note[],
  ops: readonly PendingOp[],
  filters: NoteFilters,
): DisplayNote[] {
  let list: DisplayNote[] = serverNotes.slice();
  for (const op of ops) {
    if (op.kind === 'create') {
      const note = op.confirmed ?? op.note;
      const existing = list.findIndex((n) => n._id === note._id);
      if (existing >= 0) continue;
      if (matchesFilters(note, filters)) list = [{ ...note, pending: !op.confirmed }, ...list];
    } else if (op.kind === 'update') {
      const index = list.findIndex((n) => n._id === op.noteId);
      const base = list[index];
      if (!base) continue;
      let next: DisplayNote;
      if (op.confirmed) {
        next = base.version >= op.confirmed.version ? base : { ...op.confirmed, pending: false };
      } else {
        next = { ...base, ...op.patch, pending: true };
      }
      if (matchesFilters(next, filters)) {
        list = list.slice();
        list[index] = next;
      } else {
        list = list.filter((n) => n._id !== op.noteId);
      }
    } else {
      list = list.filter((n) => n._id !== op.noteId);
    }
  }
  return list;
}

/** A stand-in note shown while the server has not answered a create yet. */
export function optimisticNote(
  input: Pick<Note, 'title' | 'description' | 'status' | 'priority'>,
  tempId: string,
  userId: string,
  now: Date = new Date(),
): Note {
  const iso = now.toISOString();
  return { ...input, _id: tempId, userId, version: 0, createdAt: iso, updatedAt: iso };
}
