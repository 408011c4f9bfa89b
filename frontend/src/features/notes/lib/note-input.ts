import type { Note, NoteInput, NotePatch } from '@/features/notes/types';

export const EMPTY_INPUT: NoteInput = { title: '', description: '', status: 'Pending', priority: 'Medium' };

/** The editable fields of a note, as a form starts from them. */
export function savedValues(note: Note | undefined): NoteInput {
  return note
    ? { title: note.title, description: note.description, status: note.status, priority: note.priority }
    : EMPTY_INPUT;
}

/** The fields a form changed: what an edit sends. */
export function changedFields(note: Pick<Note, keyof NoteInput>, values: NoteInput): NotePatch {
  const patch: NotePatch = {};
  if (values.title !== note.title) patch.title = values.title;
  if (values.description !== note.description) patch.description = values.description;
  if (values.status !== note.status) patch.status = values.status;
  if (values.priority !== note.priority) patch.priority = values.priority;
  return patch;
}

/**
 * The person's version, kept as a draft of the note whatever they choose: the server's note
 * with their fields on top. Null when they changed no text (a status or a priority only).
 */
export function keptCopy(theirs: Note, patch: NotePatch): NoteInput | null {
  if (patch.title === undefined && patch.description === undefined) return null;
  const copy = { ...savedValues(theirs) };
  for (const field of ['title', 'description', 'status', 'priority'] as const) {
    const value = patch[field];
    if (value !== undefined) Object.assign(copy, { [field]: value });
  }
  return copy;
}
