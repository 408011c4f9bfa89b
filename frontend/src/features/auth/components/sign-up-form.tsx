import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { FormField } from '@/components/ui/form-field';
import { register as registerUser, registerInputSchema, type RegisterInput } from '@/features/auth/api/register';
import { ApiError, errorMessage } from '@/lib/api-client';

const FIELDS = ['username', 'email', 'password'] as const;

export function SignUpForm({ onSuccess }: { onSuccess: (email: string) => void }) {
  const [formError, setFormError] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<RegisterInput>({
    resolver: zodResolver(registerInputSchema),
    defaultValues: { username: '', email: '', password: '' },
    mode: 'onTouched',
  });

  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      await registerUser(values);
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        const message = error.message;
        const field = /user ?name/i.test(message) ? 'username' : /e-?mail/i.test(message) ? 'email' : null;
        if (field) setError(field, { message });
        else setFormError(message);
        return;
      }
      if (error instanceof ApiError && error.fieldErrors.length > 0) {
        for (const fieldError of error.fieldErrors) {
          const field = FIELDS.find((name) => name === fieldError.field);
          if (field) setError(field, { message: fieldError.message });
        }
      }
      setFormError(errorMessage(error));
      return;
    }
    onSuccess(values.email);
  });

  return (
    <form className="form" onSubmit={onSubmit} noValidate aria-label="Create account">
      {formError ? (
        <p className="form-error" role="alert">
          {formError}
        </p>
      ) : null}
      <FormField
        label="Username"
        error={errors.username?.message}
        hint="3 to 30 characters: lowercase letters, digits, “_”, “.” or “-”."
      >
        {(field) => <input {...field} {...register('username')} type="text" autoComplete="username" />}
      </FormField>
      <FormField label="Email" error={errors.email?.message}>
        {(field) => <input {...field} {...register('email')} type="email" autoComplete="email" />}
      </FormField>
      <FormField label="Password" error={errors.password?.message} hint="8 to 128 characters.">
        {(field) => (
          <input {...field} {...register('password')} type="password" autoComplete="new-password" />
        )}
      </FormField>
      <button type="submit" className="btn btn-primary btn-block" disabled={isSubmitting}>
        {isSubmitting ? 'Creating account…' : 'Create account'}
      </button>
    </form>
  );
}
