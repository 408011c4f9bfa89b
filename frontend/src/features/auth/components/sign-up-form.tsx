import { useState } from 'react';
import { RegisterIn } from '@/config/api-constraints';
import { FormError } from '@/components/ui/form-error';
import { FormField } from '@/components/ui/form-field';
import { PasswordInput } from '@/components/ui/password-input';
import { login } from '@/features/auth/api/login';
import { register as registerUser, registerInputSchema } from '@/features/auth/api/register';
import { ApiError, errorMessage } from '@/lib/api-client';
import { useSchemaForm } from '@/lib/use-schema-form';
import { lengthHint } from '@/lib/validation';
import { useSessionStore } from '@/stores/session-store';

const FIELDS = ['username', 'email', 'password'] as const;
const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Creates the account, then signs the person in with the same details: no second form. */
export function SignUpForm({ onSuccess }: { onSuccess: () => void }) {
  const setUser = useSessionStore((state) => state.setUser);
  const [formError, setFormError] = useState<{ message: string } | null>(null);
  const form = useSchemaForm(registerInputSchema, { username: '', email: '', password: '' });

  const onSubmit = form.handleSubmit(async (values) => {
    setFormError(null);
    try {
      await registerUser(values);
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        const message = error.message;
        const field = /user ?name/i.test(message) ? 'username' : /e-?mail/i.test(message) ? 'email' : null;
        if (field) form.setError(field, message);
        setFormError({ message });
        return;
      }
      if (error instanceof ApiError) {
        for (const fieldError of error.fieldErrors) {
          const field = FIELDS.find((name) => name === fieldError.field);
          if (field) form.setError(field, fieldError.message);
        }
      }
      setFormError({ message: errorMessage(error) });
      return;
    }
    try {
      setUser(await login({ email: values.email, password: values.password }));
      onSuccess();
    } catch (error) {
      setFormError({ message: `Your account is ready, but signing in failed: ${errorMessage(error)} Try signing in.` });
    }
  });

  return (
    <form className="form" onSubmit={(event) => void onSubmit(event)} noValidate aria-label="Create account">
      <FormError error={formError} />
      <FormField
        label="Username"
        error={form.errorOf('username')}
        hint={`${capitalised(lengthHint(RegisterIn.username))}; spaces are allowed inside.`}
      >
        {(field) => <input {...field} {...form.field('username')} type="text" autoComplete="username" />}
      </FormField>
      <FormField label="Email" error={form.errorOf('email')}>
        {(field) => <input {...field} {...form.field('email')} type="email" autoComplete="email" />}
      </FormField>
      <FormField
        label="Password"
        error={form.errorOf('password')}
        hint={`${capitalised(lengthHint(RegisterIn.password))}.`}
      >
        {(field) => <PasswordInput {...field} {...form.field('password')} autoComplete="new-password" />}
      </FormField>
      <button type="submit" className="btn btn-primary btn-block" disabled={form.submitting}>
        {form.submitting ? 'Creating account…' : 'Create account'}
      </button>
    </form>
  );
}
