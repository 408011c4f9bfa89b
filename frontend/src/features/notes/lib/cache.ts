/**
 * The notes in TanStack Query's cache: the query keys, and the writes that fold a server
 * answer into every cached list and the note's own query.
 */
import type { QueryClient } from '@tanstack/react-query';
import { applyServerNote, preferNewer, removeNote, type NotesData } from '@/features/notes/lib/list-patch';
import { notesKeys } from '@/features/notes/lib/query-keys';
import type { Note, NoteFilters } from '@/features/notes/types';

export { notesKeys } from '@/features/notes/lib/query-keys';
export { latestNote } from '@/features/notes/lib/versions';


/** Fold a note the server returned into every cached list (each by its filters) and its own query. */
export function writeNote(queryClient: QueryClient, note: Note): void {
  for (const [key, data] of queryClient.getQueriesData<NotesData>({ queryKey: notesKeys.lists() })) {
    const filters = key[2] as NoteFilters | undefined;
    if (!data || !filters) continue;
    queryClient.setQueryData<NotesData>(key, applyServerNote(data, note, filters));
  }
  queryClient.setQueryData<Note>(notesKeys.detail(note._id), (held) => preferNewer(held, note));
}

/** The note is gone on the server: drop it everywhere. */
export function forgetNote(queryClient: QueryClient, noteId: string): void {
  queryClient.setQueriesData<NotesData>({ queryKey: notesKeys.lists() }, (data) =>
    data ? removeNote(data, noteId) : data,
  );
  queryClient.removeQueries({ queryKey: notesKeys.detail(noteId), exact: true });
}

/** Ask the server again (in the background) for whatever is shown. */
export function revalidateNotes(queryClient: QueryClient): Promise<void> {
  return queryClient.invalidateQueries({ queryKey: notesKeys.all });
}
