/**
 * Pure functions over the notes the query cache holds and the operations not yet confirmed.
 *
 * The query cache holds only what the server said. Unconfirmed operations live in the notes
 * store and are laid over the server's notes when rendering (`applyPendingOps`), so a
 * background refetch never wipes them, and a rollback is just dropping the operation. When the
 * server confirms one, its answer is written into the cache (`applyServerNote`) and the
 * operation is dropped in the same update.
 *
 * Which of two copies of a note is the newer is decided in one place: `preferNewer`.
 */
import { matchesFilters } from '@/features/notes/lib/filters';
import { listOrdering, sortedIndex, sortKeysDiffer, type Ordering } from '@/features/notes/lib/sorting';
import { flattenPages, preferNewer, type NotesData } from '@/features/notes/lib/versions';
import type { Note, NoteFilters } from '@/features/notes/types';

export * from '@/features/notes/lib/pending-ops';
export type { NotesData } from '@/features/notes/lib/versions';
export { flattenPages, mergeFetchedNotes, preferNewer } from '@/features/notes/lib/versions';


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

/** Replace a note where it is, unless the cache already has a newer copy of it. */
export function replaceNote(data: NotesData, note: Note): NotesData {
  return mapPages(data, (notes) => {
    const index = notes.findIndex((n) => n._id === note._id);
    if (index < 0) return notes;
    const kept = preferNewer(notes[index], note);
    if (kept === notes[index]) return notes;
    const next = notes.slice();
    next[index] = kept;
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
 * Put a note where the list's order says, among the pages loaded: none when it belongs
 * after the last one loaded while more are to come (it arrives with its page).
 */
export function insertSorted(data: NotesData, note: Note, ordering: Ordering): NotesData {
  const without = removeNote(data, note._id);
  const pageIndex = without.pages.findIndex((page) => sortedIndex(page.notes, note, ordering) < page.notes.length);
  if (pageIndex < 0) {
    const last = without.pages.length - 1;
    if (last < 0) return prependNote(without, note);
    if (without.pages[last]?.nextCursor) return without;
    return mapPages(without, (notes, index) => (index === last ? [...notes, note] : notes));
  }
  return mapPages(without, (notes, index) => {
    if (index !== pageIndex) return notes;
    const at = sortedIndex(notes, note, ordering);
    return [...notes.slice(0, at), note, ...notes.slice(at)];
  });
}

/**
 * Fold a note the server just returned into one cached list query: replace it in place (or
 * move it, when the change moves it in the list's order), add it where it belongs if it is
 * new and matches the list's filters, drop it if it no longer does.
 */
export function applyServerNote(data: NotesData, note: Note, filters: NoteFilters): NotesData {
  if (!matchesFilters(note, filters)) return removeNote(data, note._id);
  const held = flattenPages(data).find((n) => n._id === note._id);
  const ordering = listOrdering(filters);
  if (held && preferNewer(held, note) === held) return data;
  if (!ordering) return held ? replaceNote(data, note) : prependNote(data, note);
  if (held && !sortKeysDiffer(held, note, ordering)) return replaceNote(data, note);
  return insertSorted(data, note, ordering);
}

