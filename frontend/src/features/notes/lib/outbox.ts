/**
 * The outbox, as pure functions over the unconfirmed operations: which writes wait for the
 * network, in what order, and what becomes of the ones behind a write once the server has
 * answered it. The notes store holds the operations; `api/outbox.ts` keeps the waiting ones in
 * IndexedDB and sends them.
 *
 * A note created offline has a temporary id until its create is sent: edits and deletes made
 * to it meanwhile wait behind the create with that id, and are pointed at the server's id (and
 * based on its version) once the create is confirmed.
 */
import { applyOpsToNote, isUnsaved, type PendingOp, type SendableOp } from '@/features/notes/lib/pending-ops';
import { isNote, isRecord } from '@/features/notes/lib/note-guard';
import type { Note } from '@/features/notes/types';

export function isSendable(op: PendingOp): op is SendableOp {
  return op.kind === 'create' || op.kind === 'update' || op.kind === 'delete';
}

/** The writes waiting in the outbox, in the order they were made. */
export function queuedOps(ops: readonly PendingOp[]): SendableOp[] {
  return ops.filter((op): op is SendableOp => isSendable(op) && op.queued === true);
}

/** The note an operation acts on (a create: its temporary id). */
export function targetOf(op: SendableOp): string {
  return op.kind === 'create' ? op.note._id : op.noteId;
}

/**
 * This tab's change to a note was saved as `version`: the changes to it still waiting were
 * made on top of that one, so they are based on it now (not a conflict with it).
 */
export function rebaseOps(ops: readonly PendingOp[], noteId: string, version: number): PendingOp[] {
  return ops.map((op) =>
    op.kind === 'update' && op.noteId === noteId && op.baseVersion < version ? { ...op, baseVersion: version } : op,
  );
}

/**
 * A create was confirmed as `saved`: it is no longer pending, and what waits behind it for
 * its temporary id now acts on the server's id, based on the saved version.
 */
export function settleCreate(ops: readonly PendingOp[], opId: string, saved: Note): PendingOp[] {
  const create = ops.find((op) => op.opId === opId);
  if (!create || create.kind !== 'create') return ops.slice();
  const tempId = create.note._id;
  const rest = ops.filter((op) => op.opId !== opId);
  const moved = rest.map((op): PendingOp => {
    if (op.kind === 'update' && op.noteId === tempId) {
      return { ...op, noteId: saved._id, base: saved, baseVersion: Math.max(op.baseVersion, saved.version) };
    }
    if (op.kind === 'delete' && op.noteId === tempId) return { ...op, noteId: saved._id, note: saved };
    return op;
  });
  return rebaseOps(moved, saved._id, saved.version);
}

/**
 * A create the server refused: it and everything waiting for its temporary id are dropped;
 * `latest` is the note as the person last left it (their edits made offline included), so
 * that none of their text is lost; null when they had deleted it.
 */
export function dropCreate(ops: readonly PendingOp[], opId: string): { ops: PendingOp[]; latest: Note | null } {
  const create = ops.find((op) => op.opId === opId);
  if (!create || create.kind !== 'create') return { ops: ops.slice(), latest: null };
  const tempId = create.note._id;
  const own = ops.filter((op) => op.opId === opId || ('noteId' in op && op.noteId === tempId));
  const shown = applyOpsToNote(create.note, own);
  const latest = shown ? stripDisplay(shown) : null;
  return { ops: ops.filter((op) => !own.includes(op)), latest };
}

function stripDisplay(note: Note & { pending?: boolean; queued?: boolean }): Note {
  const { pending: _pending, queued: _queued, ...rest } = note;
  return rest;
}

/**
 * A delete still waiting that was never sent can be called off (the person pressed Undo
 * while offline): its operation id, or null.
 */
export function cancellableDelete(ops: readonly PendingOp[], noteId: string): string | null {
  const op = ops.find((candidate) => candidate.kind === 'delete' && candidate.noteId === noteId);
  return op && op.kind === 'delete' && op.queued && !op.sent ? op.opId : null;
}

/** A write waiting for a note that only exists as a temporary id can only go after its create. */
export function waitsForCreate(op: SendableOp): boolean {
  return op.kind !== 'create' && isUnsaved({ _id: op.noteId });
}

// -- kept in IndexedDB ------------------------------------------------------------------------

/** One outbox record: the operation and whose it is. */
export interface StoredOp {
  userId: string;
  op: SendableOp;
}

function isSendableRecord(value: unknown): value is SendableOp {
  if (!isRecord(value) || typeof value.opId !== 'string' || typeof value.key !== 'string') return false;
  if (typeof value.seq !== 'number') return false;
  if (value.kind === 'create') return isNote(value.note);
  if (value.kind === 'delete') return typeof value.noteId === 'string' && isNote(value.note);
  if (value.kind === 'update') {
    return (
      typeof value.noteId === 'string' && isRecord(value.patch) && isNote(value.base) && typeof value.baseVersion === 'number'
    );
  }
  return false;
}

/**
 * The person's waiting writes from what IndexedDB held (written by any tab, any earlier
 * build): checked, theirs only, in the order they were made, marked as waiting.
 */
export function restoreOps(records: readonly unknown[], userId: string): SendableOp[] {
  const ops: SendableOp[] = [];
  for (const record of records) {
    if (!isRecord(record) || record.userId !== userId || !isSendableRecord(record.op)) continue;
    ops.push({ ...record.op, queued: true });
  }
  return ops.sort((a, b) => a.seq - b.seq);
}

let lastSeq = 0;
/** Increasing across this tab's writes, and with the clock across reloads and tabs. */
export function nextSeq(now: number = Date.now()): number {
  lastSeq = Math.max(lastSeq + 1, now * 1000);
  return lastSeq;
}

/** A fresh Idempotency-Key (random, printable ASCII, as the server asks). */
export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
