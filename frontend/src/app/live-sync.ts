/**
 * Live and offline, composed for the signed-in person (loaded just after the first paint):
 * the query cache kept in IndexedDB, the outbox of writes waiting for the network, and the
 * stream of live changes applied to the cache. Started when someone is signed in, stopped when
 * the session ends; signing out also removes every trace of the person's data from the device.
 */
import type { QueryClient } from '@tanstack/react-query';
import { API_BASE } from '@/config/paths';
import { applyNoteEvent, catchUpNotes, NOTE_EVENT_TYPES } from '@/features/notes/api/live-updates';
import { clearOutbox, startOutbox, stopOutbox } from '@/features/notes/api/outbox';
import { outboxReactions } from '@/features/notes/components/write-failures';
import { notesKeys } from '@/features/notes/lib/query-keys';
import { apiRequest } from '@/lib/api-client';
import { openEventStream } from '@/lib/event-stream';
import { clearPersisted, loadPersisted, persistQueries, restorePersisted } from '@/lib/persisted-cache';
import type { User } from '@/types/api';

export interface SavedSession {
  user: User;
  /** Put the saved notes into the cache (newer data already there is kept). */
  restore: (queryClient: QueryClient) => void;
}

/** What the last session on this device left: shown at once, and offline the session itself. */
export async function savedSession(): Promise<SavedSession | null> {
  const saved = await loadPersisted<User>().catch(() => null);
  return saved ? { user: saved.user, restore: (queryClient) => restorePersisted(queryClient, saved) } : null;
}

let stopActive: (() => void) | null = null;

/** The stream was refused: a request of our own finds out whether the session ended (a 401 ends it). */
async function checkSession(): Promise<void> {
  await apiRequest('/auth/profile').catch(() => undefined);
}

/** Start for `user`; the function returned stops it all (nothing stored is removed). */
export function startSync(queryClient: QueryClient, user: User): () => void {
  stopSync();
  const stopPersisting = persistQueries(queryClient, user, (query) => query.queryKey[0] === notesKeys.all[0]);
  void startOutbox(queryClient, user.id, outboxReactions);
  const closeStream = openEventStream({
    url: `${API_BASE}/events`,
    events: NOTE_EVENT_TYPES,
    onEvent: (type, data) => applyNoteEvent(queryClient, type, data),
    onGap: () => void catchUpNotes(queryClient),
    onFailure: checkSession,
  });
  const stop = () => {
    closeStream();
    stopOutbox();
    stopPersisting();
    if (stopActive === stop) stopActive = null;
  };
  stopActive = stop;
  return stop;
}

export function stopSync(): void {
  stopActive?.();
}

/**
 * The session ended. Signed out: nothing of the person's stays (saved notes, waiting writes).
 * Expired: the saved notes go, the waiting writes stay for when the same person signs in again.
 */
export async function forgetDevice(signedOut: boolean): Promise<void> {
  stopSync();
  await Promise.all([clearPersisted(), signedOut ? clearOutbox() : Promise.resolve()]).catch(() => undefined);
}
