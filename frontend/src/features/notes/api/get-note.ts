import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import { notesKeys } from '@/features/notes/lib/query-keys';
import { latestNote } from '@/features/notes/lib/versions';
import type { Note } from '@/features/notes/types';
import { apiRequest } from '@/lib/api-client';
import type { ResponseBody } from '@/types/api';

export async function getNote(noteId: string, signal?: AbortSignal): Promise<Note> {
  const response = await apiRequest<ResponseBody<'/api/v1/note/{note_id}', 'get'>>(
    `/note/${encodeURIComponent(noteId)}`,
    { signal },
  );
  if (!response.data) throw new Error('The server sent an empty answer.');
  return response.data.note;
}

export function noteQueryOptions(noteId: string) {
  return queryOptions({
    queryKey: notesKeys.detail(noteId),
    queryFn: ({ signal }) => getNote(noteId, signal),
  });
}

/** One note: shown at once from a list the cache already has, then revalidated. */
export function useNote(noteId: string) {
  const queryClient = useQueryClient();
  return useQuery({
    ...noteQueryOptions(noteId),
    placeholderData: () => latestNote(queryClient, noteId),
  });
}
