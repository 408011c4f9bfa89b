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
import type { InfiniteData } from '@tanstack/react-query';
import { matchesFilters } from '@/features/notes/lib/filters';
import type { DisplayNote, Note, NoteFilters, NotePatch, NotesPage } from '@/features/notes/types';

export type NotesData = InfiniteData<NotesPage, string | null>;

export type PendingOp =
  /** Shown on top of the list with a temporary id until the server answers. */
  | { opId: string; kind: 'create'; note: Note }
  | { opId: string; kind: 'update'; noteId: string; patch: NotePatch }
  /** Hidden at once; `sending` once the DELETE has gone out (too late to undo). */
  | { opId: string; kind: 'delete'; noteId: string; note: Note; sending: boolean };

/**
 * The copy of a note to keep: the server numbers every change, so the higher version is the
 * newer; on a tie both are the same change and the copy already held is kept (no re-render).
 */
export function preferNewer<T extends Note>(held: T | undefined, incoming: T): T {
  if (!held || incoming.version > held.version) return incoming;
  return held;
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

/** A page the server just sent, keeping any newer copy of a note the cache already had. */
export function mergeFetchedNotes(held: readonly Note[] | undefined, fetched: Note[]): Note[] {
  if (!held || held.length === 0) return fetched;
  const byId = new Map(held.map((note) => [note._id, note]));
  let changed = false;
  const merged = fetched.map((note) => {
    const kept = preferNewer(byId.get(note._id), note);
    if (kept !== note) changed = true;
    return kept;
  });
  return changed ? merged : fetched;
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
 * Fold a note the server just returned into one cached list query: replace it in place,
 * add it on top if it is new and matches the list's filters, drop it if it no longer does.
 */
export function applyServerNote(data: NotesData, note: Note, filters: NoteFilters): NotesData {
  if (!matchesFilters(note, filters)) return removeNote(data, note._id);
  const present = data.pages.some((page) => page.notes.some((n) => n._id === note._id));
  return present ? replaceNote(data, note) : prependNote(data, note);
}

/** One note with the unconfirmed edits to it applied, in order; null once a delete is pending. */
export function applyOpsToNote(note: DisplayNote, ops: readonly PendingOp[]): DisplayNote | null {
  let shown: DisplayNote = note;
  for (const op of ops) {
    if (op.kind === 'update' && op.noteId === note._id) shown = { ...shown, ...op.patch, pending: true };
    else if (op.kind === 'delete' && op.noteId === note._id) return null;
  }
  return shown;
}

/** The list as shown: the server's notes with every unconfirmed operation applied. */
export function applyPendingOps(
  serverNotes: readonly Note[],
  ops: readonly PendingOp[],
  filters: NoteFilters,
): DisplayNote[] {
  if (ops.length === 0) return serverNotes.slice();
  const shown: DisplayNote[] = [];
  for (const op of [...ops].reverse()) {
    if (op.kind !== 'create') continue;
    const next = applyOpsToNote({ ...op.note, pending: true }, ops);
    if (next && matchesFilters(next, filters)) shown.push(next);
  }
  for (const note of serverNotes) {
    const next = applyOpsToNote(note, ops);
    // The server chose its own notes by the filters; only what changed here is judged here.
    if (next && (next === note || matchesFilters(next, filters))) shown.push(next);
  }
  return shown;
}

/** A stand-in note shown while the server has not answered a create yet. */
export function optimisticNote(
  input: Pick<Note, 'title' | 'description' | 'status' | 'priority'>,
  tempId: string,
  userId: string,
  now: Date = new Date(),
): Note {
  const iso = now.toISOString();
  // The server puts a new note at the top of its column; "a0" holds its place until then.
  return { ...input, _id: tempId, userId, version: 0, position: 'a0', createdAt: iso, updatedAt: iso };
}

/** Notes not yet created on the server carry a temporary id and cannot be acted on. */
export function isUnsaved(note: Pick<Note, '_id'>): boolean {
  return note._id.startsWith('pending-');
}
