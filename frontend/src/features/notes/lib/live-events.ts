/**
 * Live updates (`GET /api/v1/events`) as pure functions: what an event says, and what it does
 * to a cached list. A list is patched where the event carries the note and the list's filters
 * and order can place it; a search's results are the server's to order and highlight, so those
 * are asked for again instead. Which copy of a note wins is `preferNewer`'s to say (the higher
 * version), so an event never takes a note back, and this page's own changes coming back as
 * events change nothing twice.
 */
import { matchesFilters } from '@/features/notes/lib/filters';
import { applyServerNote, flattenPages, removeNote, type NotesData } from '@/features/notes/lib/list-patch';
import type { PendingOp } from '@/features/notes/lib/pending-ops';
import { isNote, isRecord } from '@/features/notes/lib/note-guard';
import type { Note, NoteFilters } from '@/features/notes/types';

export const NOTE_EVENT_TYPES = [
  'note.created',
  'note.updated',
  'note.deleted',
  'note.restored',
  'note.purged',
  'notes.imported',
] as const;
export type NoteEventType = (typeof NOTE_EVENT_TYPES)[number];

export type NoteEvent =
  /** The whole note, as it is now. */
  | { type: 'note.created' | 'note.updated' | 'note.restored'; note: Note }
  /** Gone to the trash, or for good: its id and last version only. */
  | { type: 'note.deleted' | 'note.purged'; noteId: string; version: number }
  /** Many notes at once: nothing to patch with. */
  | { type: 'notes.imported' };

/** An event from the stream, checked; null for one this client does not know or cannot read. */
export function parseNoteEvent(type: string, data: unknown): NoteEvent | null {
  if (type === 'notes.imported') return { type };
  if (!isRecord(data) || !isRecord(data.note)) return null;
  const note = data.note;
  if (type === 'note.deleted' || type === 'note.purged') {
    return typeof note._id === 'string' && typeof note.version === 'number'
      ? { type, noteId: note._id, version: note.version }
      : null;
  }
  if ((type === 'note.created' || type === 'note.updated' || type === 'note.restored') && isNote(note)) {
    return { type, note: note as unknown as Note };
  }
  return null;
}

/** What an event does to one cached list: its new data, or 'refetch' when it cannot be patched. */
export function listAfterEvent(data: NotesData, filters: NoteFilters, event: NoteEvent): NotesData | 'refetch' {
  if (event.type === 'notes.imported') return 'refetch';
  if ('noteId' in event) {
    const held = flattenPages(data).find((note) => note._id === event.noteId);
    // A held copy newer than the delete (restored since) stays.
    return held && held.version <= event.version ? removeNote(data, event.noteId) : data;
  }
  const { note } = event;
  if (filters.q.trim()) {
    const held = flattenPages(data).some((shown) => shown._id === note._id);
    return held || matchesFilters(note, filters) ? 'refetch' : data;
  }
  return applyServerNote(data, note, filters);
}

/**
 * A new note that is this page's own create, still waiting for the server's answer (the event
 * can come first): the answer puts it in the lists, in place of the pending card. Told apart
 * by its content, which is what the page shows; a coincidence only delays the other note
 * until the lists are fetched again after the create.
 */
export function echoesPendingCreate(note: Note, ops: readonly PendingOp[]): boolean {
  return ops.some(
    (op) =>
      op.kind === 'create' &&
      (!op.queued || op.sent === true) &&
      op.note.title === note.title &&
      op.note.description === note.description &&
      op.note.status === note.status &&
      op.note.priority === note.priority,
  );
}
