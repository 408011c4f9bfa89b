import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { FormField } from '@/components/ui/form-field';
import { login, loginInputSchema, type LoginInput } from '@/features/auth/api/login';
import { ApiError, errorMessage } from '@/lib/api-client';
import { useSessionStore } from '@/stores/session-store';

export function SignInForm({
  onSuccess,
  defaultEmail = '',
}: {
  onSuccess: () => void;
  defaultEmail?: string;
}) {
  const setUser = useSessionStore((state) => state.setUser);
  const [formError, setFormError] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<LoginInput>({
    resolver: zodResolver(loginInputSchema),
    defaultValues: { email: defaultEmail, password: '' },
    mode: 'onTouched',
  });

  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      setUser(await login(values));
      onSuccess();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        setFormError('Wrong email or password. Check both and try again.');
        return;
      }
      if (error instanceof ApiError) {
        for (const fieldError of error.fieldErrors) {
          if (fieldError.field === 'email' || fieldError.field === 'password') {
            setError(fieldError.field, { message: fieldError.message });
          }
        }
      }
      setFormError(errorMessage(error));
    }
  });

  return (
    <form className="form" onSubmit={onSubmit} noValidate aria-label="Sign in">
      {formError ? (
        <p className="form-error" role="alert">
          {formError}
        </p>
      ) : null}
      <FormField label="Email" error={errors.email?.message}>
        {(field) => <input {...field} {...register('email')} type="email" autoComplete="email" />}
      </FormField>
      <FormField label="Password" error={errors.password?.message}>
        {(field) => (
          <input {...field} {...register('password')} type="password" autoComplete="current-password" />
        )}
      </FormField>
      <button type="submit" className="btn btn-primary btn-block" disabled={isSubmitting}>
        {isSubmitting ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
