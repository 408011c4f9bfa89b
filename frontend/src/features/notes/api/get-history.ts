import { useQuery, useQueryClient } from '@tanstack/react-query';
import { notesKeys, writeNote } from '@/features/notes/lib/cache';
import type { NoteHistory } from '@/features/notes/types';
import { apiRequest } from '@/lib/api-client';

/** A note and its earlier versions, newest first. */
export async function getHistory(noteId: string, signal?: AbortSignal): Promise<NoteHistory> {
  const response = await apiRequest<NoteHistory>(`/note/${encodeURIComponent(noteId)}/history`, { signal });
  if (!response.data) throw new Error('The server sent an empty answer.');
  return response.data;
}

export function useHistory(noteId: string) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: notesKeys.history(noteId),
    queryFn: async ({ signal }) => {
      const history = await getHistory(noteId, signal);
      writeNote(queryClient, history.note); // the current version, for every list that shows it
      return history;
    },
  });
}
