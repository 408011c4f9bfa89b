/**
 * Which copy of a note is the newer, in one place (`preferNewer`), and what follows from it
 * for pages the server sends and for the If-Match of an edit. Kept apart from the list
 * patches so that the first page's request needs no more than this.
 */
import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import { notesKeys } from '@/features/notes/lib/query-keys';
import type { Note, NotesPage } from '@/features/notes/types';

export type NotesData = InfiniteData<NotesPage, string | null>;

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

/** The newest copy of a note this tab has from the server. */
export function latestNote(queryClient: QueryClient, noteId: string): Note | undefined {
  let latest = queryClient.getQueryData<Note>(notesKeys.detail(noteId));
  for (const [, data] of queryClient.getQueriesData<NotesData>({ queryKey: notesKeys.lists() })) {
    const found = flattenPages(data).find((note) => note._id === noteId);
    if (found) latest = preferNewer(latest, found);
  }
  return latest;
}
