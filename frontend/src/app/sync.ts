/**
 * The small part of live updates and offline work that the first page needs: the rest
 * (`live-sync.ts`: IndexedDB, the outbox, the event stream) loads beside the session check.
 */
import type { QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { SavedSession } from '@/app/live-sync';
import { useSessionStore } from '@/stores/session-store';

const load = () => import('@/app/live-sync');

/** What the last session on this device saved (null when nothing, or no IndexedDB). */
export function savedSession(): Promise<SavedSession | null> {
  return load()
    .then((sync) => sync.savedSession())
    .catch(() => null);
}

/** While someone is signed in: their cache kept, their waiting writes sent, live changes applied. */
export function useLiveSync(queryClient: QueryClient): void {
  const user = useSessionStore((state) => state.user);
  useEffect(() => {
    if (!user) return;
    let stop: (() => void) | undefined;
    let cancelled = false;
    void load().then((sync) => {
      if (!cancelled) stop = sync.startSync(queryClient, user);
    });
    return () => {
      cancelled = true;
      stop?.();
    };
  }, [queryClient, user]);
}

export function forgetDevice(signedOut: boolean): void {
  void load().then((sync) => sync.forgetDevice(signedOut));
}
