import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  knownVersion,
  removeNoteFromLists,
  revalidateLists,
  writeNoteToLists,
} from '@/features/notes/lib/cache';
import { useNoteDialogStore } from '@/features/notes/stores/note-dialog-store';
import { newOpId, usePendingOpsStore } from '@/features/notes/stores/pending-ops-store';
import type { Note, NoteInput, NotePatch } from '@/features/notes/types';
import { ApiError, apiRequest, errorMessage } from '@/lib/api-client';
import { toast } from '@/stores/toast-store';

export async function updateNote(noteId: string, patch: NotePatch, version: number): Promise<Note> {
  const response = await apiRequest<{ note: Note }>(`/note/${encodeURIComponent(noteId)}/edit`, {
    method: 'PATCH',
    body: patch,
    headers: { 'If-Match': `"${version}"` },
  });
  if (!response.data) throw new Error('The server sent an empty answer.');
  return response.data.note;
}

/** The server's current note from a 412 answer, if it sent one. */
export function conflictNote(error: unknown): Note | null {
  if (!(error instanceof ApiError) || error.status !== 412) return null;
  const body = error.body;
  if (typeof body === 'object' && body !== null && 'note' in body) {
    const note = (body as { note: unknown }).note;
    if (typeof note === 'object' && note !== null && '_id' in note) return note as Note;
  }
  return null;
}

interface UpdateVariables {
  note: Note;
  patch: NotePatch;
  opId: string;
  /** The full form contents when the change came from the edit dialog. */
  draft?: NoteInput;
  /** Send exactly this version (overwrite after a conflict). */
  forceVersion?: number;
}

export function useUpdateNote() {
  const queryClient = useQueryClient();
  const { mutate } = useMutation({
    // Edits are sent one after another, each with the newest version this tab knows of.
    scope: { id: 'notes-edit' },
    mutationFn: ({ note, patch, forceVersion }: UpdateVariables) =>
      updateNote(note._id, patch, forceVersion ?? Math.max(note.version, knownVersion(note._id) ?? 0)),
    onSuccess: (saved, { opId }) => {
      writeNoteToLists(queryClient, saved);
      usePendingOpsStore.getState().confirm(opId, saved);
    },
    onError: (error, { note, patch, draft, opId }) => {
      usePendingOpsStore.getState().remove(opId);
      const theirs = conflictNote(error);
      if (error instanceof ApiError && error.status === 412) {
        if (theirs) writeNoteToLists(queryClient, theirs);
        useNoteDialogStore.getState().open({
          kind: 'conflict',
          mine: note,
          // Overwrite re-applies the fields this person changed, on top of their version.
          patch,
          theirs: theirs ?? note,
        });
        return;
      }
      if (error instanceof ApiError && error.status === 404) {
        removeNoteFromLists(queryClient, note._id);
        toast.error(`“${note.title}” no longer exists: it was deleted elsewhere.`);
        return;
      }
      toast.error(`Could not save “${draft?.title ?? note.title}”: ${errorMessage(error)}`);
      if (draft) {
        useNoteDialogStore
          .getState()
          .open({ kind: 'edit', note, draft, serverError: errorMessage(error) });
      }
    },
    onSettled: async (_saved, _error, { opId }) => {
      await revalidateLists(queryClient);
      usePendingOpsStore.getState().remove(opId);
    },
  });

  return (note: Note, patch: NotePatch, options: { draft?: NoteInput; forceVersion?: number } = {}) => {
    const opId = newOpId('update');
    usePendingOpsStore.getState().add({ opId, kind: 'update', noteId: note._id, patch });
    mutate({ note, patch, opId, ...options });
  };
}
