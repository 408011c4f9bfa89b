import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { SignUpForm } from '@/features/auth/components/sign-up-form';
import { safeRedirectTarget, signInUrl } from '@/config/paths';
import { useSessionStore } from '@/stores/session-store';

export default function SignUpRoute() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const status = useSessionStore((state) => state.status);
  const target = safeRedirectTarget(params.get('redirect'));

  if (status === 'authenticated') return <Navigate to={target} replace />;

  return (
    <main className="auth-page" id="main" tabIndex={-1}>
      <title>Create your account · NoteStack</title>
      <div className="auth-card">
        <p className="brand">NoteStack</p>
        <h1>Create your account</h1>
        <SignUpForm onSuccess={() => navigate(target, { replace: true })} />
        <p className="auth-switch">
          Already have an account? <Link to={signInUrl(target)}>Sign in</Link>
        </p>
      </div>
    </main>
  );
}
