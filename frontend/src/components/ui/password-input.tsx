import '@/components/ui/password-input.css';
import { useState, type ComponentProps } from 'react';

/** A password input with a "Show password" toggle (the typed text stays as it was). */
export function PasswordInput(props: Omit<ComponentProps<'input'>, 'type'>) {
  const [shown, setShown] = useState(false);
  return (
    <div className="password-input">
      <input {...props} type={shown ? 'text' : 'password'} />
      <button
        type="button"
        className="btn btn-small btn-ghost"
        aria-pressed={shown}
        aria-controls={props.id}
        onClick={() => setShown((value) => !value)}
      >
        Show password
      </button>
    </div>
  );
}
