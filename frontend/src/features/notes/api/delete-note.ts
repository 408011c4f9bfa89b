import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { forgetNote, notesKeys, revalidateNotes } from '@/features/notes/lib/cache';
import { newOpId, useNotesStore } from '@/features/notes/stores/notes-store';
import type { Note } from '@/features/notes/types';
import { ApiError, apiRequest } from '@/lib/api-client';

/** Move a note to the trash (the server keeps it there until it is purged). */
export async function deleteNote(noteId: string): Promise<void> {
  await apiRequest(`/note/${encodeURIComponent(noteId)}/delete`, { method: 'DELETE', keepalive: true });
}

interface DeleteVariables {
  note: Note;
  opId: string;
}

interface UseDeleteNoteOptions {
  /** After the note is back on screen. */
  onError?: (error: unknown, note: Note) => void;
}

/**
 * Delete: the note is hidden at once and moved to the trash on the server right away, so an
 * undo is a restore from the trash, whenever it comes. A refusal brings the note back at once.
 */
export function useDeleteNote({ onError }: UseDeleteNoteOptions = {}) {
  const queryClient = useQueryClient();
  const { mutate } = useMutation({
    scope: { id: 'notes-write' },
    mutationFn: ({ note }: DeleteVariables) => deleteNote(note._id),
    onSuccess: (_data, { note, opId }) => {
      forgetNote(queryClient, note._id);
      useNotesStore.getState().removeOp(opId);
      void revalidateNotes(queryClient);
    },
    onError: (error, { note, opId }) => {
      if (error instanceof ApiError && error.status === 404) forgetNote(queryClient, note._id);
      useNotesStore.getState().removeOp(opId);
      void queryClient.invalidateQueries({ queryKey: notesKeys.trash() });
      if (!(error instanceof ApiError && error.status === 404)) onError?.(error, note);
    },
  });

  return useCallback(
    (note: Note) => {
      const opId = newOpId('delete');
      useNotesStore.getState().addOp({ opId, kind: 'delete', noteId: note._id, note });
      mutate({ note, opId });
    },
    [mutate],
  );
}
