import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { notesKeys } from '@/features/notes/lib/query-keys';
import { newOpId, useNotesStore } from '@/features/notes/stores/notes-store';
import type { Note } from '@/features/notes/types';
import { ApiError, apiRequest } from '@/lib/api-client';

/** Delete a note in the trash for good. */
export async function purgeNote(noteId: string): Promise<void> {
  await apiRequest(`/note/${encodeURIComponent(noteId)}/purge`, { method: 'DELETE' });
}

interface UsePurgeNoteOptions {
  onSuccess?: (note: Note) => void;
  onError?: (error: unknown, note: Note) => void;
}

/** Delete forever: gone from the trash at once, back if the server refuses. */
export function usePurgeNote({ onSuccess, onError }: UsePurgeNoteOptions = {}) {
  const queryClient = useQueryClient();
  const { mutate } = useMutation({
    scope: { id: 'notes-write' },
    mutationFn: ({ note }: { note: Note; opId: string }) => purgeNote(note._id),
    onSettled: async (_data, error, { note, opId }) => {
      await queryClient.invalidateQueries({ queryKey: notesKeys.trash() });
      useNotesStore.getState().removeOp(opId);
      if (!error || (error instanceof ApiError && error.status === 404)) onSuccess?.(note);
      else onError?.(error, note);
    },
  });

  return useCallback(
    (note: Note) => {
      const opId = newOpId('purge');
      useNotesStore.getState().addOp({ opId, kind: 'purge', noteId: note._id });
      mutate({ note, opId });
    },
    [mutate],
  );
}
