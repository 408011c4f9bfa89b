import { QueryClientProvider } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { Toaster } from '@/components/ui/toaster';
import { signInUrl } from '@/config/paths';
import { getProfile } from '@/features/auth/api/get-profile';
import { clearNotesValidators } from '@/features/notes/api/get-notes';
import { usePendingOpsStore } from '@/features/notes/stores/pending-ops-store';
import { setUnauthorizedHandler } from '@/lib/api-client';
import { createQueryClient, installFocusListeners } from '@/lib/query-client';
import { useSessionStore } from '@/stores/session-store';
import { toast } from '@/stores/toast-store';

interface AppProviderProps {
  children: ReactNode;
  navigate: (to: string) => void;
}

export function AppProvider({ children, navigate }: AppProviderProps) {
  const [queryClient] = useState(createQueryClient);

  useEffect(() => {
    installFocusListeners();
    // Every 401 from the API, wherever it happens, ends up here.
    setUnauthorizedHandler(() => {
      const wasSignedIn = useSessionStore.getState().status === 'authenticated';
      useSessionStore.getState().clear();
      usePendingOpsStore.getState().clear();
      clearNotesValidators();
      queryClient.clear();
      const here = `${window.location.pathname}${window.location.search}`;
      if (wasSignedIn) toast.info('Your session has ended. Please sign in again.');
      if (!window.location.pathname.startsWith('/sign-')) navigate(signInUrl(here));
    });
  }, [navigate, queryClient]);

  useEffect(() => {
    const controller = new AbortController();
    getProfile(controller.signal)
      .then((user) => {
        if (user) useSessionStore.getState().setUser(user);
        else useSessionStore.getState().clear();
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        useSessionStore.getState().clear();
        toast.error(
          `Could not check your session (${error instanceof Error ? error.message : 'unknown error'}).`,
        );
      });
    return () => controller.abort();
  }, []);

  return (
    <QueryClientProvider client={queryClient}>
      {children}
      <Toaster />
    </QueryClientProvider>
  );
}
