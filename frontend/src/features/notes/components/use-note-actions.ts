/**
 * What the notes pages do when a person acts on a note: the mutation hooks keep the cache
 * and the pending operations right; this hook adds the UI reactions (toasts, dialogs, focus,
 * drafts), the way bulletproof-react lets components supply them.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo, useRef } from 'react';
import { DELETE_UNDO_MS } from '@/config/limits';
import { useCreateNote } from '@/features/notes/api/create-note';
import { useDeleteNote } from '@/features/notes/api/delete-note';
import { useRestoreNote } from '@/features/notes/api/restore-note';
import { useUpdateNote } from '@/features/notes/api/update-note';
import { focusNote, neighbourOf } from '@/features/notes/components/focus';
import { createFailed, deleteFailed, forgetDraft, updateFailed } from '@/features/notes/components/write-failures';
import { latestNote } from '@/features/notes/lib/versions';
import { matchesFilters } from '@/features/notes/lib/filters';
import { keptCopy, savedValues } from '@/features/notes/lib/note-input';
import {
  STATUS_LABELS,
  type Note,
  type NoteChange,
  type NoteFilters,
  type NoteInput,
  type NotePatch,
  type NoteStatus,
} from '@/features/notes/types';
import { errorMessage } from '@/lib/api-client';
import { toast } from '@/stores/toast-store';

/** The fields of `patch` as they were in `note`: what undoing the change sends. */
function previousValues(note: Note, patch: NotePatch): NotePatch {
  const previous: NotePatch = {};
  for (const field of Object.keys(patch) as (keyof NotePatch)[]) {
    Object.assign(previous, { [field]: note[field] });
  }
  return previous;
}

/** A write went to the outbox: it holds the text from now on, so the form's draft can go. */
const forgetNewDraft = () => forgetDraft(null);
const forgetEditDraft = ({ note, draft }: { note: Note; draft?: NoteInput }) => {
  if (draft) forgetDraft(note._id);
};

export interface DeleteOptions {
  /** Deleted from the keyboard: the focus goes to Undo at once. */
  viaKeyboard?: boolean;
  /** Where the focus goes once the toast is gone (default: the card that took its place). */
  focusAfter?: string | null;
}

export function useNoteActions({ filters }: { filters?: NoteFilters } = {}) {
  const queryClient = useQueryClient();

  const create = useCreateNote({
    onSuccess: () => forgetDraft(null),
    // Nothing typed is lost: a refusal brings the form back with the person's text.
    onError: createFailed,
    onQueued: forgetNewDraft,
  });

  const update = useUpdateNote({
    onSuccess: (saved, { draft }) => {
      if (draft) forgetDraft(saved._id);
    },
    onError: updateFailed,
    onQueued: forgetEditDraft,
  });

  const restore = useRestoreNote({
    onError: (error, note) =>
      toast.error(`Could not restore “${note.title}”: ${errorMessage(error)} It is still in the trash.`),
  });

  const deleteNote = useDeleteNote({ onError: deleteFailed });

  /** An edit; under filters it no longer matches, the person is told so and can undo it. */
  const edit = useCallback(
    (note: Note, patch: NoteChange, options: { draft?: NoteInput } = {}) => {
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

  /** Delete: to the trash at once; Undo restores it (so does the Trash page, later on). */
  const remove = useCallback(
    (note: Note, { viaKeyboard = false, focusAfter }: DeleteOptions = {}) => {
      const next = focusAfter === undefined ? neighbourOf(note._id) : focusAfter;
      deleteNote(note);
      if (!viaKeyboard) focusNote(next);
      toast.info(`Deleted “${note.title}”. It is in the trash.`, {
        durationMs: DELETE_UNDO_MS,
        focusAction: viaKeyboard,
        action: { label: 'Undo', onClick: () => restore(note) },
        onClose: (reason, hadFocus) => {
          if (!hadFocus) return;
          if (reason === 'action') requestAnimationFrame(() => focusNote(note._id));
          else focusNote(next);
        },
      });
    },
    [deleteNote, restore],
  );

  /** Overwrite after a conflict: the person's fields on top of the version now on the server. */
  const overwrite = useCallback(
    (theirs: Note, patch: NotePatch) => {
      const copy = keptCopy(theirs, patch);
      update(theirs, patch, { forceVersion: theirs.version, ...(copy ? { draft: copy } : {}) });
    },
    [update],
  );

  /** Save the person's change as a note of its own (the original is gone or kept as it is). */
  const saveAsNew = useCallback(
    (note: Note, patch: NotePatch) => {
      forgetDraft(note._id);
      create({ ...savedValues(note), ...patch }); // a refusal reopens the form with this text
    },
    [create],
  );

  // A note deleted elsewhere while the person changed it: back from the trash, then the change.
  const afterRestore = useRef(new Map<string, { note: Note; patch: NotePatch }>());
  const restoreForEdit = useRestoreNote({
    onSuccess: (restored) => {
      const waiting = afterRestore.current.get(restored._id);
      afterRestore.current.delete(restored._id);
      if (waiting) overwrite(restored, waiting.patch);
    },
    onError: (error, note) => {
      const waiting = afterRestore.current.get(note._id);
      afterRestore.current.delete(note._id);
      if (!waiting) return;
      toast.error(`Could not restore “${note.title}” (${errorMessage(error)}): your version is saved as a new note.`);
      saveAsNew(waiting.note, waiting.patch);
    },
  });
  const restoreWith = useCallback(
    (note: Note, patch: NotePatch) => {
      afterRestore.current.set(note._id, { note, patch });
      restoreForEdit(note);
    },
    [restoreForEdit],
  );

  return useMemo(
    () => ({
      create,
      update: edit,
      forceUpdate: update,
      setStatus,
      remove,
      restore,
      overwrite,
      saveAsNew,
      restoreWith,
      forgetDraft,
    }),
    [create, edit, update, setStatus, remove, restore, overwrite, saveAsNew, restoreWith],
  );
}

export type NoteActions = ReturnType<typeof useNoteActions>;
