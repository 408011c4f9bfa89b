import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { forgetNote, latestNote, revalidateNotes, writeNote } from '@/features/notes/lib/cache';
import { newOpId, useNotesStore } from '@/features/notes/stores/notes-store';
import type { Note, NoteInput, NotePatch, NoteUpdateBody } from '@/features/notes/types';
import { ApiError, apiRequest } from '@/lib/api-client';
import type { ResponseBody } from '@/types/api';

export async function updateNote(noteId: string, patch: NotePatch, version: number): Promise<Note> {
  const response = await apiRequest<ResponseBody<'/api/v1/note/{note_id}/edit', 'patch'>>(
    `/note/${encodeURIComponent(noteId)}/edit`,
    { method: 'PATCH', body: patch satisfies NoteUpdateBody, headers: { 'If-Match': `"${version}"` } },
  );
  if (!response.data) throw new Error('The server sent an empty answer.');
  return response.data.note;
}

type ConflictBody = ResponseBody<'/api/v1/note/{note_id}/edit', 'patch', 412>;

/** The server's current note from a 412 answer, if it sent one. */
export function conflictNote(error: unknown): ConflictBody['note'] | null {
  if (!(error instanceof ApiError) || error.status !== 412) return null;
  const body = error.body;
  if (typeof body === 'object' && body !== null && 'note' in body) {
    const note = (body as { note: unknown }).note;
    if (typeof note === 'object' && note !== null && '_id' in note) return note as Note;
  }
  return null;
}

export interface UpdateVariables {
  note: Note;
  patch: NotePatch;
  opId: string;
  /** The full form contents when the change came from a form. */
  draft?: NoteInput;
  /** Send exactly this version (overwrite after a conflict). */
  forceVersion?: number;
}

interface UseUpdateNoteOptions {
  onSuccess?: (saved: Note, variables: UpdateVariables) => void;
  /** After the rollback; `conflictNote(error)` is the server's copy on a 412. */
  onError?: (error: unknown, variables: UpdateVariables) => void;
}

/** Edit: shown at once (pending), confirmed by the server's answer or rolled back. */
export function useUpdateNote({ onSuccess, onError }: UseUpdateNoteOptions = {}) {
  const queryClient = useQueryClient();
  const { mutate } = useMutation({
    // Edits are sent one after another, each with the newest version this tab knows of.
    scope: { id: 'notes-edit' },
    mutationFn: ({ note, patch, forceVersion }: UpdateVariables) =>
      updateNote(note._id, patch, forceVersion ?? latestNote(queryClient, note._id)?.version ?? note.version),
    onSuccess: (saved, variables) => {
      writeNote(queryClient, saved);
      useNotesStore.getState().removeOp(variables.opId);
      void revalidateNotes(queryClient);
      onSuccess?.(saved, variables);
    },
    onError: (error, variables) => {
      useNotesStore.getState().removeOp(variables.opId);
      const theirs = conflictNote(error);
      if (theirs) writeNote(queryClient, theirs);
      if (error instanceof ApiError && error.status === 404) forgetNote(queryClient, variables.note._id);
      void revalidateNotes(queryClient);
      onError?.(error, variables);
    },
  });

  return useCallback(
    (note: Note, patch: NotePatch, options: { draft?: NoteInput; forceVersion?: number } = {}) => {
      const opId = newOpId('update');
      useNotesStore.getState().addOp({ opId, kind: 'update', noteId: note._id, patch });
      mutate({ note, patch, opId, ...options });
    },
    [mutate],
  );
}
