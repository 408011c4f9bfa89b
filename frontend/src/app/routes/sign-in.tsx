import { Link, Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { SignInForm } from '@/features/auth/components/sign-in-form';
import { paths, safeRedirectTarget } from '@/config/paths';
import { useSessionStore } from '@/stores/session-store';

export function SignInRoute() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const location = useLocation();
  const status = useSessionStore((state) => state.status);
  const target = safeRedirectTarget(params.get('redirect'));
  const state = location.state as { registeredEmail?: string } | null;

  if (status === 'authenticated') return <Navigate to={target} replace />;

  const signUpLink = params.get('redirect')
    ? `${paths.signUp}?redirect=${encodeURIComponent(target)}`
    : paths.signUp;

  return (
    <main className="auth-page" id="main" tabIndex={-1}>
      <title>Sign in · NoteStack</title>
      <div className="auth-card">
        <p className="brand">NoteStack</p>
        <h1>Sign in</h1>
        {state?.registeredEmail ? (
          <p className="form-success" role="status">
            Your account is ready. Sign in to start taking notes.
          </p>
        ) : params.get('redirect') ? (
          <p className="muted">Sign in to continue to that page.</p>
        ) : null}
        <SignInForm
          defaultEmail={state?.registeredEmail}
          onSuccess={() => navigate(target, { replace: true })}
        />
        <p className="auth-switch">
          New to NoteStack? <Link to={signUpLink}>Create an account</Link>
        </p>
      </div>
    </main>
  );
}
