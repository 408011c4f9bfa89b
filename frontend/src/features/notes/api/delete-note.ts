import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { queueOnNetworkFailure, queueOp, shouldQueue } from '@/features/notes/api/outbox-queue';
import { forgetNote, notesKeys, revalidateNotes } from '@/features/notes/lib/cache';
import { newIdempotencyKey, nextSeq } from '@/features/notes/lib/outbox';
import { findOp, newOpId, useNotesStore } from '@/features/notes/stores/notes-store';
import type { Note } from '@/features/notes/types';
import { ApiError, apiRequest } from '@/lib/api-client';

/** Move a note to the trash (the server keeps it there until it is purged); `key`: Idempotency-Key. */
export async function deleteNote(noteId: string, key?: string): Promise<void> {
  await apiRequest(`/note/${encodeURIComponent(noteId)}/delete`, {
    method: 'DELETE',
    keepalive: true,
    headers: key ? { 'Idempotency-Key': key } : {},
  });
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
 * Offline it waits in the outbox (an undo then simply calls it off).
 */
export function useDeleteNote({ onError }: UseDeleteNoteOptions = {}) {
  const queryClient = useQueryClient();
  const { mutate } = useMutation({
    scope: { id: 'notes-write' },
    mutationFn: ({ note, opId }: DeleteVariables) => {
      const op = findOp(opId);
      return deleteNote(note._id, op?.kind === 'delete' ? op.key : undefined);
    },
    onSuccess: (_data, { note, opId }) => {
      forgetNote(queryClient, note._id);
      useNotesStore.getState().removeOp(opId);
      void revalidateNotes(queryClient);
    },
    onError: (error, { note, opId }) => {
      if (queueOnNetworkFailure(opId, error)) return;
      if (error instanceof ApiError && error.status === 404) forgetNote(queryClient, note._id);
      useNotesStore.getState().removeOp(opId);
      void queryClient.invalidateQueries({ queryKey: notesKeys.trash() });
      if (!(error instanceof ApiError && error.status === 404)) onError?.(error, note);
    },
  });

  return useCallback(
    (note: Note) => {
      const opId = newOpId('delete');
      useNotesStore
        .getState()
        .addOp({ opId, kind: 'delete', noteId: note._id, note, key: newIdempotencyKey(), seq: nextSeq() });
      if (shouldQueue()) queueOp(opId);
      else mutate({ note, opId });
    },
    [mutate],
  );
}
