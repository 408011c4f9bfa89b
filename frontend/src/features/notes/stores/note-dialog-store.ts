import { create } from 'zustand';
import type { Note, NoteInput } from '@/features/notes/types';

export type NoteDialogState =
  | { kind: 'closed' }
  | { kind: 'create'; draft?: NoteInput; serverError?: string }
  | { kind: 'edit'; note: Note; draft?: NoteInput; serverError?: string }
  | { kind: 'conflict'; mine: Note; patch: Partial<NoteInput>; theirs: Note };

interface NoteDialogStore {
  dialog: NoteDialogState;
  open: (dialog: NoteDialogState) => void;
  close: () => void;
}

/** Which note dialog is open, and the person's unsaved text when it had to be reopened. */
export const useNoteDialogStore = create<NoteDialogStore>()((set) => ({
  dialog: { kind: 'closed' },
  open: (dialog) => set({ dialog }),
  close: () => set({ dialog: { kind: 'closed' } }),
}));
