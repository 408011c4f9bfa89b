/**
 * Into the outbox (`outbox.ts` stores and sends what waits): what the write hooks ask before
 * sending, and how a write goes to wait. Apart from the sending so that the hooks do not
 * depend on it.
 */
import { onlineManager } from '@tanstack/react-query';
import { isSendable, queuedOps } from '@/features/notes/lib/outbox';
import type { SendableOp } from '@/features/notes/lib/pending-ops';
import { useNotesStore } from '@/features/notes/stores/notes-store';
import { ApiError } from '@/lib/api-client';

let wake: () => void = () => undefined;

/** Called with each newly waiting write (the outbox, once started, sends it if it can). */
export function setOutboxWaker(waker: () => void): void {
  wake = waker;
}

/** The writes waiting in the outbox, in the order they were made. */
export function waitingOps(): SendableOp[] {
  return queuedOps(useNotesStore.getState().ops);
}

/** A new write waits when there is no network, or behind writes that already wait. */
export function shouldQueue(): boolean {
  return !onlineManager.isOnline() || waitingOps().length > 0;
}

/** Put a write in the outbox; `sent`: it may have reached the server (it went, no answer came). */
export function queueOp(opId: string, sent = false): void {
  useNotesStore.setState((state) => ({
    ops: state.ops.map((op) =>
      op.opId === opId && isSendable(op) ? { ...op, queued: true, ...(sent || op.sent ? { sent: true } : {}) } : op,
    ),
  }));
  wake();
}

/** A write that got no answer at all (the network went): it waits instead of being rolled back. */
export function queueOnNetworkFailure(opId: string, error: unknown): boolean {
  if (!(error instanceof ApiError) || error.status !== 0) return false;
  if (!useNotesStore.getState().ops.some((op) => op.opId === opId)) return false;
  queueOp(opId, true);
  return true;
}
