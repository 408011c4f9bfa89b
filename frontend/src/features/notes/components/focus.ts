/** Keyboard focus among the notes on screen (cards and rows carry `data-note-id`). */

export function noteElement(noteId: string): HTMLElement | null {
  return document.querySelector<HTMLElement>(`[data-note-id="${CSS.escape(noteId)}"]`);
}

/** Focus a note's card, or the main region when it is not on screen: never the page body. */
export function focusNote(noteId: string | null): void {
  const target = (noteId ? noteElement(noteId) : null) ?? document.getElementById('main');
  target?.focus();
}

/** The note whose card holds the focus, if any. */
export function focusedNoteId(): string | null {
  const active = document.activeElement;
  return active?.closest<HTMLElement>('[data-note-id]')?.dataset.noteId ?? null;
}

/** The notes shown, in order (ids of their cards). */
export function shownNoteIds(): string[] {
  return [...document.querySelectorAll<HTMLElement>('[data-note-id]')].map((el) => el.dataset.noteId ?? '');
}

/** The card that takes a note's place when it leaves the list: the next one, else the previous. */
export function neighbourOf(noteId: string): string | null {
  const ids = shownNoteIds();
  const index = ids.indexOf(noteId);
  if (index < 0) return null;
  return ids[index + 1] ?? ids[index - 1] ?? null;
}
