import type { QueryClient } from '@tanstack/react-query';
import { applyServerNote, removeNote, type NotesData } from '@/features/notes/lib/list-patch';
import type { Note, NoteFilters } from '@/features/notes/types';

export const NOTES_LIST_KEY = ['notes', 'list'] as const;

export function notesListKey(filters: NoteFilters) {
  return [...NOTES_LIST_KEY, filters] as const;
}

const knownVersions = new Map<string, number>();

/** The newest version of a note this tab has heard of from the server. */
export function knownVersion(noteId: string): number | undefined {
  return knownVersions.get(noteId);
}

function rememberVersion(note: Note): void {
  const current = knownVersions.get(note._id) ?? 0;
  if (note.version > current) knownVersions.set(note._id, note.version);
}

/** Fold a note the server returned into every cached list, each by its own filters. */
export function writeNoteToLists(queryClient: QueryClient, note: Note): void {
  rememberVersion(note);
  for (const [key, data] of queryClient.getQueriesData<NotesData>({ queryKey: NOTES_LIST_KEY })) {
    const filters = key[2] as NoteFilters | undefined;
    if (!data || !filters) continue;
    queryClient.setQueryData<NotesData>(key, applyServerNote(data, note, filters));
  }
}

export function removeNoteFromLists(queryClient: QueryClient, noteId: string): void {
  knownVersions.delete(noteId);
  queryClient.setQueriesData<NotesData>({ queryKey: NOTES_LIST_KEY }, (data) =>
    data ? removeNote(data, noteId) : data,
  );
}

export function revalidateLists(queryClient: QueryClient): Promise<void> {
  return queryClient.invalidateQueries({ queryKey: NOTES_LIST_KEY });
}
