import { useEffect, useRef, useState } from 'react';
import { useToastStore, type Toast } from '@/stores/toast-store';

/**
 * Counts a toast's time down, but only while it is neither hovered nor focused: a person
 * reading it or reaching for its button never sees it vanish.
 */
function usePausableTimer(durationMs: number, paused: boolean, onDone: () => void) {
  const remaining = useRef(durationMs);
  const done = useRef(onDone);
  useEffect(() => {
    done.current = onDone;
  }, [onDone]);
  useEffect(() => {
    if (paused) return;
    const started = Date.now();
    const timer = setTimeout(() => done.current(), remaining.current);
    return () => {
      clearTimeout(timer);
      remaining.current = Math.max(0, remaining.current - (Date.now() - started));
    };
  }, [paused]);
}

export default function ToastItem({ toast }: { toast: Toast }) {
  const close = useToastStore((state) => state.close);
  const [hovered, setHovered] = useState(false);
  const [focused, setFocused] = useState(false);
  const actionRef = useRef<HTMLButtonElement>(null);
  usePausableTimer(toast.durationMs, hovered || focused, () => close(toast.id, 'timeout'));

  useEffect(() => {
    if (toast.focusAction) actionRef.current?.focus();
  }, [toast.focusAction]);

  return (
    <li
      className={`toast toast-${toast.tone}`}
      data-testid="toast"
      data-toast-id={toast.id}
      data-paused={hovered || focused ? 'true' : 'false'}
      onMouseEnter={() => setHovered(true)}
      onMouseLeave={() => setHovered(false)}
      onFocus={() => setFocused(true)}
      onBlur={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setFocused(false);
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape') close(toast.id, 'dismiss');
      }}
    >
      <p className="toast-message">{toast.message}</p>
      <div className="toast-actions">
        {toast.action ? (
          <button
            ref={actionRef}
            type="button"
            className="btn btn-small"
            onClick={() => {
              toast.action?.onClick();
              close(toast.id, 'action');
            }}
          >
            {toast.action.label}
          </button>
        ) : null}
        <button
          type="button"
          className="btn btn-small btn-ghost"
          aria-label="Dismiss notification"
          onClick={() => close(toast.id, 'dismiss')}
        >
          ×
        </button>
      </div>
    </li>
  );
}
