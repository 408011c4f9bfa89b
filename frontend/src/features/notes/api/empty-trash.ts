import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { notesKeys } from '@/features/notes/lib/query-keys';
import { newOpId, useNotesStore } from '@/features/notes/stores/notes-store';
import { apiRequest } from '@/lib/api-client';
import type { ResponseBody } from '@/types/api';

/** Delete every note in the trash for good; the answer says how many. */
export async function emptyTrash(): Promise<number> {
  const response = await apiRequest<ResponseBody<'/api/v1/note/trash', 'delete'>>('/note/trash', {
    method: 'DELETE',
  });
  return response.data?.purged ?? 0;
}

interface UseEmptyTrashOptions {
  onSuccess?: (purged: number) => void;
  onError?: (error: unknown) => void;
}

/** Empty the trash: shown empty at once, refilled if the server refuses. */
export function useEmptyTrash({ onSuccess, onError }: UseEmptyTrashOptions = {}) {
  const queryClient = useQueryClient();
  // The variable is the pending operation's id (for onSettled); the request needs nothing.
  const { mutate } = useMutation<number, Error, string>({
    scope: { id: 'notes-write' },
    mutationFn: () => emptyTrash(),
    onSettled: async (purged, error, opId) => {
      await queryClient.invalidateQueries({ queryKey: notesKeys.trash() });
      useNotesStore.getState().removeOp(opId);
      if (error) onError?.(error);
      else onSuccess?.(purged ?? 0);
    },
  });

  return useCallback(() => {
    const opId = newOpId('purge');
    useNotesStore.getState().addOp({ opId, kind: 'purge', noteId: null });
    mutate(opId);
  }, [mutate]);
}
