import { useEffect, useRef } from 'react';

/**
 * The error of a whole submission, above the form's fields. Focused each time a new one
 * appears: after a failed attempt the focus goes to what went wrong, not to the page body.
 */
export function FormError({ error }: { error: { message: string } | null }) {
  const ref = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (error) ref.current?.focus();
  }, [error]);
  if (!error) return null;
  return (
    <p className="form-error" role="alert" tabIndex={-1} ref={ref}>
      {error.message}
    </p>
  );
}
