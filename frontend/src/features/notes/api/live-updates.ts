/**
 * Live updates applied to TanStack Query's cache: each cached list (by its filters and sort),
 * the note's own query, the trash, counts and history. Patched where the event carries the
 * note; what cannot be patched (counts, searches, the trash's deletion times) is marked stale,
 * and only what is on screen is fetched again. Unconfirmed changes of this page are laid over
 * the cache when rendering, so an event never undoes them.
 */
import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import type { TrashPage } from '@/features/notes/api/get-trash';
import { notesKeys, revalidateNotes } from '@/features/notes/lib/cache';
import { echoesPendingCreate, listAfterEvent, parseNoteEvent, type NoteEvent } from '@/features/notes/lib/live-events';
import { preferNewer, type NotesData } from '@/features/notes/lib/list-patch';
import { useNotesStore } from '@/features/notes/stores/notes-store';
import type { Note, NoteFilters } from '@/features/notes/types';

export { NOTE_EVENT_TYPES } from '@/features/notes/lib/live-events';

function patchLists(queryClient: QueryClient, event: NoteEvent): void {
  if (event.type === 'note.created' && echoesPendingCreate(event.note, useNotesStore.getState().ops)) return;
  for (const [key, data] of queryClient.getQueriesData<NotesData>({ queryKey: notesKeys.lists() })) {
    const filters = key[2] as NoteFilters | undefined;
    if (!data || !filters) continue;
    const next = listAfterEvent(data, filters, event);
    if (next === 'refetch') void queryClient.invalidateQueries({ queryKey: key, exact: true });
    else if (next !== data) queryClient.setQueryData<NotesData>(key, next);
  }
}

function patchNote(queryClient: QueryClient, event: NoteEvent): void {
  if (event.type === 'notes.imported') return;
  const noteId = 'note' in event ? event.note._id : event.noteId;
  const key = notesKeys.detail(noteId);
  const held = queryClient.getQueryData<Note>(key);
  if ('note' in event) {
    // Only notes someone has open: an event creates no query of its own.
    if (held) queryClient.setQueryData<Note>(key, preferNewer(held, event.note));
    void queryClient.invalidateQueries({ queryKey: notesKeys.history(noteId), exact: true });
  } else if (held && held.version <= event.version) {
    // Its page, if open, asks again and says that the note is gone.
    void queryClient.invalidateQueries({ queryKey: key, exact: true });
  }
}

function patchTrash(queryClient: QueryClient, event: NoteEvent): void {
  if (event.type === 'note.deleted' || event.type === 'notes.imported') {
    void queryClient.invalidateQueries({ queryKey: notesKeys.trash() });
    return;
  }
  if (event.type !== 'note.restored' && event.type !== 'note.purged') return;
  const noteId = 'note' in event ? event.note._id : event.noteId;
  queryClient.setQueriesData<InfiniteData<TrashPage, string | null>>({ queryKey: notesKeys.trash() }, (data) => {
    if (!data || !data.pages.some((page) => page.notes.some((note) => note._id === noteId))) return data;
    return { ...data, pages: data.pages.map((page) => ({ ...page, notes: page.notes.filter((note) => note._id !== noteId) })) };
  });
}

/** One event from the stream (its type and JSON data); unknown or unreadable ones are ignored. */
export function applyNoteEvent(queryClient: QueryClient, type: string, data: unknown): void {
  const event = parseNoteEvent(type, data);
  if (!event) return;
  patchLists(queryClient, event);
  patchNote(queryClient, event);
  patchTrash(queryClient, event);
  // Every facet may have moved: counts are small and only those on screen are fetched.
  void queryClient.invalidateQueries({ queryKey: [...notesKeys.all, 'counts'] });
}

/** Events were missed (the server no longer had them, or a new stream began): ask again. */
export function catchUpNotes(queryClient: QueryClient): Promise<void> {
  return revalidateNotes(queryClient);
}
