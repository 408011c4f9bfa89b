import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { FullPageLoading } from '@/components/ui/spinner';
import { paths, signInUrl } from '@/config/paths';
import { logout } from '@/features/auth/api/logout';
import { clearNotesValidators } from '@/features/notes/api/get-notes';
import { flushDeletes } from '@/features/notes/lib/delete-scheduler';
import { usePendingOpsStore } from '@/features/notes/stores/pending-ops-store';
import { errorMessage } from '@/lib/api-client';
import { useSessionStore } from '@/stores/session-store';
import { toast } from '@/stores/toast-store';

/** Signed-in pages: a signed-out person is sent to sign in, then brought back here. */
export function AppLayout() {
  const { status, user, clear } = useSessionStore();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [signingOut, setSigningOut] = useState(false);

  if (status === 'unknown') return <FullPageLoading label="Checking your session…" />;
  if (status === 'anonymous') {
    return <Navigate to={signInUrl(`${location.pathname}${location.search}`)} replace />;
  }

  const signOut = async () => {
    setSigningOut(true);
    try {
      await flushDeletes();
      await logout();
    } catch (error) {
      toast.error(`Signing out did not reach the server: ${errorMessage(error)}`);
    } finally {
      usePendingOpsStore.getState().clear();
      clearNotesValidators();
      queryClient.clear();
      clear();
      setSigningOut(false);
      navigate(paths.signIn, { replace: true });
    }
  };

  return (
    <div className="app-shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <a className="brand" href={paths.home}>
          NoteStack
        </a>
        <div className="app-header-user">
          <span className="muted">
            <span className="visually-hidden">Signed in as </span>
            {user?.username}
          </span>
          <button type="button" className="btn btn-ghost" onClick={() => void signOut()} disabled={signingOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="app-main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
