import { lazy, Suspense, useState } from 'react';
import { Link, Navigate, Outlet, useLocation } from 'react-router';
import { useSignOut } from '@/app/session';
import { FullPageLoading } from '@/components/ui/spinner';
import { paths, signInUrl } from '@/config/paths';
import { useSessionStore } from '@/stores/session-store';

/** The account menu (and the export and import it opens) loads just after the page. */
const AccountMenu = lazy(() => import('@/app/account-menu').then((module) => ({ default: module.AccountMenu })));

/** Online, offline or syncing: not needed for the first paint either. */
const SyncStatus = lazy(() => import('@/components/ui/sync-status'));

/** Signed-in pages: a signed-out person is sent to sign in, then brought back here. */
export function AppLayout() {
  const { status, user, ended } = useSessionStore();
  const location = useLocation();
  const signOut = useSignOut();
  const [signingOut, setSigningOut] = useState(false);

  if (status === 'unknown') return <FullPageLoading label="Checking your session…" />;
  if (status === 'anonymous') {
    // Someone who just signed out is not "continuing to that page".
    const to = ended === 'signed-out' ? paths.signIn : signInUrl(`${location.pathname}${location.search}`);
    return <Navigate to={to} replace />;
  }

  return (
    <div className="app-shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <Link className="brand" to={paths.home}>
          NoteStack
        </Link>
        <div className="app-header-user">
          <Suspense fallback={null}>
            <SyncStatus />
          </Suspense>
          <Suspense fallback={<span className="muted">{user?.username}</span>}>
            <AccountMenu username={user?.username ?? ''} />
          </Suspense>
          <button
            type="button"
            className="btn btn-ghost"
            disabled={signingOut}
            onClick={() => {
              setSigningOut(true);
              void signOut();
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="app-main" tabIndex={-1}>
        <Suspense fallback={<FullPageLoading />}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
