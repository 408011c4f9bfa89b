/**
 * What the notes pages do when a person acts on a note: the mutation hooks keep the cache
 * and the pending operations right; this hook adds the UI reactions (toasts, dialogs, focus,
 * drafts), the way bulletproof-react lets components supply them.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { DELETE_UNDO_MS } from '@/config/limits';
import { useCreateNote } from '@/features/notes/api/create-note';
import { useDeleteNote } from '@/features/notes/api/delete-note';
import { getNote } from '@/features/notes/api/get-note';
import { conflictNote, useUpdateNote } from '@/features/notes/api/update-note';
import { focusNote, neighbourOf } from '@/features/notes/components/focus';
import { latestNote, writeNote } from '@/features/notes/lib/cache';
import { clearDraft, draftKey } from '@/features/notes/lib/draft-storage';
import { matchesFilters } from '@/features/notes/lib/filters';
import { useNotesStore } from '@/features/notes/stores/notes-store';
import {
  STATUS_LABELS,
  type Note,
  type NoteFilters,
  type NoteInput,
  type NotePatch,
  type NoteStatus,
} from '@/features/notes/types';
import { ApiError, errorMessage } from '@/lib/api-client';
import { useSessionStore } from '@/stores/session-store';
import { toast } from '@/stores/toast-store';

function forgetDraft(noteId: string | null): void {
  clearDraft(draftKey(useSessionStore.getState().user?.id ?? '', noteId));
}

/** The fields of `patch` as they were in `note`: what undoing the change sends. */
function previousValues(note: Note, patch: NotePatch): NotePatch {
  const previous: NotePatch = {};
  for (const field of Object.keys(patch) as (keyof NotePatch)[]) {
    Object.assign(previous, { [field]: note[field] });
  }
  return previous;
}

export interface DeleteOptions {
  /** Deleted from the keyboard: the focus goes to Undo at once. */
  viaKeyboard?: boolean;
  /** Where the focus goes once the toast is gone (default: the card that took its place). */
  focusAfter?: string | null;
}

export function useNoteActions({ filters }: { filters?: NoteFilters } = {}) {
  const queryClient = useQueryClient();
  const openDialog = useNotesStore((state) => state.openDialog);

  const create = useCreateNote({
    onSuccess: () => forgetDraft(null),
    onError: (error, input) => {
      toast.error(`Could not create “${input.title}”: ${errorMessage(error)}`);
      // Nothing typed is lost: the dialog comes back with the person's text.
      openDialog({ kind: 'create', draft: input, serverError: errorMessage(error) });
    },
  });

  const update = useUpdateNote({
    onSuccess: (saved, { draft }) => {
      if (draft) forgetDraft(saved._id);
    },
    onError: (error, { note, patch, draft }) => {
      if (error instanceof ApiError && error.status === 412) {
        // Overwrite re-applies the fields this person changed, on top of their version.
        openDialog({ kind: 'conflict', mine: note, patch, theirs: conflictNote(error) ?? note });
        return;
      }
      if (error instanceof ApiError && error.status === 404) {
        toast.error(`“${note.title}” no longer exists: it was deleted elsewhere.`);
        return;
      }
      toast.error(`Could not save “${draft?.title ?? note.title}”: ${errorMessage(error)}`);
      if (draft) openDialog({ kind: 'edit', note, draft, serverError: errorMessage(error) });
    },
  });

  const deletion = useDeleteNote({
    onError: (error, note) =>
      toast.error(`Could not delete “${note.title}”: ${errorMessage(error)} It is back in your list.`),
  });

  /** An edit; under filters it no longer matches, the person is told so and can undo it. */
  const edit = useCallback(
    (note: Note, patch: NotePatch, options: { draft?: NoteInput } = {}) => {
      const after = { ...note, ...patch };
      const leaves = filters !== undefined && matchesFilters(note, filters) && !matchesFilters(after, filters);
      if (leaves && document.activeElement?.closest(`[data-note-id]`)) focusNote(neighbourOf(note._id));
      update(note, patch, options);
      if (!leaves) return;
      const what = patch.status ? `is now ${STATUS_LABELS[patch.status]}` : 'was changed';
      toast.info(`“${after.title}” ${what}, so it no longer matches these filters.`, {
        action: {
          label: 'Undo',
          onClick: () => update(latestNote(queryClient, note._id) ?? note, previousValues(note, patch)),
        },
      });
    },
    [filters, queryClient, update],
  );

  const setStatus = useCallback(
    (note: Note, status: NoteStatus) => {
      if (note.status !== status) edit(note, { status });
    },
    [edit],
  );

  const remove = useCallback(
    (note: Note, { viaKeyboard = false, focusAfter }: DeleteOptions = {}) => {
      const next = focusAfter === undefined ? neighbourOf(note._id) : focusAfter;
      const opId = deletion.schedule(note);
      if (!viaKeyboard) focusNote(next);
      toast.info(`Deleted “${note.title}”.`, {
        durationMs: DELETE_UNDO_MS,
        focusAction: viaKeyboard,
        action: {
          label: 'Undo',
          onClick: () => {
            if (deletion.undo(opId)) toast.success(`Restored “${note.title}”.`);
            else toast.error(`“${note.title}” was already deleted: too late to undo.`);
          },
        },
        onClose: (reason, hadFocus) => {
          if (reason !== 'action') deletion.commit(opId);
          if (!hadFocus) return;
          if (reason === 'action') requestAnimationFrame(() => focusNote(note._id));
          else focusNote(next);
        },
      });
    },
    [deletion],
  );

  const reloadTheirs = useCallback(
    (theirs: Note) => {
      getNote(theirs._id)
        .then((note) => writeNote(queryClient, note))
        .catch(() => undefined);
    },
    [queryClient],
  );

  return { create, update: edit, setStatus, remove, reloadTheirs, forceUpdate: update };
}
