import { lazy } from 'react';

/** The heavy parts of the notes pages, loaded when first needed (or when the browser is idle). */
const loadDialogs = () => import('@/features/notes/components/note-dialogs');
const loadNoteForm = () => import('@/features/notes/components/note-form');
const loadMarkdown = () => import('@/features/notes/components/markdown');
const loadBoard = () => import('@/features/notes/components/notes-board');

export const NoteDialogs = lazy(loadDialogs);
export const LazyNoteForm = lazy(() => loadNoteForm().then((module) => ({ default: module.NoteForm })));
export const Markdown = lazy(loadMarkdown);
/** The board view and its drag and drop (dnd-kit): only for people who open it. */
export const NotesBoard = lazy(loadBoard);

/** Fetch the on-demand parts ahead of need, once the page has settled. */
export function preloadNoteParts(): void {
  const load = () => {
    void loadDialogs();
    void loadMarkdown();
  };
  if ('requestIdleCallback' in window) window.requestIdleCallback(load, { timeout: 3000 });
  else setTimeout(load, 1500);
}
