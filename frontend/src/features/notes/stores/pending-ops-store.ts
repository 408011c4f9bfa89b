import { create } from 'zustand';
import type { PendingOp } from '@/features/notes/lib/list-patch';
import type { Note } from '@/features/notes/types';

interface PendingOpsState {
  ops: PendingOp[];
  add: (op: PendingOp) => void;
  /** The server accepted the operation: show its answer until the list has been refetched. */
  confirm: (opId: string, note: Note) => void;
  remove: (opId: string) => void;
  clear: () => void;
}

/** Optimistic operations that the server has not confirmed yet (client state only). */
export const usePendingOpsStore = create<PendingOpsState>()((set) => ({
  ops: [],
  add: (op) => set((state) => ({ ops: [...state.ops, op] })),
  confirm: (opId, note) =>
    set((state) => ({
      ops: state.ops.map((op) => (op.opId === opId && op.kind !== 'delete' ? { ...op, confirmed: note } : op)),
    })),
  remove: (opId) => set((state) => ({ ops: state.ops.filter((op) => op.opId !== opId) })),
  clear: () => set({ ops: [] }),
}));

let counter = 0;
export function newOpId(prefix = 'op'): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}`;
}
