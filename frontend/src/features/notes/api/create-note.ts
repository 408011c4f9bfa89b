import { useMutation, useQueryClient } from '@tanstack/react-query';
import { revalidateLists, writeNoteToLists } from '@/features/notes/lib/cache';
import { optimisticNote } from '@/features/notes/lib/list-patch';
import { useNoteDialogStore } from '@/features/notes/stores/note-dialog-store';
import { newOpId, usePendingOpsStore } from '@/features/notes/stores/pending-ops-store';
import type { Note, NoteInput } from '@/features/notes/types';
import { apiRequest, errorMessage } from '@/lib/api-client';
import { useSessionStore } from '@/stores/session-store';
import { toast } from '@/stores/toast-store';

export async function createNote(input: NoteInput): Promise<Note> {
  const response = await apiRequest<{ note: Note }>('/note/create', { method: 'POST', body: input });
  if (!response.data) throw new Error('The server sent an empty answer.');
  return response.data.note;
}

interface CreateVariables {
  input: NoteInput;
  opId: string;
}

export function useCreateNote() {
  const queryClient = useQueryClient();
  const { mutate } = useMutation({
    mutationFn: ({ input }: CreateVariables) => createNote(input),
    onSuccess: (note, { opId }) => {
      writeNoteToLists(queryClient, note);
      usePendingOpsStore.getState().confirm(opId, note);
    },
    onError: (error, { input, opId }) => {
      usePendingOpsStore.getState().remove(opId);
      toast.error(`Could not create “${input.title}”: ${errorMessage(error)}`);
      // Nothing typed is lost: reopen the dialog with the person's text.
      useNoteDialogStore
        .getState()
        .open({ kind: 'create', draft: input, serverError: errorMessage(error) });
    },
    onSettled: async (_note, _error, { opId }) => {
      await revalidateLists(queryClient);
      usePendingOpsStore.getState().remove(opId);
    },
  });

  return (input: NoteInput) => {
    const opId = newOpId('create');
    const userId = useSessionStore.getState().user?.id ?? '';
    // Shown synchronously, before the request even starts.
    usePendingOpsStore.getState().add({
      opId,
      kind: 'create',
      note: optimisticNote(input, `pending-${opId}`, userId),
    });
    mutate({ input, opId });
  };
}
