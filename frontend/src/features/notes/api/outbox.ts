/**
 * The outbox: writes made without a network (or whose answer never came) wait here, shown as
 * pending, kept in IndexedDB so that a reload or a closed tab loses none of them, and are sent
 * in the order they were made once the network is back. Each goes with the Idempotency-Key it
 * was made with, so a write that did reach the server before is answered, not done again.
 *
 * The notes store holds the operations (`queued` marks the waiting ones, put there by
 * `outbox-queue.ts`); this module mirrors those to IndexedDB and sends them, one at a time, one tab at a time (Web Locks). A refusal
 * is handed to the page's reactions (the conflict dialog, a toast, the form again) with the
 * person's text.
 */
import { onlineManager, type QueryClient } from '@tanstack/react-query';
import { clear, createStore, delMany, entries, setMany, type UseStore } from 'idb-keyval';
import { createNote } from '@/features/notes/api/create-note';
import { deleteNote } from '@/features/notes/api/delete-note';
import { conflictNote, updateNote } from '@/features/notes/api/update-note';
import { forgetNote, notesKeys, revalidateNotes, writeNote } from '@/features/notes/lib/cache';
import { savedValues } from '@/features/notes/lib/note-input';
import {
  dropCreate,
  rebaseOps,
  restoreOps,
  settleCreate,
  waitsForCreate,
  type StoredOp,
} from '@/features/notes/lib/outbox';
import type { PendingOp, SendableOp } from '@/features/notes/lib/pending-ops';
import { setOutboxWaker, waitingOps } from '@/features/notes/api/outbox-queue';
import { useNotesStore } from '@/features/notes/stores/notes-store';
import type { Note, NoteChange, NoteInput } from '@/features/notes/types';
import { ApiError } from '@/lib/api-client';
import { retryDelay } from '@/lib/query-client';
import { useSessionStore } from '@/stores/session-store';
import { useSyncStore } from '@/stores/sync-store';

/** What the page does when the server refuses a write that waited (the person's text goes with it). */
export interface OutboxReactions {
  createRefused: (error: unknown, input: NoteInput) => void;
  updateRefused: (error: unknown, change: { note: Note; patch: NoteChange }) => void;
  deleteRefused: (error: unknown, note: Note) => void;
}

interface Engine {
  queryClient: QueryClient;
  userId: string;
  reactions: OutboxReactions;
  running: boolean;
  stopped: boolean;
  attempt: number;
  retry?: ReturnType<typeof setTimeout>;
  /** Unsubscribes from the store and the network, run when it stops. */
  cleanup: (() => void)[];
}

const LOCK = 'notestack-outbox';
let engine: Engine | null = null;
let idb: UseStore | null = null;

function database(): UseStore {
  idb ??= createStore('notestack-outbox', 'ops');
  return idb;
}

function setOps(update: (ops: PendingOp[]) => PendingOp[]): void {
  useNotesStore.setState((state) => ({ ops: update(state.ops) }));
}

const waiting = waitingOps;

// -- kept in IndexedDB -------------------------------------------------------------------------

let stored = new Map<string, SendableOp>();
let writes: Promise<void> = Promise.resolve();

/** Write what changed among the waiting operations; the indicator counts what is stored. */
function mirror(userId: string): void {
  // The session ended (the page is dropping everything): what is stored stays as it is.
  if (useSessionStore.getState().user?.id !== userId) return;
  const queued = waiting();
  const next = new Map(queued.map((op) => [op.opId, op]));
  const changed = queued.filter((op) => stored.get(op.opId) !== op);
  const gone = [...stored.keys()].filter((opId) => !next.has(opId));
  if (changed.length === 0 && gone.length === 0) return;
  stored = next;
  writes = writes
    .then(async () => {
      if (changed.length) {
        await setMany(
          changed.map((op): [string, StoredOp] => [op.opId, { userId, op }]),
          database(),
        );
      }
      if (gone.length) await delMany(gone, database());
    })
    .catch(() => undefined) // storage refused (a private window): the writes still wait in memory
    .then(() => useSyncStore.setState({ waiting: next.size }));
}

/** The person's writes left waiting by an earlier page (any tab); another person's are dropped. */
async function load(userId: string): Promise<SendableOp[]> {
  const records = await entries<string, unknown>(database());
  const others = records.filter(([, value]) => (value as Partial<StoredOp> | undefined)?.userId !== userId);
  if (others.length) await delMany(others.map(([key]) => key), database());
  return restoreOps(
    records.map(([, value]) => value),
    userId,
  );
}

/** Sign-out: nothing of the person's stays on the device. */
export async function clearOutbox(): Promise<void> {
  stopOutbox();
  stored = new Map();
  await writes;
  await clear(database());
  useSyncStore.setState({ waiting: 0, syncing: false });
}

// -- going out ---------------------------------------------------------------------------------

type Outcome = 'done' | 'later';

/** No answer, or not now (busy, still running elsewhere, signing in again): try again later. */
function isTransient(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  return error.status === 0 || error.status === 401 || error.status === 408 || error.status === 409 || error.status === 429 || error.status >= 500;
}

function withLock(work: () => Promise<void>): Promise<void> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return locks ? locks.request(LOCK, work) : work();
}

/** The outbox goes after writes already in flight from this page (they were made earlier). */
function mutationsSettled(queryClient: QueryClient): Promise<void> {
  if (queryClient.isMutating() === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const unsubscribe = queryClient.getMutationCache().subscribe(() => {
      if (queryClient.isMutating() > 0) return;
      unsubscribe();
      resolve();
    });
  });
}

async function request(op: SendableOp): Promise<Note | null> {
  if (op.kind === 'create') return createNote(savedValues(op.note), op.key);
  if (op.kind === 'update') return updateNote(op.noteId, op.patch, op.baseVersion, op.key);
  await deleteNote(op.noteId, op.key);
  return null;
}

function applied(current: Engine, op: SendableOp, saved: Note | null): void {
  const { queryClient } = current;
  if (op.kind === 'create' && saved) {
    writeNote(queryClient, saved);
    setOps((ops) => settleCreate(ops, op.opId, saved));
  } else if (op.kind === 'update' && saved) {
    writeNote(queryClient, saved);
    setOps((ops) =>
      rebaseOps(
        ops.filter((other) => other.opId !== op.opId),
        saved._id,
        saved.version,
      ),
    );
  } else {
    forgetNote(queryClient, op.kind === 'create' ? op.note._id : op.noteId);
    setOps((ops) => ops.filter((other) => other.opId !== op.opId));
    void queryClient.invalidateQueries({ queryKey: notesKeys.trash() });
  }
}

function refused(current: Engine, op: SendableOp, error: unknown): void {
  const { queryClient, reactions } = current;
  if (op.kind === 'create') {
    let latest: Note | null = null;
    useNotesStore.setState((state) => {
      const dropped = dropCreate(state.ops, op.opId);
      latest = dropped.latest;
      return { ops: dropped.ops };
    });
    if (latest) reactions.createRefused(error, savedValues(latest));
    return;
  }
  setOps((ops) => ops.filter((other) => other.opId !== op.opId));
  const gone = error instanceof ApiError && error.status === 404;
  if (gone) forgetNote(queryClient, op.noteId);
  if (op.kind === 'update') {
    const theirs = conflictNote(error);
    if (theirs) writeNote(queryClient, theirs);
    reactions.updateRefused(error, { note: op.base, patch: op.patch });
  } else if (!gone) {
    reactions.deleteRefused(error, op.note);
  }
}

async function send(current: Engine, op: SendableOp): Promise<Outcome> {
  if (waitsForCreate(op)) {
    // Its note was never created (the create was refused or lost): nothing to send it to.
    refused(current, op, new ApiError(404, 'The note this change was for was never saved.'));
    return 'done';
  }
  // From now on it may reach the server: an Undo can no longer simply call it off.
  if (!op.sent) setOps((ops) => ops.map((other) => (other.opId === op.opId ? { ...other, sent: true } : other)));
  let saved: Note | null;
  try {
    saved = await request(op);
  } catch (error) {
    if (current.stopped || isTransient(error)) return 'later';
    refused(current, op, error);
    return 'done';
  }
  if (current.stopped) return 'later'; // signed out meanwhile: this page keeps nothing more
  applied(current, op, saved);
  return 'done';
}

function scheduleRetry(current: Engine): void {
  clearTimeout(current.retry);
  current.attempt += 1;
  current.retry = setTimeout(() => {
    current.retry = undefined;
    kick();
  }, retryDelay(Math.min(current.attempt, 5)));
}

async function run(current: Engine): Promise<void> {
  current.running = true;
  clearTimeout(current.retry);
  current.retry = undefined;
  let sentAny = false;
  try {
    await withLock(async () => {
      while (!current.stopped && onlineManager.isOnline()) {
        await mutationsSettled(current.queryClient);
        const op = waiting()[0];
        if (!op) break;
        useSyncStore.setState({ syncing: true });
        if ((await send(current, op)) === 'later') {
          scheduleRetry(current);
          break;
        }
        current.attempt = 0;
        sentAny = true;
      }
    });
  } finally {
    current.running = false;
    useSyncStore.setState({ syncing: false });
  }
  if (current.stopped) return;
  // Lists and counts as the server has them now (a note created here may have moved others).
  if (sentAny) void revalidateNotes(current.queryClient);
  if (!current.retry) kick(); // anything queued while the last one was on its way
}

/** Send what waits, if there is a network and nothing is being sent already. */
export function kick(): void {
  const current = engine;
  if (!current || current.running || current.stopped || current.retry) return;
  if (!onlineManager.isOnline() || waiting().length === 0) return;
  void run(current);
}

/** Start the outbox for the signed-in person: take up what waited, keep it stored, send it. */
export async function startOutbox(queryClient: QueryClient, userId: string, reactions: OutboxReactions): Promise<void> {
  stopOutbox();
  const current: Engine = { queryClient, userId, reactions, running: false, stopped: false, attempt: 0, cleanup: [] };
  engine = current;
  // Without IndexedDB (some private windows) the outbox lives in memory only.
  const restored = await load(userId).catch((): SendableOp[] => []);
  if (current.stopped) return;
  stored = new Map(restored.map((op) => [op.opId, op]));
  const known = new Set(useNotesStore.getState().ops.map((op) => op.opId));
  const adopted = restored.filter((op) => !known.has(op.opId));
  if (adopted.length) setOps((ops) => [...adopted, ...ops]);
  current.cleanup.push(
    useNotesStore.subscribe(() => mirror(userId)),
    onlineManager.subscribe((online) => {
      if (!online) return;
      clearTimeout(current.retry);
      current.retry = undefined;
      current.attempt = 0;
      kick();
    }),
  );
  setOutboxWaker(kick);
  mirror(userId);
  useSyncStore.setState({ waiting: waiting().length });
  kick();
}

/** Stop sending and storing (sign-out, or the session ended): what is stored stays stored. */
export function stopOutbox(): void {
  const current = engine;
  if (!current) return;
  engine = null;
  current.stopped = true;
  setOutboxWaker(() => undefined);
  clearTimeout(current.retry);
  for (const unsubscribe of current.cleanup) unsubscribe();
}
