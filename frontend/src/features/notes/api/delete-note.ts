import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { forgetNote, revalidateNotes } from '@/features/notes/lib/cache';
import { findOp, newOpId, useNotesStore } from '@/features/notes/stores/notes-store';
import type { Note } from '@/features/notes/types';
import { ApiError, apiRequest } from '@/lib/api-client';

export async function deleteNote(noteId: string): Promise<void> {
  // keepalive: the request may be sent while the page is being hidden or closed.
  await apiRequest(`/note/${encodeURIComponent(noteId)}/delete`, { method: 'DELETE', keepalive: true });
}

/**
 * Send the DELETE of a scheduled delete. Success (or 404: already gone) drops the note from
 * the cache; a failure just drops the operation, so the note is back on screen at once.
 */
async function sendDelete(queryClient: QueryClient, opId: string): Promise<void> {
  const op = findOp(opId);
  if (!op || op.kind !== 'delete' || op.sending) return;
  useNotesStore.getState().markSending(opId);
  try {
    await deleteNote(op.noteId);
    forgetNote(queryClient, op.noteId);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
    forgetNote(queryClient, op.noteId);
  } finally {
    useNotesStore.getState().removeOp(opId);
    void revalidateNotes(queryClient);
  }
}

/** Send every delete still waiting for its undo window (page hidden or closed, signing out). */
export async function flushDeletes(queryClient: QueryClient): Promise<void> {
  const waiting = useNotesStore.getState().ops.filter((op) => op.kind === 'delete' && !op.sending);
  await Promise.allSettled(waiting.map((op) => sendDelete(queryClient, op.opId)));
}

interface UseDeleteNoteOptions {
  /** After the note is back on screen. */
  onError?: (error: unknown, note: Note) => void;
}

/**
 * Delete with undo: `schedule` hides the note at once and sends nothing; the caller decides
 * when the undo window ends (`commit` sends the DELETE) or `undo`es it.
 */
export function useDeleteNote({ onError }: UseDeleteNoteOptions = {}) {
  const queryClient = useQueryClient();
  const { mutate } = useMutation({
    mutationFn: ({ opId }: { opId: string; note: Note }) => sendDelete(queryClient, opId),
    onError: (error, { note }) => onError?.(error, note),
  });

  return useMemo(
    () => ({
    schedule: (note: Note): string => {
      const opId = newOpId('delete');
      useNotesStore.getState().addOp({ opId, kind: 'delete', noteId: note._id, note, sending: false });
      return opId;
    },
    commit: (opId: string): void => {
      const op = findOp(opId);
      if (op?.kind === 'delete' && !op.sending) mutate({ opId, note: op.note });
    },
    /** False when it is too late: the DELETE has already been sent. */
    undo: (opId: string): boolean => {
      const op = findOp(opId);
      if (op?.kind !== 'delete' || op.sending) return false;
      useNotesStore.getState().removeOp(opId);
      return true;
    },
    }),
    [mutate],
  );
}

/** A page being hidden or closed still sends the deletes it promised (keepalive requests). */
export function useFlushDeletesOnLeave(): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    const flush = () => void flushDeletes(queryClient);
    const onVisibility = () => {
      if (document.visibilityState === 'hidden') flush();
    };
    document.addEventListener('visibilitychange', onVisibility);
    window.addEventListener('pagehide', flush);
    return () => {
      document.removeEventListener('visibilitychange', onVisibility);
      window.removeEventListener('pagehide', flush);
    };
  }, [queryClient]);
}
