/**
 * Unconfirmed operations, laid over the server's notes when rendering: a background refetch
 * never wipes them, and a rollback is just dropping one. (What is done to the cache when the
 * server answers is in `list-patch.ts`.)
 */
import { matchesFilters } from '@/features/notes/lib/filters';
import { listOrdering, sortedIndex, sortKeysDiffer } from '@/features/notes/lib/sorting';
import type { DisplayNote, Note, NoteChange, NoteFilters } from '@/features/notes/types';

/** What a create, an edit or a delete carries so that it can wait in the outbox (`lib/outbox.ts`). */
export interface Sendable {
  /** The Idempotency-Key it is sent with, every time: the server does it once. */
  key: string;
  /** Its place in the order writes were made, across reloads and tabs. */
  seq: number;
  /** Waiting in the outbox (IndexedDB) for the network, instead of in flight. */
  queued?: boolean;
  /** It may have reached the server already (sent, no answer): it can no longer be called off. */
  sent?: boolean;
}

export type PendingOp =
  /** Shown on top of the list with a temporary id until the server answers. */
  | ({ opId: string; kind: 'create'; note: Note } & Sendable)
  /**
   * `base`: the note as the person saw it when making the change (shown in lists it was not
   * in, such as another board column); `baseVersion`: the version the change was made from,
   * sent as If-Match so the server can merge it with changes made elsewhere since.
   */
  | ({ opId: string; kind: 'update'; noteId: string; patch: NoteChange; base: Note; baseVersion: number } & Sendable)
  /** Hidden at once, until the server has moved it to the trash. */
  | ({ opId: string; kind: 'delete'; noteId: string; note: Note } & Sendable)
  /** Back from the trash: shown in the lists, gone from the trash. */
  | { opId: string; kind: 'restore'; noteId: string; note: Note }
  /** Deleted for good: gone from the trash (`noteId` null: the whole trash). */
  | { opId: string; kind: 'purge'; noteId: string | null };

/** The writes that can wait in the outbox while offline. */
export type SendableOp = Extract<PendingOp, Sendable>;

/**
 * One note with the unconfirmed operations on it applied, in order: null while a delete is
 * pending, unless an undo (a restore) came after it.
 */
export function applyOpsToNote(note: DisplayNote, ops: readonly PendingOp[]): DisplayNote | null {
  let shown: DisplayNote = note;
  let deleted = false;
  for (const op of ops) {
    if (op.kind === 'create' || op.kind === 'purge' || op.noteId !== note._id) continue;
    if (op.kind === 'update') shown = { ...shown, ...op.patch, pending: true, ...(op.queued ? { queued: true } : {}) };
    else if (op.kind === 'delete') deleted = true;
    else if (op.kind === 'restore') {
      deleted = false;
      shown = { ...shown, pending: true };
    }
  }
  return deleted ? null : shown;
}

/**
 * The list as shown: the server's notes with every unconfirmed operation applied. Creates
 * go on top; a note changed here is judged against the filters again, and when the change
 * moves it in the list's order (a card dragged on the board), it is moved; a note from
 * another list that now belongs in this one (a card dragged to another column, a note
 * restored from the trash) is added where the order puts it.
 */
export function applyPendingOps(
  serverNotes: readonly Note[],
  ops: readonly PendingOp[],
  filters: NoteFilters,
): DisplayNote[] {
  if (ops.length === 0) return serverNotes.slice();
  const ordering = listOrdering(filters);
  const created: DisplayNote[] = [];
  // Notes already placed: a change to a note created here (offline) goes with its create.
  const present = new Set<string>();
  for (const op of [...ops].reverse()) {
    if (op.kind !== 'create') continue;
    present.add(op.note._id);
    const next = applyOpsToNote({ ...op.note, pending: true, ...(op.queued ? { queued: true } : {}) }, ops);
    if (next && matchesFilters(next, filters)) created.push(next);
  }
  const shown: DisplayNote[] = [];
  const moved: DisplayNote[] = [];
  for (const note of serverNotes) {
    present.add(note._id);
    const next = applyOpsToNote(note, ops);
    // The server chose its own notes by the filters; only what changed here is judged here.
    if (!next || (next !== note && !matchesFilters(next, filters))) continue;
    if (next !== note && ordering && sortKeysDiffer(note, next, ordering)) moved.push(next);
    else shown.push(next);
  }
  for (const op of ops) {
    if ((op.kind !== 'update' && op.kind !== 'restore') || present.has(op.noteId)) continue;
    present.add(op.noteId);
    const from = op.kind === 'update' ? op.base : op.note;
    const next = applyOpsToNote({ ...from, pending: true }, ops);
    if (next && matchesFilters(next, filters)) moved.push(next);
  }
  for (const note of moved) {
    if (ordering) shown.splice(sortedIndex(shown, note, ordering), 0, note);
    else shown.unshift(note);
  }
  return [...created, ...shown];
}

/** The trash as shown: without the notes being restored or deleted for good. */
export function applyTrashOps<T extends Note>(trashed: readonly T[], ops: readonly PendingOp[]): T[] {
  const hidden = new Set<string>();
  for (const op of ops) {
    if (op.kind === 'purge' && op.noteId === null) return [];
    if (op.kind === 'restore' || op.kind === 'purge') hidden.add(op.noteId ?? '');
  }
  return hidden.size === 0 ? trashed.slice() : trashed.filter((note) => !hidden.has(note._id));
}

/** A stand-in note shown while the server has not answered a create yet. */
export function optimisticNote(
  input: Pick<Note, 'title' | 'description' | 'status' | 'priority'>,
  tempId: string,
  userId: string,
  now: Date = new Date(),
): Note {
  const iso = now.toISOString();
  // The server puts a new note at the top of its column; "a0" holds its place until then.
  return { ...input, _id: tempId, userId, version: 0, position: 'a0', createdAt: iso, updatedAt: iso };
}

/** Notes not yet created on the server carry a temporary id (and have no page of their own). */
export function isUnsaved(note: Pick<Note, '_id'>): boolean {
  return note._id.startsWith('pending-');
}

/**
 * Whether a person can act on the note now: not while its create is in flight, but a note
 * created offline (waiting in the outbox) can be edited or deleted: those wait behind it.
 */
export function canActOn(note: Pick<DisplayNote, '_id' | 'queued'>): boolean {
  return !isUnsaved(note) || note.queued === true;
}
