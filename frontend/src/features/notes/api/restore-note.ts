import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { revalidateNotes, writeNote } from '@/features/notes/lib/cache';
import { cancellableDelete } from '@/features/notes/lib/outbox';
import { newOpId, useNotesStore } from '@/features/notes/stores/notes-store';
import type { Note } from '@/features/notes/types';
import { apiRequest } from '@/lib/api-client';
import type { ResponseBody } from '@/types/api';

/** Bring a note back from the trash (to the top of its board column). */
export async function restoreNote(noteId: string): Promise<Note> {
  const response = await apiRequest<ResponseBody<'/api/v1/note/{note_id}/restore', 'post'>>(
    `/note/${encodeURIComponent(noteId)}/restore`,
    { method: 'POST' },
  );
  if (!response.data) throw new Error('The server sent an empty answer.');
  return response.data.note;
}

interface RestoreVariables {
  note: Note;
  opId: string;
}

interface UseRestoreNoteOptions {
  onSuccess?: (restored: Note) => void;
  onError?: (error: unknown, note: Note) => void;
}

/** Restore (undo a delete, or from the trash): shown in the lists at once, gone from the trash. */
export function useRestoreNote({ onSuccess, onError }: UseRestoreNoteOptions = {}) {
  const queryClient = useQueryClient();
  const { mutate } = useMutation({
    // After the delete it undoes, whenever that is still on its way.
    scope: { id: 'notes-write' },
    mutationFn: ({ note }: RestoreVariables) => restoreNote(note._id),
    onSuccess: (restored, { opId }) => {
      writeNote(queryClient, restored);
      useNotesStore.getState().removeOp(opId);
      void revalidateNotes(queryClient);
      onSuccess?.(restored);
    },
    onError: (error, { note, opId }) => {
      useNotesStore.getState().removeOp(opId);
      void revalidateNotes(queryClient);
      onError?.(error, note);
    },
  });

  return useCallback(
    (note: Note) => {
      const store = useNotesStore.getState();
      // Undo of a delete still waiting for the network: it is simply called off.
      const waiting = cancellableDelete(store.ops, note._id);
      if (waiting) {
        store.removeOp(waiting);
        return;
      }
      const opId = newOpId('restore');
      useNotesStore.getState().addOp({ opId, kind: 'restore', noteId: note._id, note });
      mutate({ note, opId });
    },
    [mutate],
  );
}
