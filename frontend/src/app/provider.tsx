import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { Toaster } from '@/components/ui/toaster';
import { getProfile } from '@/features/auth/api/get-profile';
import { noteQueryOptions } from '@/features/notes/api/get-note';
import { notesQueryOptions } from '@/features/notes/api/get-notes';
import { filtersFromSearchParams } from '@/features/notes/lib/filters';
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
    const controller = new AbortController();
    getProfile(controller.signal)
      .then((user) => {
        if (user) useSessionStore.getState().setUser(user);
        else useSessionStore.getState().clear();
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        useSessionStore.getState().clear();
        toast.error(`Could not check your session (${error instanceof Error ? error.message : 'unknown error'}).`);
      });
    prefetchFirstPage(queryClient, window.location);
    return () => controller.abort();
  }, [queryClient]);

  return (
    <QueryClientProvider client={queryClient}>
      {children}
      <Toaster />
    </QueryClientProvider>
  );
}
