import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { queueOnNetworkFailure, queueOp, shouldQueue } from '@/features/notes/api/outbox-queue';
import { revalidateNotes, writeNote } from '@/features/notes/lib/cache';
import { newIdempotencyKey, nextSeq } from '@/features/notes/lib/outbox';
import { optimisticNote } from '@/features/notes/lib/pending-ops';
import { findOp, newOpId, useNotesStore } from '@/features/notes/stores/notes-store';
import type { Note, NoteInput } from '@/features/notes/types';
import { apiRequest } from '@/lib/api-client';
import { useSessionStore } from '@/stores/session-store';
import type { ResponseBody } from '@/types/api';

/**
 * `key`: the Idempotency-Key; sent again with the same key, the note is created once. The
 * body is always written the same way (the server compares it byte for byte with the first).
 */
export async function createNote(input: NoteInput, key?: string): Promise<Note> {
  const { title, description, status, priority } = input;
  const response = await apiRequest<ResponseBody<'/api/v1/note/create', 'post', 201>>('/note/create', {
    method: 'POST',
    body: { title, description, status, priority } satisfies NoteInput,
    headers: key ? { 'Idempotency-Key': key } : {},
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
  /** Kept in the outbox (offline, or no answer came): it is sent when the network is back. */
  onQueued?: (input: NoteInput) => void;
}

/**
 * Create: shown at once (pending), then replaced by the server's note, or dropped on failure.
 * Offline (or when no answer comes) it waits in the outbox instead, still shown.
 */
export function useCreateNote({ onSuccess, onError, onQueued }: UseCreateNoteOptions = {}) {
  const queryClient = useQueryClient();
  const { mutate } = useMutation({
    mutationFn: ({ input, opId }: CreateVariables) => {
      const op = findOp(opId);
      return createNote(input, op && 'key' in op ? op.key : undefined);
    },
    onSuccess: (note, { input, opId }) => {
      writeNote(queryClient, note);
      useNotesStore.getState().removeOp(opId);
      void revalidateNotes(queryClient);
      onSuccess?.(note, input);
    },
    onError: (error, { input, opId }) => {
      if (queueOnNetworkFailure(opId, error)) {
        onQueued?.(input);
        return;
      }
      useNotesStore.getState().removeOp(opId);
      onError?.(error, input);
    },
  });

  return useCallback(
    (input: NoteInput) => {
      const opId = newOpId('create');
      const userId = useSessionStore.getState().user?.id ?? '';
      const note = optimisticNote(input, `pending-${opId}`, userId);
      // Shown synchronously, before the request even starts.
      useNotesStore.getState().addOp({ opId, kind: 'create', note, key: newIdempotencyKey(), seq: nextSeq() });
      if (shouldQueue()) {
        queueOp(opId);
        onQueued?.(input);
        return;
      }
      mutate({ input, opId });
    },
    [mutate, onQueued],
  );
}
