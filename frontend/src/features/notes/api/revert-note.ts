import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { notesKeys, revalidateNotes, writeNote } from '@/features/notes/lib/cache';
import { newIdempotencyKey, nextSeq } from '@/features/notes/lib/outbox';
import { newOpId, useNotesStore } from '@/features/notes/stores/notes-store';
import type { Note, Revision } from '@/features/notes/types';
import { apiRequest } from '@/lib/api-client';
import type { RequestBody, ResponseBody } from '@/types/api';

/** Make an earlier version the current content, as a new version (If-Match: the current one). */
export async function revertNote(noteId: string, version: number, current: number): Promise<Note> {
  const body: RequestBody<'/api/v1/note/{note_id}/revert', 'post'> = { version };
  const response = await apiRequest<ResponseBody<'/api/v1/note/{note_id}/revert', 'post'>>(
    `/note/${encodeURIComponent(noteId)}/revert`,
    { method: 'POST', body, headers: { 'If-Match': `"${current}"` } },
  );
  if (!response.data) throw new Error('The server sent an empty answer.');
  return response.data.note;
}

interface RevertVariables {
  note: Note;
  revision: Revision;
  opId: string;
}

interface UseRevertNoteOptions {
  onSuccess?: (saved: Note, revision: Revision) => void;
  onError?: (error: unknown, revision: Revision) => void;
}

/** Restore a version: its content shown at once (pending), confirmed or rolled back. */
export function useRevertNote({ onSuccess, onError }: UseRevertNoteOptions = {}) {
  const queryClient = useQueryClient();
  const { mutate } = useMutation({
    scope: { id: 'notes-write' },
    mutationFn: ({ note, revision }: RevertVariables) => revertNote(note._id, revision.version, note.version),
    onSuccess: (saved, { revision, opId }) => {
      writeNote(queryClient, saved);
      useNotesStore.getState().removeOp(opId);
      void revalidateNotes(queryClient);
      onSuccess?.(saved, revision);
    },
    onError: (error, { note, revision, opId }) => {
      useNotesStore.getState().removeOp(opId);
      void queryClient.invalidateQueries({ queryKey: notesKeys.history(note._id) });
      void revalidateNotes(queryClient);
      onError?.(error, revision);
    },
  });

  return useCallback(
    (note: Note, revision: Revision) => {
      const opId = newOpId('revert');
      const { title, description, status, priority } = revision;
      useNotesStore.getState().addOp({
        opId,
        kind: 'update',
        noteId: note._id,
        patch: { title, description, status, priority },
        base: note,
        baseVersion: note.version,
        // Shown like an edit, but sent at once (never kept for the network: it needs the history).
        key: newIdempotencyKey(),
        seq: nextSeq(),
      });
      mutate({ note, revision, opId });
    },
    [mutate],
  );
}
