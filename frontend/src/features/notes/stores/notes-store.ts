import { create } from 'zustand';
import type { PendingOp } from '@/features/notes/lib/pending-ops';
import type { Note, NoteInput, NotePatch } from '@/features/notes/types';

export type NoteDialogState =
  | { kind: 'closed' }
  | { kind: 'create'; draft?: NoteInput; serverError?: string }
  | { kind: 'edit'; note: Note; draft?: NoteInput; serverError?: string }
  /** A save refused (412): `conflicts` are the fields changed elsewhere to other values. */
  | { kind: 'conflict'; mine: Note; patch: NotePatch; theirs: Note; conflicts: string[] }
  /** A save to a note deleted elsewhere (404): the person's change, to restore or keep. */
  | { kind: 'deleted'; note: Note; patch: NotePatch }
  | { kind: 'shortcuts' };

export const NOTES_VIEWS = ['grid', 'list', 'board'] as const;
export type NotesView = (typeof NOTES_VIEWS)[number];

interface NotesState {
  /** Operations the server has not confirmed yet, in the order they were made. */
  ops: PendingOp[];
  dialog: NoteDialogState;
  view: NotesView;
  addOp: (op: PendingOp) => void;
  removeOp: (opId: string) => void;
  openDialog: (dialog: NoteDialogState) => void;
  closeDialog: () => void;
  setView: (view: NotesView) => void;
  reset: () => void;
}

const VIEW_KEY = 'notestack:view';

function savedView(): NotesView {
  try {
    const saved = globalThis.localStorage?.getItem(VIEW_KEY);
    return NOTES_VIEWS.find((view) => view === saved) ?? 'grid';
  } catch {
    return 'grid';
  }
}

/**
 * The notes feature's client-only state, in one place: unconfirmed operations (laid over the
 * server's notes when rendering; those waiting for the network are kept in IndexedDB too, by
 * `api/outbox.ts`), the open dialog, and the chosen view. Server state is in TanStack Query,
 * never here.
 */
export const useNotesStore = create<NotesState>()((set) => ({
  ops: [],
  dialog: { kind: 'closed' },
  view: savedView(),
  addOp: (op) => set((state) => ({ ops: [...state.ops, op] })),
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
