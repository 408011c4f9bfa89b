import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { revalidateNotes, writeNote } from '@/features/notes/lib/cache';
import { optimisticNote } from '@/features/notes/lib/pending-ops';
import { newOpId, useNotesStore } from '@/features/notes/stores/notes-store';
import type { Note, NoteInput } from '@/features/notes/types';
import { apiRequest } from '@/lib/api-client';
import { useSessionStore } from '@/stores/session-store';
import type { ResponseBody } from '@/types/api';

export async function createNote(input: NoteInput): Promise<Note> {
  const response = await apiRequest<ResponseBody<'/api/v1/note/create', 'post', 201>>('/note/create', {
    method: 'POST',
    body: input,
  });
  if (!response.data) throw new Error('The server sent an empty answer.');
  return response.data.note;
}

interface CreateVariables {
  input: NoteInput;
  opId: string;
}

interface UseCreateNoteOptions {
  /** UI reactions (toasts, dialogs) belong to the component that asked. */
  onSuccess?: (note: Note, input: NoteInput) => void;
  onError?: (error: unknown, input: NoteInput) => void;
}

/** Create: shown at once (pending), then replaced by the server's note, or dropped on failure. */
export function useCreateNote({ onSuccess, onError }: UseCreateNoteOptions = {}) {
  const queryClient = useQueryClient();
  const { mutate } = useMutation({
    mutationFn: ({ input }: CreateVariables) => createNote(input),
    onSuccess: (note, { input, opId }) => {
      writeNote(queryClient, note);
      useNotesStore.getState().removeOp(opId);
      void revalidateNotes(queryClient);
      onSuccess?.(note, input);
    },
    onError: (error, { input, opId }) => {
      useNotesStore.getState().removeOp(opId);
      onError?.(error, input);
    },
  });

  return useCallback(
    (input: NoteInput) => {
      const opId = newOpId('create');
      const userId = useSessionStore.getState().user?.id ?? '';
      // Shown synchronously, before the request even starts.
      useNotesStore.getState().addOp({ opId, kind: 'create', note: optimisticNote(input, `pending-${opId}`, userId) });
      mutate({ input, opId });
    },
    [mutate],
  );
}
