import { useState } from 'react';
import { FormError } from '@/components/ui/form-error';
import { FormField } from '@/components/ui/form-field';
import { PasswordInput } from '@/components/ui/password-input';
import { login, loginInputSchema } from '@/features/auth/api/login';
import { ApiError, errorMessage } from '@/lib/api-client';
import { useSchemaForm } from '@/lib/use-schema-form';
import { useSessionStore } from '@/stores/session-store';

export function SignInForm({ onSuccess }: { onSuccess: () => void }) {
  const setUser = useSessionStore((state) => state.setUser);
  const [formError, setFormError] = useState<{ message: string } | null>(null);
  const form = useSchemaForm(loginInputSchema, { email: '', password: '' });

  const onSubmit = form.handleSubmit(async (values) => {
    setFormError(null);
    try {
      setUser(await login(values));
      onSuccess();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        setFormError({ message: 'Wrong email or password. Check both and try again.' });
        return;
      }
      if (error instanceof ApiError) {
        for (const fieldError of error.fieldErrors) {
          if (fieldError.field === 'email' || fieldError.field === 'password') {
            form.setError(fieldError.field, fieldError.message);
          }
        }
      }
      setFormError({ message: errorMessage(error) });
    }
  });

  return (
    <form className="form" onSubmit={(event) => void onSubmit(event)} noValidate aria-label="Sign in">
      <FormError error={formError} />
      <FormField label="Email" error={form.errorOf('email')}>
        {(field) => <input {...field} {...form.field('email')} type="email" autoComplete="email" />}
      </FormField>
      <FormField label="Password" error={form.errorOf('password')}>
        {(field) => <PasswordInput {...field} {...form.field('password')} autoComplete="current-password" />}
      </FormField>
      <button type="submit" className="btn btn-primary btn-block" disabled={form.submitting}>
        {form.submitting ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
