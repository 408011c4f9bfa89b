import { onlineManager, QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { forgetDevice, savedSession, useLiveSync } from '@/app/sync';
import { Toaster } from '@/components/ui/toaster';
import { getProfile } from '@/features/auth/api/get-profile';
import { noteQueryOptions } from '@/features/notes/api/get-note';
import { notesQueryOptions } from '@/features/notes/api/get-notes';
import { filtersFromSearchParams } from '@/features/notes/lib/filters';
import { ApiError } from '@/lib/api-client';
import { createQueryClient, installFocusListeners } from '@/lib/query-client';
import { useSessionStore } from '@/stores/session-store';
import { toast } from '@/stores/toast-store';

/**
 * Start the data the first page needs beside the profile check, not after it: with a valid
 * cookie both answer in one round trip; without one the prefetch's 401 is simply dropped.
 */
function prefetchFirstPage(queryClient: QueryClient, { pathname, search }: Location): void {
  const note = /^\/notes\/([^/]+)$/.exec(pathname);
  if (note?.[1]) {
    void queryClient.prefetchQuery(noteQueryOptions(decodeURIComponent(note[1])));
  } else if (pathname === '/' || pathname === '/notes') {
    void queryClient.prefetchInfiniteQuery(notesQueryOptions(filtersFromSearchParams(new URLSearchParams(search))));
  }
}

export function AppProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);

  useEffect(() => {
    installFocusListeners();
    // Queries wait for the network instead of failing while the browser says it is offline
    // (TanStack Query starts out online and follows the online and offline events from then on).
    onlineManager.setOnline(navigator.onLine);
    const controller = new AbortController();
    const saved = savedSession();
    const session = useSessionStore.getState();
    getProfile(controller.signal)
      .then(async (user) => {
        if (!user) {
          forgetDevice(false);
          session.clear();
          return;
        }
        const copy = await saved;
        if (copy?.user.id === user.id) copy.restore(queryClient);
        session.setUser(user);
      })
      .catch(async (error: unknown) => {
        if (controller.signal.aborted) return;
        // No network: the last session on this device, with the notes it had loaded.
        const copy = error instanceof ApiError && error.status === 0 ? await saved : null;
        if (copy) {
          copy.restore(queryClient);
          session.setUser(copy.user);
          return;
        }
        session.clear();
        toast.error(`Could not check your session (${error instanceof Error ? error.message : 'unknown error'}).`);
      });
    prefetchFirstPage(queryClient, window.location);
    return () => controller.abort();
  }, [queryClient]);
  useLiveSync(queryClient);

  return (
    <QueryClientProvider client={queryClient}>
      {children}
      <Toaster />
    </QueryClientProvider>
  );
}
