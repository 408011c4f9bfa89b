/**
 * What the person sees when the server refuses a write, wherever it was sent from (at once, or
 * later from the outbox): the reason, and their text kept (a draft of the note, the form again
 * or the conflict dialog). None of it is lost.
 */
import { clearDraft, draftKey, saveDraft } from '@/features/notes/lib/draft-storage';
import { keptCopy } from '@/features/notes/lib/note-input';
import { conflictFields, conflictNote } from '@/features/notes/api/update-note';
import { useNotesStore } from '@/features/notes/stores/notes-store';
import type { Note, NoteChange, NoteInput } from '@/features/notes/types';
import { ApiError, errorMessage } from '@/lib/api-client';
import { useSessionStore } from '@/stores/session-store';
import { toast } from '@/stores/toast-store';

export function keyFor(noteId: string | null): string {
  return draftKey(useSessionStore.getState().user?.id ?? '', noteId);
}

export function forgetDraft(noteId: string | null): void {
  clearDraft(keyFor(noteId));
}

/** A create refused: the form comes back with the person's text. */
export function createFailed(error: unknown, input: NoteInput): void {
  toast.error(`Could not create “${input.title}”: ${errorMessage(error)}`);
  useNotesStore.getState().openDialog({ kind: 'create', draft: input, serverError: errorMessage(error) });
}

/**
 * An edit refused. A conflict (412) opens the conflict dialog, a note deleted elsewhere (404)
 * offers to restore it with the change; either way the person's text is kept as a draft of
 * the note. Otherwise the form comes back with their text, when the change came from it.
 */
export function updateFailed(error: unknown, change: { note: Note; patch: NoteChange; draft?: NoteInput }): void {
  const { note, patch, draft } = change;
  const { position: _position, ...fields } = patch;
  const { openDialog } = useNotesStore.getState();
  if (error instanceof ApiError && error.status === 412) {
    const theirs = conflictNote(error) ?? note;
    // Whatever the person chooses next, their text is kept (a draft of the note) until saved.
    const copy = keptCopy(theirs, fields);
    if (copy) saveDraft(keyFor(note._id), copy);
    openDialog({ kind: 'conflict', mine: note, patch: fields, theirs, conflicts: conflictFields(error) });
    return;
  }
  if (error instanceof ApiError && error.status === 404) {
    const copy = keptCopy(note, fields);
    if (copy) saveDraft(keyFor(note._id), copy);
    openDialog({ kind: 'deleted', note, patch: fields });
    return;
  }
  toast.error(`Could not save “${draft?.title ?? note.title}”: ${errorMessage(error)}`);
  if (draft) openDialog({ kind: 'edit', note, draft, serverError: errorMessage(error) });
}

export function deleteFailed(error: unknown, note: Note): void {
  toast.error(`Could not delete “${note.title}”: ${errorMessage(error)} It is back in your list.`);
}

/**
 * The same, for writes that waited in the outbox: there is no form open any more, so an
 * edit's text comes back in the form, as the person left it.
 */
export const outboxReactions = {
  createRefused: createFailed,
  updateRefused: (error: unknown, { note, patch }: { note: Note; patch: NoteChange }) => {
    const { position: _position, ...fields } = patch;
    updateFailed(error, { note, patch, draft: keptCopy(note, fields) ?? undefined });
  },
  deleteRefused: deleteFailed,
};
