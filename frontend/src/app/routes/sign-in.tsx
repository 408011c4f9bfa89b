import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { SignInForm } from '@/features/auth/components/sign-in-form';
import { paths, safeRedirectTarget } from '@/config/paths';
import { useSessionStore } from '@/stores/session-store';

function greeting(ended: string | null, redirected: boolean) {
  if (ended === 'signed-out') return <p className="form-success" role="status">You have signed out.</p>;
  if (ended === 'expired') return <p className="muted">Your session ended. Sign in again to continue.</p>;
  if (redirected) return <p className="muted">Sign in to continue to that page.</p>;
  return null;
}

export default function SignInRoute() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const status = useSessionStore((state) => state.status);
  const ended = useSessionStore((state) => state.ended);
  const target = safeRedirectTarget(params.get('redirect'));

  if (status === 'authenticated') return <Navigate to={target} replace />;

  const signUpLink = params.get('redirect') ? `${paths.signUp}?redirect=${encodeURIComponent(target)}` : paths.signUp;

  return (
    <main className="auth-page" id="main" tabIndex={-1}>
      <title>Sign in · NoteStack</title>
      <div className="auth-card">
        <p className="brand">NoteStack</p>
        <h1>Sign in</h1>
        {greeting(ended, Boolean(params.get('redirect')))}
        <SignInForm onSuccess={() => navigate(target, { replace: true })} />
        <p className="auth-switch">
          New to NoteStack? <Link to={signUpLink}>Create an account</Link>
        </p>
      </div>
    </main>
  );
}
