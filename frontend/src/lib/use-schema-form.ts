import { useState, type ChangeEvent, type FormEvent } from 'react';
import { z } from 'zod/mini';

type Values = Record<string, string>;

function firstIssuePerField(issues: readonly z.core.$ZodIssue[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const field = String(issue.path[0] ?? '');
    if (!(field in errors)) errors[field] = issue.message;
  }
  return errors;
}

/**
 * A small form of text fields checked by a zod schema: errors show once a field was left
 * (or on submit), a server's field error shows until that field changes, and a refused submit
 * puts the focus on the first field in error. The sign-in and sign-up pages use it; the note
 * form, loaded later, uses react-hook-form, which the first page does not need to download.
 */
export function useSchemaForm<T extends Values>(schema: z.ZodMiniType<T, T>, initial: T) {
  const [values, setValues] = useState<T>(initial);
  const [touched, setTouched] = useState<Partial<Record<keyof T, boolean>>>({});
  const [serverErrors, setServerErrors] = useState<Partial<Record<keyof T, string>>>({});
  const [submitted, setSubmitted] = useState(false);
  const [submitting, setSubmitting] = useState(false);

  const parsed = schema.safeParse(values);
  const clientErrors = parsed.success ? {} : firstIssuePerField(parsed.error.issues);
  const errorOf = (name: keyof T & string): string | undefined =>
    serverErrors[name] ?? (touched[name] || submitted ? clientErrors[name] : undefined);

  const field = (name: keyof T & string) => ({
    name,
    value: values[name],
    onChange: (event: ChangeEvent<HTMLInputElement>) => {
      setValues((current) => ({ ...current, [name]: event.target.value }));
      setServerErrors((current) => ({ ...current, [name]: undefined }));
    },
    onBlur: () => setTouched((current) => ({ ...current, [name]: true })),
  });

  const handleSubmit = (onValid: (data: T) => Promise<void>) => async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSubmitted(true);
    if (!parsed.success) {
      const first = Object.keys(values).find((name) => name in clientErrors);
      const element = first ? event.currentTarget.elements.namedItem(first) : null;
      if (element instanceof HTMLElement) element.focus();
      return;
    }
    setSubmitting(true);
    try {
      await onValid(parsed.data);
    } finally {
      setSubmitting(false);
    }
  };

  const setError = (name: keyof T & string, message: string) =>
    setServerErrors((current) => ({ ...current, [name]: message }));

  return { field, errorOf, setError, handleSubmit, submitting };
}
