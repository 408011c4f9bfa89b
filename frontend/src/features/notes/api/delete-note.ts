import { useQueryClient } from '@tanstack/react-query';
import { DELETE_UNDO_MS } from '@/config/limits';
import { removeNoteFromLists, revalidateLists } from '@/features/notes/lib/cache';
import { cancelDelete, scheduleDelete } from '@/features/notes/lib/delete-scheduler';
import { newOpId, usePendingOpsStore } from '@/features/notes/stores/pending-ops-store';
import type { Note } from '@/features/notes/types';
import { ApiError, apiRequest, errorMessage } from '@/lib/api-client';
import { toast } from '@/stores/toast-store';

export async function deleteNote(noteId: string): Promise<void> {
  // keepalive: the request may be sent while the page is being hidden or closed.
  await apiRequest(`/note/${encodeURIComponent(noteId)}/delete`, {
    method: 'DELETE',
    keepalive: true,
  });
}

/** Delete with undo: hidden at once, the DELETE is sent when the undo window closes. */
export function useDeleteNote() {
  const queryClient = useQueryClient();

  return (note: Note) => {
    const opId = newOpId('delete');
    const ops = usePendingOpsStore.getState();
    ops.add({ opId, kind: 'delete', noteId: note._id });

    const send = async () => {
      try {
        await deleteNote(note._id);
        removeNoteFromLists(queryClient, note._id);
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) {
          removeNoteFromLists(queryClient, note._id);
        } else {
          toast.error(`Could not delete “${note.title}”: ${errorMessage(error)} It is back in your list.`);
        }
      } finally {
        await revalidateLists(queryClient).catch(() => undefined);
        usePendingOpsStore.getState().remove(opId);
      }
    };
    scheduleDelete(note._id, send, DELETE_UNDO_MS);

    toast.info(
      `Deleted “${note.title}”.`,
      {
        label: 'Undo',
        onClick: () => {
          if (cancelDelete(note._id)) {
            usePendingOpsStore.getState().remove(opId);
            toast.success(`Restored “${note.title}”.`);
          }
        },
      },
      DELETE_UNDO_MS,
    );
  };
}
