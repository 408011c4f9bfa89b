import { create } from 'zustand';
import type { PendingOp } from '@/features/notes/lib/list-patch';
import type { Note, NoteInput, NotePatch } from '@/features/notes/types';

export type NoteDialogState =
  | { kind: 'closed' }
  | { kind: 'create'; draft?: NoteInput; serverError?: string }
  | { kind: 'edit'; note: Note; draft?: NoteInput; serverError?: string }
  | { kind: 'conflict'; mine: Note; patch: NotePatch; theirs: Note }
  | { kind: 'shortcuts' };

export type NotesView = 'grid' | 'list';

interface NotesState {
  /** Operations the server has not confirmed yet, in the order they were made. */
  ops: PendingOp[];
  dialog: NoteDialogState;
  view: NotesView;
  addOp: (op: PendingOp) => void;
  markSending: (opId: string) => void;
  removeOp: (opId: string) => void;
  openDialog: (dialog: NoteDialogState) => void;
  closeDialog: () => void;
  setView: (view: NotesView) => void;
  reset: () => void;
}

const VIEW_KEY = 'notestack:view';

function savedView(): NotesView {
  try {
    return globalThis.localStorage?.getItem(VIEW_KEY) === 'list' ? 'list' : 'grid';
  } catch {
    return 'grid';
  }
}

/**
 * The notes feature's client-only state, in one place: unconfirmed operations (laid over the
 * server's notes when rendering), the open dialog, and the chosen view. Server state is in
 * TanStack Query, never here.
 */
export const useNotesStore = create<NotesState>()((set) => ({
  ops: [],
  dialog: { kind: 'closed' },
  view: savedView(),
  addOp: (op) => set((state) => ({ ops: [...state.ops, op] })),
  markSending: (opId) =>
    set((state) => ({
      ops: state.ops.map((op) => (op.opId === opId && op.kind === 'delete' ? { ...op, sending: true } : op)),
    })),
  removeOp: (opId) => set((state) => ({ ops: state.ops.filter((op) => op.opId !== opId) })),
  openDialog: (dialog) => set({ dialog }),
  closeDialog: () => set({ dialog: { kind: 'closed' } }),
  setView: (view) => {
    try {
      globalThis.localStorage?.setItem(VIEW_KEY, view);
    } catch {
      // A private window may refuse storage: the choice then lasts for this page only.
    }
    set({ view });
  },
  reset: () => set({ ops: [], dialog: { kind: 'closed' } }),
}));

export function findOp(opId: string): PendingOp | undefined {
  return useNotesStore.getState().ops.find((op) => op.opId === opId);
}

let counter = 0;
export function newOpId(prefix = 'op'): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}`;
}
