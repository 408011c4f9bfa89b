/**
 * The end of a session, in one place: signing out and an expired session (any 401) both
 * drop every trace of the person's data from this tab and go to the sign-in page. Signing out
 * also clears what the device keeps (`app/live-sync.ts`).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect } from 'react';
import { useNavigate } from 'react-router';
import { paths, signInUrl } from '@/config/paths';
import { logout } from '@/features/auth/api/logout';
import { forgetDevice } from '@/app/sync';
import { useNotesStore } from '@/features/notes/stores/notes-store';
import { errorMessage, setUnauthorizedHandler } from '@/lib/api-client';
import { useSessionStore, type SessionEnd } from '@/stores/session-store';
import { toast } from '@/stores/toast-store';

export function useEndSession() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useCallback(
    (reason: SessionEnd) => {
      const here = `${window.location.pathname}${window.location.search}`;
      // The person first: what keeps their data on the device stops before it is dropped here.
      useSessionStore.getState().clear(reason);
      forgetDevice(reason === 'signed-out');
      useNotesStore.getState().reset();
      queryClient.clear();
      if (reason === 'expired') {
        toast.info('Your session has ended. Please sign in again.');
        if (!window.location.pathname.startsWith('/sign-')) navigate(signInUrl(here), { replace: true });
      } else {
        navigate(paths.signIn, { replace: true });
      }
    },
    [navigate, queryClient],
  );
}

/** Every 401 from the API, wherever it happens, ends up here. */
export function useUnauthorizedHandler(): void {
  const endSession = useEndSession();
  const queryClient = useQueryClient();
  useEffect(() => {
    setUnauthorizedHandler(() => {
      if (useSessionStore.getState().status === 'authenticated') endSession('expired');
      // Before the profile has answered (a prefetch at start-up): the profile check decides.
      else queryClient.clear();
    });
    return () => setUnauthorizedHandler(() => undefined);
  }, [endSession, queryClient]);
}

/** Sign out: revoke the token, clean up. */
export function useSignOut() {
  const endSession = useEndSession();
  return useCallback(async () => {
    try {
      await logout();
    } catch (error) {
      toast.error(`Signing out did not reach the server: ${errorMessage(error)}`);
    }
    endSession('signed-out');
  }, [endSession]);
}
